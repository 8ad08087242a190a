"""What the commands tell a person: progress on a terminal, what changed, folders and paired files understood."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "graph" / "sources" / "ece-gcm-2024-review-fr.md"
GRAPH = ROOT / "graph"


def gcmkg(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gcmkg.cli", *argv], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_build_shows_progress_on_a_terminal_and_says_what_changed(tmp_path: Path) -> None:
    out = tmp_path / "g"
    leader, follower = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "gcmkg.cli", "build", str(REPORT), "--out", str(out)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=follower, timeout=300)
        os.close(follower)
        follower = -1
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if follower != -1:
            os.close(follower)
        os.close(leader)
    assert done.returncode == 0
    assert b"[####################] 1/1 ece-gcm-2024-review-fr" in seen
    first = done.stdout.decode()
    assert "wrote " in first and "1 report built into" in first and " 0 unchanged" in first
    again = gcmkg("build", str(REPORT), "--out", str(out))
    assert "wrote " not in again.stdout and "0 files changed" in again.stdout
    assert "####" not in again.stderr  # no bar on a pipe


def test_validate_takes_a_folder_of_built_graphs() -> None:
    done = gcmkg("validate", "graph")
    assert done.returncode == 0, done.stderr
    assert "ece-gcm-2024-review-fr.ttl" in done.stdout and "-inferred" not in done.stdout.splitlines()[-1]


def test_an_inferred_graph_is_validated_with_its_asserted_graph(tmp_path: Path) -> None:
    done = gcmkg("validate", str(GRAPH / "ece-gcm-2024-review-fr-inferred.ttl"))
    assert done.returncode == 0, done.stdout
    assert "ece-gcm-2024-review-fr.ttl, " in done.stdout and "conforms" in done.stdout
    alone = tmp_path / "ece-gcm-2024-review-fr-inferred.ttl"
    shutil.copy(GRAPH / alone.name, alone)
    done = gcmkg("validate", str(alone))
    assert done.returncode == 2 and "validated with its asserted graph" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_validate_a_folder_without_built_graphs_is_exit_2() -> None:
    done = gcmkg("validate", "graph/sources")
    assert done.returncode == 2 and "no built graph in this folder" in done.stderr
