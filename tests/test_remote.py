"""`gcmkg publish` and `gcmkg query --endpoint` against a real Oxigraph server, and against servers that fail.

* A real `oxigraph serve` (the PyPI package `oxigraph`, in the test extra) runs on 127.0.0.1 with a temporary
  store, twice: once with the union of the named graphs as default graph, once with an empty default graph.
  `gcmkg publish` fills each; every canned report query then gives, over the endpoint, the CSV the embedded
  store gives (same rows, same order). With the empty default graph the graphs `publish` printed are passed
  as `--default-graph-uri`.
* Fake servers (http.server in a thread, on 127.0.0.1) answer 500, nothing, too late, something that is not
  SPARQL results, or stop in the middle of a publication: each gives exit 2 and one clear message.

Nothing here waits without a bound: the servers are stopped (and waited for) in `finally` blocks, every
request carries `--timeout`, every wait has a deadline.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sysconfig
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import pytest

from gcmkg import publish
from gcmkg import query as q
from gcmkg.cli import main as gcmkg
from gcmkg.store import EndpointStore

REPO = Path(__file__).resolve().parents[1]
GRAPH = REPO / "graph"
REPORT_QUERIES = [x.name for x in q.canned_queries(REPO) if not x.name.endswith("-violation")]
TIMEOUT = "30"  # seconds, for the requests that should succeed
START_TIMEOUT = 30.0
COUNT_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


def oxigraph_command() -> str | None:
    """The `oxigraph` console script: beside this Python's scripts, else on PATH."""
    beside = Path(sysconfig.get_path("scripts")) / "oxigraph"
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


OXIGRAPH = oxigraph_command()
# A test extra: skipped on a developer's machine without it, but under CI its absence is a failure.
needs_server = pytest.mark.skipif(OXIGRAPH is None and os.environ.get("CI", "").lower() not in ("1", "true", "yes"),
                                  reason="the oxigraph server is not installed (pip install -e '.[test]')")


@pytest.fixture(scope="module", autouse=True)
def _environment() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GCMKG_HOME", str(REPO))
        mp.delenv("GCMKG_ENDPOINT_USER", raising=False)
        mp.delenv("GCMKG_ENDPOINT_PASSWORD", raising=False)
        yield


def cli(*argv: str) -> tuple[int, str, str]:
    """Run the gcmkg CLI in this process: exit code, standard output, standard error."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = gcmkg(list(argv))
        except SystemExit as exit_:  # argparse usage errors
            code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def counts_on(base: str) -> dict[str, int]:
    """Triples per named graph on a server."""
    result = EndpointStore(f"{base}/query", timeout=float(TIMEOUT)).query(COUNT_PER_GRAPH)
    return {str(g): int(n) for g, n in result.rows}


# ------------------------------------------------------------------------------------------- a real server


@contextlib.contextmanager
def oxigraph_server(location: Path, union: bool) -> Iterator[str]:
    """`oxigraph serve` on a free port of 127.0.0.1: yields its base URL once it answers; always stopped."""
    assert OXIGRAPH is not None
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = location.parent / f"{location.name}.log"
    command = [OXIGRAPH, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    with log_path.open("wb") as log:
        process = subprocess.Popen([*command, *(["--union-default-graph"] if union else [])],
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"oxigraph serve exited with {process.returncode}: {log_path.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(f"{base}/query?{urlencode({'query': 'ASK {}'})}", timeout=1) as answer:
                    answer.read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"oxigraph serve did not answer on {base} within {START_TIMEOUT:g} s")
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def published_graphs(out: str) -> list[str]:
    """The graph IRIs `gcmkg publish` printed (the first column of its table)."""
    return [line.split()[0] for line in out.splitlines() if line.startswith("https://")]


def published_server(tmp_path_factory: pytest.TempPathFactory, union: bool) -> Iterator[tuple[str, list[str]]]:
    location = tmp_path_factory.mktemp("oxigraph") / "store"
    with oxigraph_server(location, union) as base:
        code, out, err = cli("publish", "--store", f"{base}/store", "--graph", str(GRAPH), "--timeout", TIMEOUT)
        assert code == 0, err
        assert out.rstrip().endswith(f"triple counts checked on {base}/query")
        yield base, published_graphs(out)


@pytest.fixture(scope="module")
def union_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """A server whose default graph is the union of its named graphs, holding the published graph."""
    yield from published_server(tmp_path_factory, union=True)


@pytest.fixture(scope="module")
def plain_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    """A server whose default graph is empty (Oxigraph's default), holding the published graph."""
    yield from published_server(tmp_path_factory, union=False)


@pytest.fixture(scope="module")
def parts() -> list[publish.Part]:
    """What publish sends: one part per named graph, in order."""
    return publish.parts(REPO, GRAPH)


LOCAL: dict[str, str] = {}


def local_csv(name: str) -> str:
    if name not in LOCAL:
        code, out, err = cli("query", name, "--format", "csv")
        assert code == 0, err
        LOCAL[name] = out
    return LOCAL[name]


def remote_csv(base: str, name: str, *extra: str) -> str:
    code, out, err = cli("query", name, "--format", "csv", "--endpoint", f"{base}/query", "--timeout", TIMEOUT,
                         *extra)
    assert code == 0, err
    return out


@needs_server
def test_publish_prints_every_graph(union_server: tuple[str, list[str]], parts: list[publish.Part]) -> None:
    _, graphs = union_server
    assert graphs == [p.graph for p in parts]
    assert graphs[0] == "https://w3id.org/gcmkg/ontology"
    assert "https://w3id.org/gcmkg/graph/ece-gcm-2024-review-fr" in graphs
    assert "https://w3id.org/gcmkg/graph/ece-gcm-2024-review-fr-inferred" in graphs
    references = sorted((REPO / "ontology" / "reference").glob("*.ttl"))
    assert [g for g in graphs if "/reference/" in g] == [f"https://w3id.org/gcmkg/reference/{p.stem}"
                                                          for p in references]


@needs_server
@pytest.mark.parametrize("name", REPORT_QUERIES)
def test_union_default_graph_gives_the_local_rows(union_server: tuple[str, list[str]], name: str) -> None:
    base, _ = union_server
    local = local_csv(name)
    assert local.count("\r\n") > 1 or name == "unresolved-actors", "a query without rows proves little"
    assert remote_csv(base, name) == local


@needs_server
@pytest.mark.parametrize("name", REPORT_QUERIES)
def test_default_graph_uri_gives_the_local_rows(plain_server: tuple[str, list[str]], name: str) -> None:
    base, graphs = plain_server
    extra = [arg for graph in graphs for arg in ("--default-graph-uri", graph)]
    assert remote_csv(base, name, *extra) == local_csv(name)


@needs_server
@pytest.mark.parametrize("name", REPORT_QUERIES)
def test_a_server_in_its_default_configuration_needs_no_flag(plain_server: tuple[str, list[str]], name: str) -> None:
    """Oxigraph started without options answers over an empty default graph; gcmkg finds the gcmkg graphs the
    server holds and reads them, so the rows are the embedded store's with no graph flag."""
    base, _ = plain_server
    assert remote_csv(base, name) == local_csv(name)


def test_a_server_without_gcmkg_graphs_is_an_error_not_zero_rows() -> None:
    empty = b'{"head": {"vars": ["g"]}, "results": {"bindings": []}}'
    with fake_server(lambda h, _: reply(h, 200, empty, "application/sparql-results+json")) as base:
        err = query_fails(base, "--timeout", "10")
    assert "holds no graph under https://w3id.org/gcmkg/" in err


LABELLED = [x.name for x in q.canned_queries(REPO) if x.lang]  # the queries --lang changes


@needs_server
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("name", LABELLED)
def test_lang_gives_the_local_rows(plain_server: tuple[str, list[str]], name: str, lang: str) -> None:
    """--lang binds the label language inside the query text: the same rows on the server, with no flag."""
    base, _ = plain_server
    code, local, err = cli("query", name, "--format", "csv", "--lang", lang)
    assert code == 0, err
    assert remote_csv(base, name, "--lang", lang) == local


@needs_server
def test_parameters_and_named_graphs(plain_server: tuple[str, list[str]], tmp_path: Path) -> None:
    base, graphs = plain_server
    extra = [arg for graph in graphs for arg in ("--default-graph-uri", graph)]
    local = cli("query", "session-actors", "-p", "session=2", "-p", "role=represented", "--format", "csv")
    assert local[0] == 0
    assert remote_csv(base, "session-actors", "-p", "session=2", "-p", "role=represented", *extra) == local[1]
    probe = tmp_path / "graphs.rq"
    probe.write_text("SELECT ?g WHERE { GRAPH ?g { } } ORDER BY ?g\n", encoding="utf-8")
    two = remote_csv(base, str(probe), "--named-graph-uri", graphs[0], "--named-graph-uri", graphs[1])
    assert two.split("\r\n")[1:3] == sorted(graphs[:2])


@needs_server
@pytest.mark.parametrize("fmt", ["tsv", "json", "table"])
def test_every_format_matches(union_server: tuple[str, list[str]], fmt: str) -> None:
    base, _ = union_server
    local = cli("query", "persons", "--format", fmt)
    assert local[0] == 0
    assert cli("query", "persons", "--format", fmt, "--endpoint", f"{base}/query", "--timeout", TIMEOUT) == local


@needs_server
@pytest.mark.parametrize("text", [
    "ASK { ?s a <https://w3id.org/gcmkg/ontology#Review> }",
    "ASK { ?s a <https://w3id.org/gcmkg/ontology#Nothing> }",
    "CONSTRUCT WHERE { ?objective <https://w3id.org/gcmkg/ontology#objectiveNumber> ?n }",
    "DESCRIBE <https://w3id.org/gcmkg/id/objective/7>",
])
def test_ask_and_graph_queries(union_server: tuple[str, list[str]], tmp_path: Path, text: str) -> None:
    base, _ = union_server
    probe = tmp_path / "probe.rq"
    probe.write_text(text + "\n", encoding="utf-8")
    local = cli("query", str(probe))
    assert local[0] == 0 and local[1].strip()
    assert cli("query", str(probe), "--endpoint", f"{base}/query", "--timeout", TIMEOUT) == local


@needs_server
def test_publishing_twice_changes_nothing(union_server: tuple[str, list[str]], parts: list[publish.Part]) -> None:
    base, _ = union_server
    before = counts_on(base)
    assert before == {p.graph: p.triples for p in parts}
    code, out, err = cli("publish", "--store", f"{base}/store", "--timeout", TIMEOUT)
    assert code == 0, err
    assert all(line.endswith("  OK") for line in out.splitlines() if line.startswith("https://"))
    assert counts_on(base) == before


@needs_server
def test_publish_names_a_wrong_query_endpoint(union_server: tuple[str, list[str]]) -> None:
    base, _ = union_server
    code, out, err = cli("publish", "--store", f"{base}/store", "--query-endpoint", f"{base}/nowhere",
                         "--timeout", TIMEOUT)
    assert code == 2 and out == ""
    assert "could not be counted" in err and "HTTP 404" in err and "--query-endpoint" in err


# ------------------------------------------------------------------------------------------- fake servers


@contextlib.contextmanager
def fake_server(respond: Callable[[BaseHTTPRequestHandler, bytes], None]) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 whose every request (GET, POST, PUT) goes to `respond(handler, body)`."""

    class Handler(BaseHTTPRequestHandler):
        def handle_any(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            respond(self, body)

        do_GET = do_POST = do_PUT = handle_any  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def reply(handler: BaseHTTPRequestHandler, status: int, body: bytes = b"", kind: str = "text/plain") -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def query_fails(base: str, *extra: str) -> str:
    """Run a canned query on a failing endpoint: exit 2, nothing on stdout, one line on stderr."""
    code, out, err = cli("query", "objectives", "--endpoint", f"{base}/query", *extra)
    assert (code, out) == (2, "")
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    return err


def publish_fails(base: str, *extra: str) -> str:
    code, out, err = cli("publish", "--store", f"{base}/store", *extra)
    assert (code, out) == (2, "")
    assert err.startswith("error: ") and "Traceback" not in err
    return err


def test_server_error_500() -> None:
    with fake_server(lambda h, _: reply(h, 500, b"<html><body><h1>Boom</h1> store is broken</body></html>",
                                        "text/html")) as base:
        err = query_fails(base, "--timeout", "10")
        assert f"{base}/query: HTTP 500 Internal Server Error: Boom store is broken" in err
        err = publish_fails(base, "--timeout", "10")
        assert "HTTP 500" in err and "Boom store is broken" in err and "published 0 of" in err


@pytest.mark.parametrize("status", [403, 503])
def test_other_http_errors(status: int) -> None:
    with fake_server(lambda h, _: reply(h, status, b"go away")) as base:
        assert f"HTTP {status}" in query_fails(base, "--timeout", "10") and "go away" in query_fails(base)


def test_nothing_listening() -> None:
    base = f"http://127.0.0.1:{free_port()}"
    assert "connection refused" in query_fails(base, "--timeout", "10")
    err = publish_fails(base, "--timeout", "10")
    assert "connection refused" in err and "published 0 of" in err
    assert "not published: <https://w3id.org/gcmkg/ontology>" in err


def test_slow_server_times_out() -> None:
    released = threading.Event()

    def late(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        released.wait(5)  # longer than --timeout; released at the end of the test
        with contextlib.suppress(OSError):
            reply(handler, 200, b'{"head": {"vars": []}, "results": {"bindings": []}}', "application/json")

    with fake_server(late) as base:
        try:
            start = time.monotonic()
            assert "no complete answer within 0.5 s" in query_fails(base, "--timeout", "0.5")
            err = publish_fails(base, "--timeout", "0.5")
            assert "no complete answer within 0.5 s" in err and "published 0 of" in err
            assert time.monotonic() - start < 4
        finally:
            released.set()


@pytest.mark.parametrize(("body", "kind", "message"), [
    (b"<html>Welcome to nginx</html>", "text/html", "the answer is text/html, not one of application/sparql-results+json, application/json: Welcome to nginx"),
    (b'{"results": {"bindings": []}}', "application/sparql-results+json", "no 'head' object"),
    (b'{"head": {"vars": ["x"]}}', "application/sparql-results+json", "no 'results.bindings' list"),
    (b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": 3}]}}', "application/json", "not a term"),
    (b"", "application/sparql-results+json", "not JSON"),
])
def test_malformed_answers(body: bytes, kind: str, message: str) -> None:
    with fake_server(lambda h, _: reply(h, 200, body, kind)) as base:
        assert message in query_fails(base, "--timeout", "10")


def stops_after(n: int, how: str) -> Callable[[BaseHTTPRequestHandler, bytes], None]:
    """A graph store that takes `n` PUTs, then closes the connection without an answer, or answers 503."""
    taken: list[bytes] = []
    lock = threading.Lock()

    def respond(handler: BaseHTTPRequestHandler, body: bytes) -> None:
        with lock:
            if len(taken) < n:
                taken.append(body)
                reply(handler, 204)
            elif how == "close":
                handler.close_connection = True  # no status line: the client sees the connection drop
            else:
                reply(handler, 503, b"shutting down")

    return respond


@pytest.mark.parametrize("how", ["close", "503"])
def test_server_stops_in_the_middle(how: str, parts: list[publish.Part]) -> None:
    with fake_server(stops_after(3, how)) as base:
        err = publish_fails(base, "--timeout", "10")
    lines = err.splitlines()
    reason = "the server closed the connection" if how == "close" else "HTTP 503 Service Unavailable: shutting down"
    assert lines[0] == f"error: {base}/store: {reason} (putting <{parts[3].graph}> from {parts[3].source})"
    done = ", ".join(f"<{p.graph}>" for p in parts[:3])
    assert lines[1] == f"error: published 3 of {len(parts)} graphs: {done}"
    assert lines[2] == "error: not published: " + ", ".join(f"<{p.graph}>" for p in parts[3:])


def test_a_refused_graph_fails_however_many_triples_the_server_holds(parts: list[publish.Part]) -> None:
    """A 4xx to a PUT is a refusal, not a dropped answer: the server holding as many triples (an earlier
    publication) does not make it a success. Virtuoso's Digest-only /sparql-graph-crud-auth answers so."""
    counts = {p.graph: p.triples for p in parts}

    def respond(handler: BaseHTTPRequestHandler, body: bytes) -> None:
        if handler.command == "PUT":
            reply(handler, 401, b"Unauthorized")
            return
        graph = re.search(r"GRAPH <([^>]+)>", parse_qs(body.decode())["query"][0]).group(1)
        reply(handler, 200, json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": [
            {"n": {"type": "literal", "value": str(counts[graph])}}]}}).encode(), "application/sparql-results+json")

    with fake_server(respond) as base:
        err = publish_fails(base, "--timeout", "10")
    lines = err.splitlines()
    assert lines[0].startswith(f"error: {base}/store: HTTP 401 Unauthorized") and parts[0].graph in lines[0]
    assert lines[1] == f"error: published 0 of {len(parts)} graphs"


def test_broken_file_stops_before_any_upload(tmp_path: Path) -> None:
    (tmp_path / "broken.ttl").write_text("@prefix x: <http://x/> .\nx:a x:b x:c .\nx:a x:b .\n", encoding="utf-8")
    seen: list[str] = []
    with fake_server(lambda h, _: (seen.append(h.command), reply(h, 204))) as base:
        err = publish_fails(base, "--graph", str(tmp_path), "--timeout", "10")
    assert err.startswith(f"error: {tmp_path / 'broken.ttl'}:3: cannot parse as turtle")
    assert seen == []


# ------------------------------------------------------------------------------------------- credentials


def test_credentials_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, str | None]] = []

    def record(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        seen.append((handler.command, handler.headers.get("Authorization")))
        if handler.command == "PUT":
            reply(handler, 204)
        else:  # the count check: answer 0, so publish reports a mismatch after the uploads
            reply(handler, 200, b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", '
                                b'"value": "0"}}]}}', "application/sparql-results+json")

    monkeypatch.setenv("GCMKG_ENDPOINT_USER", "reader")
    monkeypatch.setenv("GCMKG_ENDPOINT_PASSWORD", "s3cret:x")
    token = "Basic " + base64.b64encode(b"reader:s3cret:x").decode()
    with fake_server(record) as base:
        code, _, err = cli("query", "objectives", "--endpoint", f"{base}/query", "--timeout", "10",
                           "--default-graph-uri", "https://w3id.org/gcmkg/ontology")
        assert code == 0, err
        code, _, err = cli("publish", "--store", f"{base}/store", "--timeout", "10")
    assert code == 2 and "counts 0 triples" in err
    assert seen and all(auth == token for _, auth in seen)
    assert {method for method, _ in seen} == {"POST", "PUT"}

    monkeypatch.delenv("GCMKG_ENDPOINT_PASSWORD")
    with fake_server(record) as base:
        err = query_fails(base)
    assert "GCMKG_ENDPOINT_PASSWORD is not set" in err


def test_no_credentials_on_the_command_line() -> None:
    for command in ("query", "publish"):
        _, out, _ = cli(command, "--help")
        assert "password" not in out.lower().replace("gcmkg_endpoint_password", "")
    err = query_fails("http://user:pw@127.0.0.1:9")
    assert "pw" not in err and "GCMKG_ENDPOINT_USER" in err
