"""`gcmkg serve` over HTTP: every IRI of the build dereferenceable (303 then 200, HTML and RDF re-parsed), content
negotiation, the pages, the SPARQL 1.1 Protocol endpoint and what it refuses, a runaway query stopped at its
deadline while others are answered, and bad command lines (exit 2, one line)."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from gcmkg.linkeddata import BASE, Served, negotiate
from webserver import GCMKG, ROOT, free_port, running

DEADLINE = 3.0


@pytest.fixture(scope="module")
def base() -> str:
    with running("--timeout", str(DEADLINE), "--max-answer-bytes", "1000000", "--workers", "2") as url:
        yield url


@pytest.fixture(scope="module")
def client(base: str) -> httpx.Client:
    with httpx.Client(base_url=base, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def served() -> Served:
    return Served(ROOT / "graph", ROOT)


def graph_iris() -> list[str]:
    """Every IRI under the base that a built graph file names, as subject or object (the download URLs of
    void.ttl apart: files, tested below)."""
    found: set[str] = set()
    for path in sorted((ROOT / "graph").glob("*.ttl")):
        for triple in ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE):
            for term in (triple.subject, triple.object):
                if isinstance(term, ox.NamedNode) and term.value.startswith(BASE) \
                        and not term.value.startswith(BASE + "download/"):
                    found.add(term.value)
    return sorted(found)


def test_every_iri_answers_html_and_turtle(base: str) -> None:
    """303 to the page, the page 200, the Turtle document 200 and about the IRI, for every IRI of the build."""
    iris = graph_iris()
    assert len(iris) > 500
    local = threading.local()
    host, port = base.removeprefix("http://").split(":")

    def get(path: str, accept: str) -> tuple[int, str, bytes]:
        if not hasattr(local, "conn"):  # one keep-alive connection per thread: the check is many small requests
            local.conn = http.client.HTTPConnection(host, int(port), timeout=30)
        local.conn.request("GET", path, headers={"Accept": accept})
        answer = local.conn.getresponse()
        return answer.status, answer.getheader("Location") or answer.getheader("Content-Type") or "", answer.read()

    def check(iri: str) -> str | None:
        path = "/" + iri[len(BASE):].split("#")[0]
        status, location, _ = get(path, "text/html")
        if status != 303 or location != path + ".html":
            return f"{path}: HTML {status} {location}"
        status, _, body = get(location, "text/html")
        if status != 200 or b"<h1>" not in body:
            return f"{path}.html: {status}"
        status, media, body = get(path + ".ttl", "text/turtle")
        if status != 200 or not media.startswith("text/turtle"):
            return f"{path}.ttl: {status}"
        named = {t.value for triple in ox.parse(body, format=ox.RdfFormat.TURTLE)
                 for t in (triple.subject, triple.object) if isinstance(t, ox.NamedNode)}
        # a hash IRI (…/ontology#Actor, the namespace …/ontology#) is described by its document, the ontology
        return None if iri in named or iri.split("#")[0] in named else f"{path}.ttl does not mention {iri}"

    with ThreadPoolExecutor(2) as pool:
        problems = [p for p in pool.map(check, iris) if p]
    assert problems == []


@pytest.mark.parametrize("path", ["/id/state/DNK", "/id/objective/7", "/id/review/ece-2024/session/2",
                                  "/id/review/ece-2024/report/paragraph/14", "/ontology", "/dataset",
                                  "/reference/states", "/id/sdg-mapping/18-4.b"])
@pytest.mark.parametrize("media, fmt", [("text/turtle", ox.RdfFormat.TURTLE),
                                        ("application/ld+json", ox.RdfFormat.JSON_LD),
                                        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                                        ("application/rdf+xml", ox.RdfFormat.RDF_XML)])
def test_content_negotiation_gives_parseable_rdf(client: httpx.Client, path: str, media: str,
                                                 fmt: ox.RdfFormat) -> None:
    thing = client.get(path, headers={"Accept": media})
    assert thing.status_code == 303
    assert "Accept" in thing.headers["vary"]
    assert f'<{BASE}{path[1:]}>; rel="canonical"' in thing.headers["link"]
    doc = client.get(thing.headers["location"])
    assert doc.status_code == 200
    assert doc.headers["content-type"].split(";")[0] == media
    assert 'rel="alternate"' in doc.headers["link"]
    triples = list(ox.parse(doc.content, format=fmt, base_iri=BASE))
    assert triples
    assert any(t.subject.value.startswith(BASE + path[1:]) for t in triples if isinstance(t.subject, ox.NamedNode))
    same = client.get(f"{thing.headers['location']}")  # by extension: the same bytes
    assert same.content == doc.content


def test_jsonld_uses_our_context(client: httpx.Client) -> None:
    doc = client.get("/id/state/DNK.jsonld").json()
    context = json.loads((ROOT / "graph" / "context.jsonld").read_text())["@context"]
    assert doc["@context"] == context
    assert any(node["@id"] in ("id:state/DNK", BASE + "id/state/DNK") for node in doc["@graph"])


def test_negotiation_edge_cases(client: httpx.Client) -> None:
    assert negotiate("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8") == "html"
    assert negotiate("application/rdf+xml;q=0.5, text/turtle") == "ttl"
    assert negotiate("*/*") == "html"
    assert client.get("/id/state/DNK", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/id/state/XXX").status_code == 404
    assert client.get("/id/state/XXX.ttl").status_code == 404
    assert client.get("/id/state/DNK.exe").status_code == 404
    # a hash IRI's document is its path's: the ontology
    ontology = client.get("/ontology", headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert "gcm:Contribution" in ontology.text or "ontology#Contribution" in ontology.text
    assert "Contribution" in client.get("/ontology.html").text


def test_pages(client: httpx.Client) -> None:
    actor = client.get("/id/state/DNK.html", headers={"Accept-Language": "en"}).text
    assert "<h1>Denmark</h1>" in actor
    assert 'href="/id/review/ece-2024/report/paragraph/14"' in actor  # the source paragraph, linked
    assert "occasion d&#39;examiner" in actor  # ... and quoted
    assert "Participations" in actor
    objective = client.get("/id/objective/7.html").text
    assert "Actors engaged, by review and role" in objective and "Kazakhstan" in objective
    session = client.get("/id/review/ece-2024/session/2.html").text
    assert "Roles in this session" in session and "Objectives covered" in session
    paragraph = client.get("/id/review/ece-2024/report/paragraph/14.html").text
    assert "Facts drawn from this paragraph" in paragraph
    review = client.get("/id/review/ece-2024.html").text
    assert "2024-03-11" in review and "Summary" in review
    assert 'href="/ontology.html#Contribution"' in session  # ontology terms link to the documentation


def test_language(client: httpx.Client) -> None:
    fr = client.get("/id/state/DNK.html", headers={"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.8"})
    assert "<h1>Danemark</h1>" in fr.text and '<html lang="fr">' in fr.text
    assert "Accept-Language" in fr.headers["vary"]
    with httpx.Client(base_url=str(client.base_url)) as c:
        switched = c.get("/id/state/DNK.html?lang=fr")
        assert "<h1>Danemark</h1>" in switched.text
        assert c.get("/id/state/DNK.html").text.count("<h1>Danemark</h1>") == 1  # the cookie remembers


def test_home_search_queries_charts(client: httpx.Client) -> None:
    home = client.get("/").text
    assert "15337" in home or "Triples" in home
    assert 'id="form-actor-sessions"' in home
    hits = client.get("/search", params={"q": "danemark"}).text
    assert 'href="/id/state/DNK"' in hits
    assert 'href="/id/state/DNK"' in client.get("/search", params={"q": "Denmark"}).text
    result = client.get("/query/actor-sessions", params={"actor": "Danemark"})
    assert result.status_code == 200 and "DNK" in result.text
    data = client.get("/query/actor-sessions.csv", params={"actor": "DNK"})
    assert data.text.splitlines()[0].startswith("actor,") and len(data.text.splitlines()) > 2
    assert client.get("/query/actor-sessions.json", params={"actor": "DNK"}).json()["results"]["bindings"]
    # the rows' labels follow the page's language, as `gcmkg query --lang` does
    english = client.get("/query/participants", params={"lang": "en"}).text
    french = client.get("/query/participants", params={"lang": "fr"}).text
    assert ">Denmark<" in english and ">Danemark<" not in english
    assert ">Danemark<" in french and ">Denmark<" not in french
    bad = client.get("/query/actor-sessions", params={"actor": "Atlantis"})
    assert bad.status_code == 400 and "Atlantis" in bad.text
    for name in ("heatmap", "coverage", "sessions"):
        page = client.get(f"/charts/{name}", params={"review": "ece-2024"})
        assert page.status_code == 200 and "<svg" in page.text
        rows = client.get(f"/charts/{name}.json", params={"review": "ece-2024"}).json()["rows"]
        assert rows
        assert client.get(f"/charts/{name}.csv").status_code == 200
    states = client.get("/charts/heatmap.json", params={"type": "states"}).json()["rows"]
    assert all("/state/" in row[0] for row in states)


def test_downloads_of_the_description(client: httpx.Client, served: Served) -> None:
    for path in sorted(served.downloads):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert len(answer.content) > 1000
    assert client.get("/context.jsonld").json()["@context"]["gcm"] == BASE + "ontology#"


# ---------------------------------------------------------------------------------------------- SPARQL

SELECT = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <https://w3id.org/gcmkg/ontology#State> }"


@pytest.fixture(scope="module")
def states(served: Served) -> str:
    """How many states the reference graph has (the answer SELECT must give), from the embedded store."""
    return next(iter(served.store.query(SELECT, use_default_graph_as_union=True)))["n"].value


@pytest.mark.parametrize("accept, media", [("application/sparql-results+json", "application/sparql-results+json"),
                                           ("application/sparql-results+xml", "application/sparql-results+xml"),
                                           ("text/csv", "text/csv"), ("text/tab-separated-values",
                                                                      "text/tab-separated-values")])
def test_sparql_select_formats(client: httpx.Client, accept: str, media: str, states: str) -> None:
    answer = client.get("/sparql", params={"query": SELECT}, headers={"Accept": accept})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(media)
    if media == "text/csv":  # lossy: pyoxigraph does not read it back
        assert answer.text.split() == ["n", states]
        return
    results = ox.parse_query_results(answer.content, format=ox.QueryResultsFormat.from_media_type(media))
    assert next(iter(results))["n"].value == states


def test_sparql_protocol(client: httpx.Client, states: str) -> None:
    posted = client.post("/sparql", content=SELECT, headers={"Content-Type": "application/sparql-query"})
    assert posted.json()["results"]["bindings"][0]["n"]["value"] == states
    form = client.post("/sparql", data={"query": SELECT, "format": "csv"})
    assert form.text.splitlines()[1] == states
    construct = client.get("/sparql", params={"query": "CONSTRUCT WHERE { <https://w3id.org/gcmkg/id/state/DNK> ?p ?o }"},
                           headers={"Accept": "text/turtle"})
    assert construct.headers["content-type"].startswith("text/turtle")
    assert list(ox.parse(construct.content, format=ox.RdfFormat.TURTLE))
    jsonld = client.get("/sparql", params={"query": "DESCRIBE <https://w3id.org/gcmkg/id/state/DNK>",
                                           "format": "jsonld"})
    assert list(ox.parse(jsonld.content, format=ox.RdfFormat.JSON_LD))
    # each source a named graph; default-graph-uri narrows the default graph
    graphs = client.get("/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"}).json()
    names = {b["g"]["value"] for b in graphs["results"]["bindings"]}
    assert {BASE + "ontology", BASE + "reference/states", BASE + "dataset"} <= names
    only = client.get("/sparql", params={"query": SELECT, "default-graph-uri": BASE + "ontology"}).json()
    assert only["results"]["bindings"][0]["n"]["value"] == "0"
    ask = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()
    assert ask["boolean"] is True


def test_service_description(client: httpx.Client) -> None:
    answer = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    triples = list(ox.parse(answer.content, format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert any(t.object == ox.NamedNode(sd + "Service") for t in triples)
    assert any(t.predicate == ox.NamedNode(sd + "name") and t.object.value == BASE + "ontology" for t in triples)
    assert "<form" in client.get("/sparql", headers={"Accept": "text/html"}).text


@pytest.mark.parametrize("request_kwargs, status, words", [
    ({"params": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}}, 403, "read-only"),
    ({"params": {"query": "PREFIX x: <urn:x#>\n# a comment\nDELETE WHERE { ?s ?p ?o }"}}, 403, "read-only"),
    ({"params": {"query": "LOAD <http://example.org/data.ttl>"}}, 403, "LOAD"),
    ({"params": {"update": "CLEAR ALL"}}, 403, "read-only"),
    ({"params": {"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}}, 400, "SERVICE"),
    ({"params": {"query": "SELECT * WHERE { ?s ?p "}}, 400, "syntax"),
    ({"params": {"query": SELECT, "format": "png"}}, 400, "format"),
    ({"params": {"query": "SELECT * WHERE { ?s ?p ?o }"}}, 422, "larger than"),
])
def test_sparql_refusals(client: httpx.Client, request_kwargs: dict, status: int, words: str) -> None:
    answer = client.get("/sparql", **request_kwargs)
    assert answer.status_code == status
    assert words in answer.text
    assert "Traceback" not in answer.text


def test_sparql_update_by_post_refused(client: httpx.Client) -> None:
    answer = client.post("/sparql", content="DROP ALL", headers={"Content-Type": "application/sparql-update"})
    assert answer.status_code == 403
    assert client.post("/sparql", data={"update": "DROP ALL"}).status_code == 403


def test_cors(client: httpx.Client) -> None:
    answer = client.get("/sparql", params={"query": SELECT}, headers={"Origin": "https://example.org"})
    assert answer.headers["access-control-allow-origin"] == "*"
    preflight = client.options("/sparql", headers={"Origin": "https://example.org",
                                                   "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_runaway_query_stopped_while_others_answered(client: httpx.Client) -> None:
    """A cross product is stopped at its deadline; pages and other queries are answered meanwhile, and after."""
    hostile = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    outcome: dict[str, object] = {}

    def attack() -> None:
        start = time.monotonic()
        with httpx.Client(base_url=str(client.base_url), timeout=60) as c:
            outcome["answer"] = c.get("/sparql", params={"query": hostile})
        outcome["seconds"] = time.monotonic() - start

    thread = threading.Thread(target=attack)
    thread.start()
    time.sleep(0.3)
    slowest = 0.0
    while thread.is_alive():
        start = time.monotonic()
        assert client.get("/id/objective/3.html").status_code == 200
        assert client.get("/sparql", params={"query": SELECT}).status_code == 200
        slowest = max(slowest, time.monotonic() - start)
        time.sleep(0.1)
    thread.join()
    answer = outcome["answer"]
    assert answer.status_code == 504 and "deadline" in answer.text  # type: ignore[attr-defined]
    assert outcome["seconds"] < DEADLINE + 3
    assert slowest < 2.0
    time.sleep(0.5)
    for _ in range(3):  # the stopped worker is replaced: the endpoint goes on answering
        assert client.get("/sparql", params={"query": SELECT}).status_code == 200


# ---------------------------------------------------------------------------------------------- command line


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(GCMKG), *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_bad_data_folder_is_exit_2(tmp_path: Path) -> None:
    done = run_cli("serve", "--data", str(tmp_path / "missing"), "--port", str(free_port()))
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
    empty = run_cli("serve", "--data", str(tmp_path), "--port", str(free_port()))
    assert empty.returncode == 2 and "Traceback" not in empty.stderr


def test_port_in_use_is_exit_2(base: str) -> None:
    port = base.rsplit(":", 1)[1]
    done = run_cli("serve", "--port", port)
    assert done.returncode == 2
    assert "in use" in done.stderr and "Traceback" not in done.stderr
    assert run_cli("serve", "--host", "no-such-host.invalid").returncode == 2
    assert run_cli("serve", "--timeout", "0").returncode == 2


def test_module_runs_without_the_server() -> None:
    """The CLI's parser builds without importing the web stack (a plain `gcmkg query` stays light)."""
    code = "import sys, gcmkg.cli; gcmkg.cli.parser(); print('starlette' in sys.modules, 'jinja2' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.split() == ["False", "False"]


def test_sparql_page_for_people(client: httpx.Client, states: str) -> None:
    table = client.post("/sparql", data={"query": SELECT, "format": "html"})
    assert table.status_code == 200 and "<table" in table.text and f">{states}<" in table.text
    followed = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "text/html,*/*;q=0.8"})
    assert "<table" in followed.text
    refused = client.post("/sparql", data={"query": "SELECT * WHERE { ?s ?p ", "format": "html"})
    assert refused.status_code == 400 and 'class="error"' in refused.text
    huge = client.post("/sparql", content=b"#" * (2 * 1024 * 1024), headers={"Content-Type": "application/sparql-query"})
    assert huge.status_code == 413


def test_paragraph_pager(client: httpx.Client) -> None:
    page = client.get("/id/review/ece-2024/report/paragraph/14.html").text
    assert 'href="/id/review/ece-2024/report/paragraph/13"' in page
    assert 'href="/id/review/ece-2024/report/paragraph/15"' in page


def test_port_0_picks_a_free_port_and_says_which() -> None:
    process = subprocess.Popen([str(GCMKG), "serve", "--port", "0", "--workers", "1"], cwd=ROOT,
                               stderr=subprocess.PIPE, text=True)
    try:
        line = process.stderr.readline()
        url = line.split(" at ", 1)[1].split()[0]
        assert not url.endswith(":0/")
        start = time.perf_counter()
        answer = httpx.get(url + "id/state/DNK.ttl", timeout=30)
        assert answer.status_code == 200
        assert time.perf_counter() - start < 1.0
    finally:
        process.terminate()
        process.wait(20)


def children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs Linux /proc")
def test_workers_die_with_a_killed_server() -> None:
    """A server killed outright (kill -9) in the middle of a runaway query leaves no worker behind."""
    port = free_port()
    server = subprocess.Popen([str(GCMKG), "serve", "--port", str(port), "--workers", "2", "--timeout", "120"],
                              cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr.readline().startswith("gcmkg: serving")
        workers = children(server.pid)
        assert len(workers) >= 2
        hostile = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        with pytest.raises(httpx.TimeoutException):
            httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": hostile}, timeout=1)
    finally:
        server.kill()
        server.wait()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = [pid for pid in workers if Path(f"/proc/{pid}/stat").is_file()
             and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
    assert alive == []
