"""A real `gcmkg serve` on 127.0.0.1 and a free port, for the web tests (tests/test_serve.py, test_browser.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GCMKG = Path(sys.executable).parent / "gcmkg"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(*flags: str, data: Path | None = None, startup: float = 60.0) -> Iterator[str]:
    """The base URL of a `gcmkg serve` started with `flags`; stopped (by its pid) on leaving."""
    port = free_port()
    args = [str(GCMKG), "serve", "--port", str(port), "--data", str(data or ROOT / "graph"), *flags]
    process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env={**os.environ, "GCMKG_HOME": str(ROOT)})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup
        while True:
            try:
                with urllib.request.urlopen(base + "/static/style.css", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if process.poll() is not None or time.monotonic() > deadline:
                    out = process.stdout.read().decode() if process.stdout else ""
                    raise RuntimeError(f"gcmkg serve did not start: {out}") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
