"""`gcmkg publish`: put the whole graph on a triplestore, one named graph per source, and check that it arrived.

The graphs are those of `gcmkg export` (TriG/N-Quads), with the same IRIs:

| source | named graph |
|---|---|
| `ontology/gcm.owl.ttl` | `https://w3id.org/gcmkg/ontology` |
| `ontology/reference/<stem>.ttl` | `https://w3id.org/gcmkg/reference/<stem>` |
| `graph/<stem>.ttl` | `https://w3id.org/gcmkg/graph/<stem>` |
| `graph/<stem>-inferred.ttl` | `https://w3id.org/gcmkg/graph/<stem>-inferred` |

Each is sent with the SPARQL 1.1 Graph Store HTTP Protocol: ``PUT <store>?graph=<IRI>`` with an N-Triples body
(every IRI absolute, so no base IRI is involved, and every store reads it), which replaces the graph: publishing
twice leaves the server as publishing once. Graphs the build no longer has are left alone. The sources share no
triple, so a server whose default graph is the union of its named graphs without merging duplicates (Oxigraph
``--union-default-graph``) still answers the canned queries as the embedded store does.

Then each graph's triple count on the server (``SELECT (COUNT(*) AS ?n) WHERE { GRAPH <g> { ?s ?p ?o } }`` on
the query endpoint) is compared with the local count. The query endpoint defaults to the sibling ``query`` of
the store URL, which is right for Oxigraph (``--store http://host:7878/store``, queries at ``/query``) and for
Fuseki (``--store http://host:3030/<dataset>/data``; ``/<dataset>/query`` and ``/<dataset>/sparql`` both
answer). Elsewhere give it: GraphDB ``--store http://host:7200/repositories/<repo>/rdf-graphs/service
--query-endpoint http://host:7200/repositories/<repo>``; Virtuoso ``--store
http://host:8890/sparql-graph-crud --query-endpoint http://host:8890/sparql``, once its anonymous user may write
(``GRANT SPARQL_UPDATE TO "SPARQL";``; tests/virtuoso.py). Virtuoso's ``/sparql-graph-crud-auth`` takes HTTP
Digest only, which publish does not send: every PUT is 401.

HTTP basic credentials come from the environment only (``GCMKG_ENDPOINT_USER``, ``GCMKG_ENDPOINT_PASSWORD``),
as for `gcmkg query --endpoint`.

Exit codes: 0 every graph published and its count checked; 2 usage or input error, a server that is down,
refuses a graph (4xx/5xx), stops answering mid-way (the message names the graphs published and those not) or
holds other counts than ours.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import pyoxigraph as ox

from . import dataset, export, net
from .errors import InputError
from .query import seconds
from .tables import table
from .reference import project_root
from .store import DEFAULT_TIMEOUT, EndpointStore, StoreError, check_url, endpoint_credentials, network_error

MEDIA_TYPE = "application/n-triples"
COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"


@dataclass(frozen=True)
class Part:
    """One named graph to publish: its IRI, the file it comes from, its N-Triples, its number of triples."""

    graph: str
    source: str
    data: bytes
    triples: int


class PublishError(Exception):
    """The server failed part-way: the message, and which graphs made it."""

    def __init__(self, message: str, published: list[Part], unpublished: list[Part]) -> None:
        super().__init__(message)
        self.published = published
        self.unpublished = unpublished


# ----------------------------------------------------------------------------------------------- local side


def shown(path: Path, root: Path) -> str:
    """A file as messages name it: relative to the project when it is inside."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def parts(root: Path, graph_dir: Path) -> list[Part]:
    """Every graph to publish, parsed (a broken file stops everything before the first upload) and counted as
    a triplestore counts: a graph is a set of triples. The N-Triples come from the dataset, whose terms are the
    files' own (an Oxigraph store would send `"1"^^xsd:positiveInteger` as `"1"^^xsd:integer`)."""
    out = []
    for source in export.sources(root, graph_dir):
        path = Path(source.name)  # the ontology's files come with their path, the reports with their name
        name = shown(path if path.is_absolute() else graph_dir / path, root)
        ds = dataset.parse_into(ox.Dataset(), source.data, source.graph, name)
        triples = dataset.union(ds)
        out.append(Part(source.graph, name, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), len(triples)))
    return out


# ---------------------------------------------------------------------------------------------- server side


def query_endpoint(store_url: str) -> str:
    """The store URL's sibling `query`: http://h:7878/store -> http://h:7878/query (Oxigraph), and
    http://h:3030/ds/data -> http://h:3030/ds/query (Fuseki)."""
    scheme, netloc, path, _, _ = urlsplit(store_url)
    return urljoin(urlunsplit((scheme, netloc, path.rstrip("/") or "/", "", "")), "query")


def graph_url(store_url: str, graph: str) -> str:
    return store_url + ("&" if urlsplit(store_url).query else "?") + urlencode({"graph": graph})


def auth_header(credentials: tuple[str, str] | None) -> dict[str, str]:
    if not credentials:
        return {}
    token = base64.b64encode(":".join(credentials).encode("utf-8")).decode("ascii")
    return {"Authorization": f"Basic {token}"}


def put(store_url: str, part: Part, timeout: float, credentials: tuple[str, str] | None) -> None:
    """Replace one named graph on the server (Graph Store HTTP Protocol) within `timeout` as a whole, redirected
    only within the store's origin (`net`), or OSError/HTTPException."""
    request = urllib.request.Request(graph_url(store_url, part.graph), data=part.data, method="PUT",
                                     headers={"Content-Type": MEDIA_TYPE, **auth_header(credentials)})

    def exchange() -> None:
        with net.OPENER.open(request, timeout=timeout) as response:
            net.read_capped(response)

    net.within(timeout, exchange)


def upload(store_url: str, query_url: str, graphs: list[Part], timeout: float,
           credentials: tuple[str, str] | None) -> None:
    """Put every graph; a PUT that fails is checked with the server before it is called a failure: a server may
    close the connection after it has taken the whole graph. A 4xx is the server's refusal and fails at once: the
    graph it holds may be an earlier publication with as many triples (Virtuoso's /sparql-graph-crud-auth
    answers every PUT with Basic credentials 401)."""
    for i, part in enumerate(graphs):
        try:
            put(store_url, part, timeout, credentials)
        except (OSError, http.client.HTTPException, ValueError) as err:  # HTTPError, URLError are OSErrors
            reason = network_error(err, timeout)
            refused = (isinstance(err, urllib.error.HTTPError) and 400 <= err.code < 500) or \
                isinstance(err, net.RedirectRefused)  # never sent where it was meant to go
            try:
                arrived = not refused and server_counts(query_url, [part], timeout, credentials) == [part.triples]
            except StoreError:
                arrived = False
            if not arrived:
                raise PublishError(f"{store_url}: {reason} (putting <{part.graph}> from {part.source})",
                                   graphs[:i], graphs[i:]) from None
            print(f"warning: {store_url}: {reason} (putting <{part.graph}>), but the server holds all its "
                  f"{part.triples} triples", file=sys.stderr)


def server_counts(query_url: str, graphs: list[Part], timeout: float,
                  credentials: tuple[str, str] | None) -> list[int | None]:
    endpoint = EndpointStore(query_url, timeout=timeout, credentials=credentials)
    counts: list[int | None] = []
    for part in graphs:
        result = endpoint.query(COUNT_QUERY.format(graph=part.graph))
        try:
            counts.append(int(result.rows[0][0]))
        except (IndexError, TypeError, ValueError):
            counts.append(None)
    return counts


# ------------------------------------------------------------------------------------------------------ CLI


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = ("Upload the ontology, the reference graph and every built report (asserted and inferred), "
                     "each as its own named graph, to a SPARQL 1.1 Graph Store, replacing what those graphs held; "
                     "then check each graph's triple count on the server. Credentials (HTTP basic), if needed, "
                     "from GCMKG_ENDPOINT_USER and GCMKG_ENDPOINT_PASSWORD.")
    p.add_argument("--store", required=True, metavar="URL",
                   help="the Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store (Oxigraph) or "
                        "http://127.0.0.1:3030/DATASET/data (Fuseki)")
    p.add_argument("--query-endpoint", metavar="URL",
                   help="the SPARQL query endpoint that checks the counts (default: the store URL's sibling "
                        "'query', e.g. http://127.0.0.1:7878/query)")
    p.add_argument("--graph", type=Path, metavar="DIR", help="folder of the built report graphs (default: graph/)")
    p.add_argument("--timeout", type=seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"give up on a request after this many seconds without an answer (default: "
                        f"{DEFAULT_TIMEOUT:g})")


def iri_list(graphs: list[Part]) -> str:
    return ", ".join(f"<{p.graph}>" for p in graphs)


def run(args: argparse.Namespace) -> int:
    root = project_root()
    try:
        store_url = check_url(args.store)
        query_url = check_url(args.query_endpoint or query_endpoint(store_url))
        credentials = endpoint_credentials()
        graphs = parts(root, args.graph or root / "graph")
    except (InputError, StoreError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    try:
        upload(store_url, query_url, graphs, args.timeout, credentials)
    except PublishError as err:
        print(f"error: {err}", file=sys.stderr)
        done = f": {iri_list(err.published)}" if err.published else ""
        print(f"error: published {len(err.published)} of {len(graphs)} graphs{done}", file=sys.stderr)
        print(f"error: not published: {iri_list(err.unpublished)}", file=sys.stderr)
        return 2
    try:
        counts = server_counts(query_url, graphs, args.timeout, credentials)
    except StoreError as err:
        print(f"error: all {len(graphs)} graphs were put on {store_url}, but their triples could not be counted: "
              f"{err} (give the query endpoint with --query-endpoint)", file=sys.stderr)
        return 2
    rows = []
    for part, count in zip(graphs, counts):
        status = "OK" if count == part.triples else f"server has {'?' if count is None else count}"
        rows.append([part.graph, part.source, str(part.triples), status])
    sys.stdout.write(table(["graph", "source", "triples", "status"], rows, [False, False, True, False]))
    wrong = [(p, c) for p, c in zip(graphs, counts) if c != p.triples]
    for part, count in wrong:
        print(f"error: <{part.graph}>: {query_url} counts {'no' if count is None else count} triples, "
              f"{part.source} has {part.triples}", file=sys.stderr)
    if wrong:
        return 2
    print(f"published {len(graphs)} graphs to {store_url}; triple counts checked on {query_url}")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="gcmkg publish")
    add_arguments(p)
    try:
        args = p.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
