"""A throw-away Virtuoso Open-Source server for the tests: a helper of tests/test_virtuoso.py.

Debian's virtuoso-opensource-7-bin (.ci/install-system-packages.sh) ships the server, `virtuoso-t`, and its SQL
client, `isql-vt`, and nothing else: no system database, no service. `virtuoso_server(folder)` writes its own
virtuoso.ini into `folder` (database, transaction log and error log there too; /etc and /var/lib are never
read), starts `virtuoso-t +foreground` on two free ports of 127.0.0.1 (HTTP and ISQL), waits until /sparql
answers, lets the anonymous SPARQL user write (below) and stops the server, and waits for it, in a `finally`.
The first start creates the database (two to three seconds).

What the anonymous user needs, on Virtuoso 7.2: the role SPARQL_UPDATE, which the HTTP user "SPARQL" (that
/sparql and /sparql-graph-crud run as) lacks in a new database; without it a Graph Store PUT is 403 "SQ110:
SECURITY: Permission denied for delete from DB.DBA.RDF_QUAD". Graph-level security
(`DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7)`) is not needed: a new database has no graph permission rows
(DB.DBA.RDF_GRAPH_USER is empty), so every graph is readable and writable by every user that holds the role.

The server listens on 127.0.0.1 only; its DBA account keeps the password of a new database (dba).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt")  # Debian's name; upstream calls it isql, as unixODBC calls its own client
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
START_TIMEOUT = 60.0  # seconds until /sparql answers (creating the database takes a few)
ISQL_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0  # SIGTERM stops it within two seconds, even with a query stuck inside

#: On a developer's machine without Virtuoso the tests are skipped; under CI its absence is a failure.
needs_virtuoso = pytest.mark.skipif((VIRTUOSO is None or ISQL is None) and not IN_CI,
                                    reason="Virtuoso is not installed (virtuoso-t and isql-vt: "
                                           "sh .ci/install-system-packages.sh)")

INI = """\
; written by tests/virtuoso.py for one test run
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql_port}
DisableUnixSocket = 1
DirsAllowed = {folder}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
; as Debian's virtuoso.ini: without it on-behalf-of takes 7 s instead of 1
VectorSize = 1000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8

[SPARQL]
; complete answers or none: no cap on the rows, no "anytime" partial answer after a time limit
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 0
"""

SETUP = 'GRANT SPARQL_UPDATE TO "SPARQL";\n'


@dataclass(frozen=True)
class Virtuoso:
    """A running server: its base URL and error log."""

    base: str
    log: Path

    @property
    def store(self) -> str:
        """The SPARQL 1.1 Graph Store endpoint, anonymous."""
        return f"{self.base}/sparql-graph-crud"

    @property
    def sparql(self) -> str:
        """The SPARQL query (and update) endpoint."""
        return f"{self.base}/sparql"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log_tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_until_answering(process: subprocess.Popen, server: Virtuoso) -> None:
    url = f"{server.sparql}?{urlencode({'query': 'ASK {}'})}"
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            pytest.fail(f"virtuoso-t exited with {process.returncode}:\n{log_tail(server.log)}")
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                answer.read()
            return
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"Virtuoso did not answer on {server.sparql} within {START_TIMEOUT:g} s:\n"
                            f"{log_tail(server.log)}")
            time.sleep(0.1)


def isql(port: int, script: Path) -> None:
    """Run an SQL script as dba. isql-vt exits 0 whatever happens, so its errors are read from its output."""
    assert ISQL is not None
    done = subprocess.run([ISQL, f"127.0.0.1:{port}", "dba", "dba", str(script)], capture_output=True,
                          text=True, errors="replace", timeout=ISQL_TIMEOUT, check=False)
    output = done.stdout + done.stderr
    if done.returncode != 0 or "*** Error" in output:
        pytest.fail(f"isql-vt {script.name} failed ({done.returncode}):\n{output}")


@contextlib.contextmanager
def virtuoso_server(folder: Path) -> Iterator[Virtuoso]:
    """A new Virtuoso on free ports of 127.0.0.1 with its database in `folder`, whose anonymous SPARQL user may
    update: yields it once /sparql answers; always stopped, and waited for."""
    if VIRTUOSO is None or ISQL is None:
        pytest.fail("Virtuoso is not installed (virtuoso-t and isql-vt: sh .ci/install-system-packages.sh)")
    folder = folder.resolve()
    http_port, isql_port = free_port(), free_port()
    (folder / "virtuoso.ini").write_text(INI.format(folder=folder, isql_port=isql_port, http_port=http_port),
                                         encoding="utf-8")
    (folder / "setup.sql").write_text(SETUP, encoding="utf-8")
    server = Virtuoso(f"http://127.0.0.1:{http_port}", folder / "virtuoso.log")
    with (folder / "console.log").open("wb") as console:
        process = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(folder / "virtuoso.ini")],
                                   cwd=folder, stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT)
    try:
        wait_until_answering(process, server)
        isql(isql_port, folder / "setup.sql")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
