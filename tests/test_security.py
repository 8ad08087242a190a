"""What gcmkg promises a careful user and an attacker alike (README, "What gcmkg promises"), against fake servers
on 127.0.0.1 that redirect, trickle, flood, lie and die, and against hostile queries and files.

Each test reproduces one finding of the reliability and security review: credentials sent to another origin,
outbound requests from user input, unbounded queries, terminal escapes, silent success on wrong folders,
graphs called unpublished that the server holds.
"""

from __future__ import annotations

import base64
import json
import re
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from test_remote import cli, fake_server, reply

REPO = Path(__file__).resolve().parents[1]
EMPTY_RESULTS = b'{"head": {"vars": ["x"]}, "results": {"bindings": []}}'
JSON = "application/sparql-results+json"


def gcmkg(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gcmkg.cli", *argv], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


# ------------------------------------------------------------------------------------------- redirects


def test_credentials_never_follow_a_redirect_to_another_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere: list[str | None] = []

    def thief(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        elsewhere.append(handler.headers.get("Authorization"))
        reply(handler, 200, EMPTY_RESULTS, JSON)

    monkeypatch.setenv("GCMKG_ENDPOINT_USER", "reader")
    monkeypatch.setenv("GCMKG_ENDPOINT_PASSWORD", "s3cret")
    with fake_server(thief) as other:
        def redirect(handler: BaseHTTPRequestHandler, _: bytes) -> None:
            handler.send_response(303)  # urllib follows 301-303 for POST, resending every header
            handler.send_header("Location", f"{other}/query")
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        with fake_server(redirect) as base:
            code, out, err = cli("query", "objectives", "--endpoint", f"{base}/query", "--timeout", "10")
            assert (code, out) == (2, "")
            line = one_error_line(err)
            assert "another origin" in line and "refused" in line and "s3cret" not in err
            code, out, err = cli("publish", "--store", f"{base}/store", "--timeout", "10")
            assert code == 2 and "another origin" in err
    assert elsewhere == [], "a request reached the server the redirect named"


def test_a_redirect_within_the_origin_is_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str | None] = []

    def respond(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        if handler.path.startswith("/old"):
            handler.send_response(303)
            handler.send_header("Location", "/query")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        else:
            seen.append(handler.headers.get("Authorization"))
            reply(handler, 200, EMPTY_RESULTS, JSON)

    monkeypatch.setenv("GCMKG_ENDPOINT_USER", "reader")
    monkeypatch.setenv("GCMKG_ENDPOINT_PASSWORD", "s3cret")
    with fake_server(respond) as base:
        code, _, err = cli("query", "objectives", "--endpoint", f"{base}/old", "--timeout", "10",
                           "--default-graph-uri", "https://w3id.org/gcmkg/ontology")
    assert code == 0, err
    assert seen == ["Basic " + base64.b64encode(b"reader:s3cret").decode()]


# --------------------------------------------------------------------------------------- deadlines, caps


def test_a_trickling_server_is_cut_off_at_the_deadline() -> None:
    stop = threading.Event()

    def trickle(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", JSON)
        handler.end_headers()
        try:
            while not stop.is_set():  # one byte every 0.2 s: each read is quick, the whole never comes
                handler.wfile.write(b" ")
                handler.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass

    with fake_server(trickle) as base:
        try:
            start = time.monotonic()
            code, out, err = cli("query", "objectives", "--endpoint", f"{base}/query", "--timeout", "1")
            assert (code, out) == (2, "") and "no complete answer within 1 s" in one_error_line(err)
            assert time.monotonic() - start < 6
        finally:
            stop.set()


def test_an_answer_of_the_wrong_type_is_refused_before_it_is_read() -> None:
    def flood(handler: BaseHTTPRequestHandler, _: bytes) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        try:
            for _ in range(200):  # 200 MB if anyone read it all
                handler.wfile.write(b"<p>" + b"x" * (1 << 20))
        except OSError:
            pass

    with fake_server(flood) as base:
        start = time.monotonic()
        code, _, err = cli("query", "objectives", "--endpoint", f"{base}/query", "--timeout", "30")
    assert code == 2 and "the answer is text/html" in one_error_line(err)
    assert time.monotonic() - start < 10


def test_an_answer_larger_than_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCMKG_MAX_ANSWER_BYTES", "1000")
    big = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "y" * 2000}}]}})
    with fake_server(lambda h, _: reply(h, 200, big.encode(), JSON)) as base:
        code, _, err = cli("query", "objectives", "--endpoint", f"{base}/query", "--timeout", "10")
    assert code == 2 and "larger than 1,000 bytes" in one_error_line(err)


def test_an_embedded_query_stops_at_its_deadline(tmp_path: Path) -> None:
    slow = tmp_path / "slow.rq"
    slow.write_text("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }\n", encoding="utf-8")
    start = time.monotonic()
    done = gcmkg("query", str(slow), "--timeout", "1")
    assert done.returncode == 2 and "no complete answer within 1 s" in one_error_line(done.stderr)
    assert time.monotonic() - start < 20  # the interpreter's start and the graph's load included


def test_ctrl_c_stops_an_embedded_query(tmp_path: Path) -> None:
    slow = tmp_path / "slow.rq"
    slow.write_text("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }\n", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "gcmkg.cli", "query", str(slow), "--timeout", "300"], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3)  # loaded and evaluating
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=10)
    assert process.returncode == 130 and "interrupted" in err and "Traceback" not in err


def test_output_to_a_file_appears_whole_or_not_at_all(tmp_path: Path) -> None:
    slow = tmp_path / "slow.rq"
    slow.write_text("SELECT ?a ?b ?c ?d { ?a ?b ?c . ?d ?e ?f }\n", encoding="utf-8")
    out = tmp_path / "rows.csv"
    done = gcmkg("query", str(slow), "--format", "csv", "--timeout", "1", "-o", str(out))
    assert done.returncode == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slow.rq"]


# -------------------------------------------------------------------------------------- no outbound requests


@pytest.mark.parametrize("store", ["oxigraph", "rdflib"])
def test_an_embedded_store_makes_no_request_a_user_did_not_allow(store: str, tmp_path: Path) -> None:
    seen: list[str] = []
    with fake_server(lambda h, _: (seen.append(h.path), reply(h, 200, EMPTY_RESULTS, JSON))) as base:
        for text in (f"SELECT * {{ SERVICE <{base}/sparql> {{ ?s ?p ?o }} }}",
                     f"select * {{ service silent <{base}/sparql> {{ ?s ?p ?o }} }}",
                     "SELECT * { SERVICE ?where { ?s ?p ?o } VALUES ?where { <" + base + "/sparql> } }"):
            rq = tmp_path / "service.rq"
            rq.write_text(text + "\n", encoding="utf-8")
            code, out, err = cli("query", str(rq), "--store", store, "--timeout", "20")
            assert (code, out) == (2, "") and "makes no request but to the endpoints you allow" in one_error_line(err)
    assert seen == []


def test_an_allowed_service_is_called(tmp_path: Path) -> None:
    seen: list[str] = []
    with fake_server(lambda h, _: (seen.append(h.command), reply(h, 200, EMPTY_RESULTS, JSON))) as base:
        rq = tmp_path / "service.rq"
        rq.write_text(f"SELECT ?x {{ SERVICE <{base}/sparql> {{ ?x ?p ?o }} }}\n", encoding="utf-8")
        code, _, err = cli("query", str(rq), "--allow-service", f"{base}/sparql", "--timeout", "20")
    assert code == 0, err
    assert seen, "the allowed endpoint was not called"


def test_words_that_look_like_service_are_not_refused(tmp_path: Path) -> None:
    rq = tmp_path / "words.rq"
    rq.write_text('# SERVICE <http://127.0.0.1:9/x>\nPREFIX ex: <http://example.org/>\n'
                  'SELECT ?service { BIND("SERVICE <http://127.0.0.1:9/x>" AS ?service) ex:SERVICE ?p ?o }\n',
                  encoding="utf-8")
    code, _, err = cli("query", str(rq), "--timeout", "20")
    assert code == 0, err


def test_a_remote_jsonld_context_is_not_fetched(tmp_path: Path) -> None:
    seen: list[str] = []
    with fake_server(lambda h, _: (seen.append(h.path), reply(h, 200, b'{"@context": {}}', "application/ld+json"))) \
            as base:
        doc = tmp_path / "data.jsonld"
        doc.write_text(json.dumps({"@context": f"{base}/context.jsonld", "@id": "http://example.org/a",
                                   "name": "x"}), encoding="utf-8")
        done = gcmkg("validate", str(doc))
    assert done.returncode == 2, done.stderr
    assert str(doc) in one_error_line(done.stderr)
    assert seen == []


# ------------------------------------------------------------------------------------------- printing


def test_a_servers_terminal_escapes_are_not_printed() -> None:
    body = b"\x1b]0;pwned\x07\x1b[31mboom\x1b[0m \x1b[2J"
    with fake_server(lambda h, _: reply(h, 500, body, "text/plain")) as base:
        code, _, err = cli("query", "objectives", "--endpoint", f"{base}/query", "--timeout", "10")
    assert code == 2 and "boom" in err
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", err.replace("\n", ""))


# ----------------------------------------------------------------------------------------- wrong folders


@pytest.mark.parametrize("argv", [
    ("publish", "--store", "http://127.0.0.1:9/store", "--graph", "/nonexistent"),
    ("export", "--graph", "graph/sources"),
    ("describe", "--graph", "/nonexistent"),
    ("query", "objectives", "--data", "graph/sources"),
])
def test_a_folder_without_built_graphs_is_an_input_error(argv: tuple[str, ...]) -> None:
    done = gcmkg(*argv)
    assert done.returncode == 2 and done.stdout == ""
    one_error_line(done.stderr)


def test_an_ill_typed_parameter_is_a_usage_error() -> None:
    done = gcmkg("query", "objective-coverage", "--param", 'objective="x"^^<http://www.w3.org/2001/XMLSchema#integer>')
    assert done.returncode == 2 and "is not a valid" in one_error_line(done.stderr) and done.stdout == ""


# ------------------------------------------------------------------------------------------ publishing


def test_a_graph_the_server_holds_is_not_called_unpublished() -> None:
    """The server takes every graph, but drops the connection instead of answering one PUT: publish asks the
    server what it holds before calling that graph unpublished."""
    held: dict[str, int] = {}
    lock = threading.Lock()

    def respond(handler: BaseHTTPRequestHandler, body: bytes) -> None:
        if handler.command == "PUT":
            graph = parse_qs(urlsplit(handler.path).query)["graph"][0]
            with lock:
                held[graph] = len({line for line in body.decode().splitlines() if line.strip()})
                rude = len(held) == 2
            if rude:
                handler.close_connection = True  # all of it taken, no answer
                return
            reply(handler, 204)
        else:
            query = parse_qs(body.decode()).get("query", [""])[0]
            graph = re.search(r"GRAPH <([^>]+)>", query).group(1)
            n = held.get(graph, 0)
            reply(handler, 200, json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": [
                {"n": {"type": "literal", "value": str(n),
                       "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}}).encode(), JSON)

    with fake_server(respond) as base:
        code, out, err = cli("publish", "--store", f"{base}/store", "--timeout", "10")
    assert code == 0, err
    assert "but the server holds all its" in err and "published" in out
