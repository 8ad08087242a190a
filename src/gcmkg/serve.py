"""`gcmkg serve`: the graph on the web, read-only: every IRI under https://w3id.org/gcmkg/ at the same path with
content negotiation, HTML pages and charts, the canned queries as forms, and a SPARQL 1.1 Protocol endpoint.

| path | answer |
|---|---|
| `/` | home page: the dataset description (void.ttl), search, the canned queries as forms |
| `/X` (an IRI `https://w3id.org/gcmkg/X` of the graph) | 303 See Other to `/X.html`, `/X.ttl`, `/X.jsonld`, `/X.nt` or `/X.rdf` by the Accept header (Cool URIs for the Semantic Web); 406 when none fits |
| `/X.html`, `/X.ttl`, ... | 200: the page or the RDF document (`linkeddata`), `Link` headers to the alternates, `Vary` |
| `/ontology.html` | the ontology documentation (graph/docs/) |
| `/sparql` | SPARQL 1.1 Protocol (GET, POST form or body); the service description without a query (`endpoint`) |
| `/search?q=`, `/query/NAME`, `/charts/NAME` (`.csv`, `.json`) | search by label, a canned query, a chart, and the data behind each |
| `/download/FILE`, `/context.jsonld` | the distributions void.ttl names, the JSON-LD context |

The language of a page is `?lang=en|fr`, else the cookie the switch sets, else Accept-Language. Responses allow
any origin (CORS), so browser clients can query the endpoint and fetch the RDF.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import socket
import sys
from pathlib import Path
from urllib.parse import parse_qs

from . import chartdata, endpoint, linkeddata
from .errors import UsageError
from .linkeddata import BY_EXT, DOC_FORMATS, Served, negotiate
from .reference import project_root

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
#: The largest request body /sparql reads (a query of a megabyte is an attack, not a question).
MAX_REQUEST_BYTES = 1024 * 1024


def create_app(served: Served, pool: endpoint.Pool | None, max_bytes: int = endpoint.DEFAULT_MAX_BYTES):  # noqa: ANN201, C901
    """The Starlette application (a pool of SPARQL workers, or None to answer /sparql with 503)."""
    import anyio.to_thread
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.requests import Request
    from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
    from starlette.routing import Route

    from .pages import Pages
    from .weblinks import LANGUAGES, ONTOLOGY_PATH, pick_language

    pages = Pages(served)
    static = Path(__file__).parent / "static"

    def lang_of(request: Request) -> str:
        return pick_language(request.query_params.get("lang"), request.cookies.get("lang"),
                             request.headers.get("accept-language"))

    def html(request: Request, body: str, status: int = 200, headers: dict | None = None) -> Response:
        response = HTMLResponse(body, status, headers=headers)
        response.headers["Vary"] = "Accept, Accept-Language, Cookie"
        chosen = request.query_params.get("lang")
        if chosen in LANGUAGES:  # the switch: remembered for the pages that follow
            response.set_cookie("lang", chosen, max_age=365 * 86400, samesite="lax")
        return response

    def alternates(path: str) -> str:
        links = [f'<{path}.{f.ext}>; rel="alternate"; type="{f.media_type}"' for f in DOC_FORMATS.values()]
        return ", ".join([f'<{linkeddata.path_iri(path)}>; rel="canonical"', *links])

    def not_found(request: Request) -> Response:
        if negotiate(request.headers.get("accept")) == "html":
            return html(request, pages.not_found(lang_of(request), request.url.path), 404)
        return PlainTextResponse(f"not found: {request.url.path}\n", 404)

    async def home(request: Request) -> Response:
        return html(request, pages.home(lang_of(request)))

    async def search(request: Request) -> Response:
        return html(request, pages.search(request.query_params.get("q", "")[:200], lang_of(request)))

    async def charts_index(request: Request) -> Response:
        return html(request, pages.charts_index(lang_of(request)))

    async def chart(request: Request) -> Response:
        name, _, ext = request.path_params["name"].partition(".")
        review = request.query_params.get("review", "")[:100]
        kind = request.query_params.get("type", "")
        if name not in chartdata.NAMES or ext not in ("", "csv", "json") or kind not in ("", *chartdata.KINDS):
            return not_found(request)
        lang = lang_of(request)
        if ext:
            header, rows = pages.chart_data(name, review, kind, lang)
            media = "text/csv; charset=utf-8" if ext == "csv" else "application/json"
            return Response(pages.table_bytes(header, rows, ext), media_type=media)
        return html(request, pages.chart_page(name, review, kind, lang))

    async def canned(request: Request) -> Response:
        from .query import UsageError as QueryUsageError, csv_chunks, json_chunks
        from .store import QuerySyntaxError

        name, _, ext = request.path_params["name"].partition(".")
        q = pages.find(name)
        if q is None or ext not in ("", "csv", "json"):
            return not_found(request)
        values = {p: request.query_params.get(p, "")[:300] for p in (q.params or ())}
        lang = lang_of(request)
        try:
            result = await anyio.to_thread.run_sync(pages.run_query, q, values, lang)
        except (QueryUsageError, UsageError, QuerySyntaxError) as err:
            if ext:
                return PlainTextResponse(f"{err}\n", 400)
            return html(request, pages.query_page(q, values, lang, None, str(err)), 400)
        if ext == "csv":
            return Response("".join(csv_chunks(result)), media_type="text/csv; charset=utf-8")
        if ext == "json":
            return Response("".join(json_chunks(result)), media_type="application/sparql-results+json")
        return html(request, pages.query_page(q, values, lang, result))

    async def ontology_docs(request: Request) -> Response:
        return html(request, pages_docs())

    docs_page: list[str] = []

    def pages_docs() -> str:
        """The ontology documentation of the data folder (graph/docs/), its links to our IRIs made local."""
        if not docs_page:
            docs = served.data_dir / "docs" / "index.html"
            if docs.is_file():
                text = docs.read_text(encoding="utf-8")
            else:
                from .docs import render_project
                text = render_project(served.root).decode("utf-8")
            docs_page.append(text.replace('href="https://w3id.org/gcmkg/', 'href="/'))
        return docs_page[0]

    async def download(request: Request) -> Response:
        name = request.path_params["name"]
        data = served.download(name)
        if data is None:
            return not_found(request)
        from .dataset import FORMATS
        suffix = "." + name.rsplit(".", 1)[-1]
        media = next((f.media_type for f in FORMATS.values() if f.suffix == suffix), "application/octet-stream")
        return Response(data, media_type=media)

    async def context(request: Request) -> Response:
        path = served.data_dir / "context.jsonld"
        from .dataset import context_bytes
        return Response(path.read_bytes() if path.is_file() else context_bytes(), media_type="application/ld+json")

    async def resource(request: Request) -> Response:
        path = request.url.path
        if path.endswith("/") and path != "/":
            path = path.rstrip("/")
        if path in served.paths:  # the thing itself: 303 to the document the client wants
            key = negotiate(request.headers.get("accept"))
            if key is None:
                return PlainTextResponse("406 Not Acceptable: available as " + ", ".join(
                    f.media_type for f in DOC_FORMATS.values()) + "\n", 406, headers={"Vary": "Accept",
                                                                                         "Link": alternates(path)})
            target = f"{path}.{DOC_FORMATS[key].ext}"
            if request.url.query:
                target += "?" + request.url.query
            return RedirectResponse(target, 303, headers={"Vary": "Accept", "Link": alternates(path)})
        stem, dot, ext = path.rpartition(".")
        fmt = BY_EXT.get(ext) if dot else None
        if fmt is None or stem not in served.paths:
            return not_found(request)
        headers = {"Link": alternates(stem), "Content-Location": path}
        if fmt.key == "html":
            if stem == ONTOLOGY_PATH:
                return html(request, pages_docs(), headers=headers)
            return html(request, pages.resource(stem, lang_of(request)), headers=headers)
        body = served.document(stem, fmt.key)
        media = fmt.media_type + ("; charset=utf-8" if fmt.key in ("ttl", "nt") else "")
        return Response(body, media_type=media, headers=headers)

    # ------------------------------------------------------------------------------------------------ SPARQL

    async def sparql(request: Request) -> Response:
        params = request.query_params
        query = params.get("query")
        update = params.get("update")
        default_graphs = list(params.getlist("default-graph-uri"))
        named_graphs = list(params.getlist("named-graph-uri"))
        fmt = params.get("format")
        if request.method == "POST":
            media = request.headers.get("content-type", "").split(";")[0].strip().lower()
            body = await read_body(request)
            if body is None:
                return PlainTextResponse(f"413 the request is larger than {MAX_REQUEST_BYTES:,} bytes\n", 413)
            if media == "application/x-www-form-urlencoded":  # read here: Starlette's form() needs one more package
                form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
                query = form.get("query", [query])[0]
                update = form.get("update", [update])[0]
                default_graphs += form.get("default-graph-uri", [])
                named_graphs += form.get("named-graph-uri", [])
                fmt = form.get("format", [fmt])[0]
            elif media == "application/sparql-query":
                query = body.decode("utf-8", "replace")
            elif media == "application/sparql-update":
                update = "update"
            else:
                return PlainTextResponse("415 Unsupported Media Type: send application/sparql-query or an "
                                         "application/x-www-form-urlencoded form\n", 415)
        if update is not None:
            return PlainTextResponse("this endpoint is read-only: SPARQL updates are refused\n", 403)
        if query is None:
            return service_description(request)
        # the /sparql page's form, or a browser following a link: the answer as a table, for people
        accept = request.headers.get("accept") or ""
        as_page = fmt == "html" or (not fmt and accept.startswith("text/html"))
        try:
            endpoint.check(str(query))
            results_format, graph_format = ("json", "ttl") if as_page else \
                endpoint.formats_wanted(request.headers.get("accept"), str(fmt) if fmt else None)
        except endpoint.Refused as err:
            return PlainTextResponse(err.message + "\n", err.status)
        if pool is None:
            return PlainTextResponse("the SPARQL endpoint is not running\n", 503)
        job = endpoint.Job(str(query), [str(g) for g in default_graphs], [str(g) for g in named_graphs],
                           results_format, graph_format, max_bytes)
        answer = await anyio.to_thread.run_sync(pool.run, job)
        if as_page:
            return html(request, pages.sparql_page(lang_of(request), str(query), answer.status, answer.media_type,
                                                   answer.body), answer.status)
        if answer.status != 200:
            return PlainTextResponse(answer.body.decode("utf-8", "replace") + "\n", answer.status)
        return Response(answer.body, answer.status, media_type=answer.media_type)

    async def read_body(request: Request) -> bytes | None:
        """The request's body, or None past MAX_REQUEST_BYTES (read no further)."""
        if int(request.headers.get("content-length") or 0) > MAX_REQUEST_BYTES:
            return None
        parts, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_REQUEST_BYTES:
                return None
            parts.append(chunk)
        return b"".join(parts)

    def service_description(request: Request) -> Response:
        import pyoxigraph as ox

        accept = request.headers.get("accept")
        key = negotiate(accept, ["html", "ttl", "jsonld", "nt", "xml"]) if accept else "ttl"
        if key == "html" and "text/html" in (accept or ""):
            return html(request, pages.sparql_page(lang_of(request)))
        key = "ttl" if key in (None, "html") else key
        url = ox.NamedNode(str(request.url.replace(query="")))
        a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        dataset_node, default = ox.BlankNode("dataset"), ox.BlankNode("default")
        triples = [ox.Triple(url, a, ox.NamedNode(SD + "Service")),
                   ox.Triple(url, ox.NamedNode(SD + "endpoint"), url),
                   ox.Triple(url, ox.NamedNode(SD + "supportedLanguage"), ox.NamedNode(SD + "SPARQL11Query")),
                   ox.Triple(url, ox.NamedNode(SD + "feature"), ox.NamedNode(SD + "UnionDefaultGraph")),
                   ox.Triple(url, ox.NamedNode(SD + "defaultDataset"), dataset_node),
                   ox.Triple(dataset_node, a, ox.NamedNode(SD + "Dataset")),
                   ox.Triple(dataset_node, ox.NamedNode(SD + "defaultGraph"), default),
                   ox.Triple(default, a, ox.NamedNode(SD + "Graph"))]
        for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                     "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
            triples.append(ox.Triple(url, ox.NamedNode(SD + "resultFormat"), ox.NamedNode(FORMATS_NS + name)))
        for n, graph in enumerate(served.graphs):
            node = ox.BlankNode(f"g{n}")
            triples += [ox.Triple(dataset_node, ox.NamedNode(SD + "namedGraph"), node),
                        ox.Triple(node, a, ox.NamedNode(SD + "NamedGraph")),
                        ox.Triple(node, ox.NamedNode(SD + "name"), ox.NamedNode(graph))]
        rdf = {"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD, "nt": ox.RdfFormat.N_TRIPLES,
               "xml": ox.RdfFormat.RDF_XML}[key]
        body = ox.serialize(triples, format=rdf, prefixes={"sd": SD} if key in ("ttl", "xml") else None)
        return Response(body, media_type=DOC_FORMATS[key].media_type, headers={"Vary": "Accept"})

    async def css(request: Request) -> Response:
        return FileResponse(static / "style.css", media_type="text/css")

    routes = [
        Route("/", home), Route("/index.html", home), Route("/search", search), Route("/charts", charts_index),
        Route("/charts/{name}", chart), Route("/query/{name}", canned), Route("/ontology.html", ontology_docs),
        Route("/sparql", sparql, methods=["GET", "POST"]), Route("/download/{name}", download),
        Route("/context.jsonld", context), Route("/static/style.css", css),
        Route("/{path:path}", resource),
    ]
    middleware = [Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
                             allow_headers=["*"], expose_headers=["Link", "Location", "Content-Location", "Vary"])]

    @contextlib.asynccontextmanager
    async def lifespan(app):  # noqa: ANN001, ANN202
        yield
        if pool is not None:
            pool.close()

    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


# ---------------------------------------------------------------------------------------------------- CLI


def positive(kind: type):  # noqa: ANN201
    def parse(text: str):  # noqa: ANN202
        try:
            value = kind(text)
        except ValueError:
            value = 0
        if not value > 0:
            raise argparse.ArgumentTypeError(f"{text!r} is not a positive number")
        return value
    return parse


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = ("Serve the graph: every IRI under https://w3id.org/gcmkg/ at its path (HTML and RDF by content "
                     "negotiation), pages and charts, the canned queries, and a read-only SPARQL endpoint at /sparql.")
    p.add_argument("--data", type=Path, metavar="DIR", help="the built graph folder (default: graph/)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0: any free port)")
    p.add_argument("--timeout", type=positive(float), default=endpoint.DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"deadline of one SPARQL query; past it the query is stopped (default: {endpoint.DEFAULT_TIMEOUT:g})")
    p.add_argument("--max-answer-bytes", type=positive(int), default=endpoint.DEFAULT_MAX_BYTES, metavar="N",
                   help=f"largest SPARQL answer (default: {endpoint.DEFAULT_MAX_BYTES})")
    p.add_argument("--workers", type=positive(int), default=None, metavar="N",
                   help="SPARQL worker processes (default: one per core, at most 4)")


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to the address (uvicorn serves on it), or UsageError naming why it cannot be (in use, not
    this machine's address): bound here, so the check and the use are one step and port 0 picks a free port."""
    try:
        family, kind, proto, _, _ = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                       proto=socket.IPPROTO_TCP)[0]
    except socket.gaierror as err:
        raise UsageError(f"--host {host}: {err.strerror or 'not an address of this machine'}") from None
    # proto IPPROTO_TCP, not 0: asyncio turns Nagle's algorithm off only on sockets that say they are TCP, and
    # with it on, every answer written in two parts waits 40 ms for the client's delayed ACK
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        reason = "the port is in use" if err.errno == errno.EADDRINUSE else (err.strerror or str(err))
        raise UsageError(f"cannot listen on {host}:{port}: {reason}") from None
    return sock


def run(args: argparse.Namespace) -> int:
    import uvicorn

    root = project_root()
    data_dir = args.data or root / "graph"
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: not a port number (0-65535)")
    if not data_dir.is_dir():
        raise UsageError(f"{data_dir}: no such folder (give the built graph folder with --data)")
    served = Served(data_dir, root)  # InputError (exit 2) when the folder holds no built graph
    sock = listen(args.host, args.port)
    pool = endpoint.Pool(data_dir, root, args.workers or endpoint.default_workers(), args.timeout)
    app = create_app(served, pool, args.max_answer_bytes)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"gcmkg: serving {data_dir} at http://{shown}:{port}/ (SPARQL: /sparql); Ctrl-C stops",
          file=sys.stderr, flush=True)
    try:
        server.run(sockets=[sock])
    finally:
        pool.close()
        sock.close()
    return 0
