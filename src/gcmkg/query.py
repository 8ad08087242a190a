"""`gcmkg query` and `gcmkg queries`: run the canned SPARQL of queries/ (or any .rq file) on the built graph.

The data is every report graph of ``graph/`` (``<report>.ttl`` and, when present, its ``<report>-inferred.ttl``;
not ``void.ttl``, which describes the dataset) or the files and folders given with ``--data`` (a folder: its
report graphs likewise); the ontology and the reference graph are always added. Every query is evaluated
(nothing is remembered from an earlier run). The canned queries read asserted triples only (explicit property paths,
no entailment), so the inferred files change no row and a remote SPARQL 1.1 endpoint holding the same files
(``--endpoint``, e.g. after ``gcmkg publish``) gives the same rows.

Remote queries go through SPARQLWrapper (POST, results as SPARQL JSON), with the same parameters and output
formats. Servers differ in their default graph (empty on Oxigraph started without options, every graph,
system graphs included, on Virtuoso, a setting on Fuseki), so gcmkg first asks the server which graphs under
``https://w3id.org/gcmkg/`` it holds (``gcmkg publish`` names them so) and sends them as the protocol's
default-graph-uri and named-graph-uri: the same data as the embedded store, with no flag. ``--default-graph-uri``
and ``--named-graph-uri`` override that choice. Credentials, for HTTP basic
authentication, come from the environment only: ``GCMKG_ENDPOINT_USER`` and ``GCMKG_ENDPOINT_PASSWORD``. A
server that refuses the connection, a host that does not resolve, no complete answer within ``--timeout``
seconds, an HTTP error (its status and the start of the server's message are shown), a redirect to another
origin, or an answer that is not SPARQL results JSON: one line on standard error, exit 2 (`net`).

Every query, embedded or remote, has a total deadline (``--timeout``): it runs in a thread that the deadline
and Ctrl-C can leave, since Oxigraph cannot be interrupted. CSV, TSV and JSON rows are written as the store
gives them; ``-o FILE`` appears whole or not at all. An embedded store makes no request: a ``SERVICE`` to an
endpoint not named with ``--allow-service`` is refused (`net.services` finds the keyword with SPARQL's own
tokens, so a ``SERVICE`` inside a string, an IRI or a comment is none).

Parameters (``--param KEY=VALUE``) are bound as RDF terms, never pasted into the query text: each value becomes
an IRI, an ``xsd:integer`` or a literal, is serialised as an N-Triples term (escaped, validated) and joined to
the query through one trailing ``VALUES`` clause, found free by parsing the query. A trailing VALUES clause
means the same on every SPARQL 1.1 engine; rdflib's ``initBindings`` does not (it pre-binds the variable
everywhere, inside BIND and aggregates too), so it would give other rows than Oxigraph or an endpoint. A
parameter must be a variable of the query, and one its ``#+ params:`` header declares when it has that
header; the canned queries keep every declared parameter column bound in every row (an unbound value would
join with any parameter value).

The label language (``--lang en|fr|es``; default: each review's report language) is bound inside the query text,
in the subqueries that pick labels, since a trailing VALUES clause joins only after them: `params.bind_language`.
A label, title or acronym in the language asked for comes first, then one in the report's language, then any.

Store choice, measured (load = ontology + reference graph + data; then every canned query once, median of
three runs): on the bundled graph Oxigraph loads in 0.02 s and answers all canned queries in 0.15 s, rdflib
takes 0.5 s and 3.3 s; on a 20-fold union (the review copied under 20 other IRIs) Oxigraph takes 0.16 s and
11 s, rdflib 2.5 s and 96 s. So Oxigraph is the default, and rdflib the reference path the tests compare it
with: both give the same rows (tests/test_queries.py).

Exit codes: 0 ok, 2 usage or input error (unknown query, bad parameter, syntax error, missing file).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from . import iris, net, tables
from .dataset import NOT_REPORTS
from .errors import UsageError
from .params import (INTEGER, IRI_CHARS, LANGUAGES, bind_language, bind_parameters, nt_term,  # noqa: F401
                     parameter_term, parse_parameter, query_variables,
                     resolve_parameters)  # the names tests and callers know from here
from .reference import ontology_file, project_root, reference_files
from .store import (DEFAULT_TIMEOUT, FORMATS, STORES, EndpointStore, QuerySyntaxError, Result, StoreError, Term,
                    endpoint_credentials, open_store)

FORMAT_CHOICES = ("table", "csv", "tsv", "json")
# SPARQL IRIREF: no space, control character or any of <>"{}|^`\
HEADER = re.compile(r"#\+ ?([A-Za-z][\w-]*):\s?(.*)")  # "#+ key: value"; indented lines continue


# ---------------------------------------------------------------------------------------------- query files


@dataclass(frozen=True)
class QueryFile:
    name: str
    path: Path
    text: str
    summary: str = ""
    description: str = ""
    #: declared parameter names; None when the file has no ``#+ params:`` header (any variable may be bound)
    params: tuple[str, ...] | None = None
    #: parameter -> the kind of thing of the graph it names (``#+ kinds: ?actor actor; ?review review``),
    #: whose values are resolved from codes and labels (`params`)
    kinds: dict[str, str] | None = None
    #: the variable that holds the label language (``#+ lang: ?wantedLang``), bound by ``--lang``
    #: (`params.bind_language`); None for a query without labels to choose
    lang: str | None = None


def read_query(path: Path) -> QueryFile:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None
    header: dict[str, str] = {}
    last = None
    for line in text.splitlines():
        if not line.startswith("#+"):
            if line.strip() and not line.startswith("#"):
                break
            continue
        if m := HEADER.fullmatch(line.rstrip()):
            last = m.group(1).lower()
            header[last] = m.group(2).strip()
        elif last is not None:  # continuation line
            header[last] = f"{header[last]} {line[2:].strip()}".strip()
    params = None
    if "params" in header:
        value = header["params"]
        params = () if value.lower() in ("", "none") else tuple(dict.fromkeys(re.findall(r"\?([A-Za-z_]\w*)", value)))
    name = path.name.removesuffix(".rq")
    kinds = dict(re.findall(r"\?([A-Za-z_]\w*)\s+([a-z]+)", header.get("kinds", "")))
    lang = re.match(r"\?([A-Za-z_]\w*)", header.get("lang", ""))
    return QueryFile(name, path, text, header.get("summary", ""), header.get("description", ""), params, kinds,
                     lang.group(1) if lang else None)


def queries_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "queries"


def canned_queries(root: Path | None = None) -> list[QueryFile]:
    return [read_query(p) for p in sorted(queries_dir(root).glob("*.rq"))]


def find_query(spec: str, root: Path | None = None) -> QueryFile:
    """A canned query by name, or a .rq file by path."""
    if spec.endswith(".rq") or "/" in spec or "\\" in spec:
        return read_query(Path(spec))
    path = queries_dir(root) / f"{spec}.rq"
    if path.is_file():
        return read_query(path)
    names = ", ".join(q.name for q in canned_queries(root)) or "(none)"
    raise UsageError(f"unknown query {spec!r}; canned queries: {names}")


# ---------------------------------------------------------------------------------------------- data


def data_files(paths: list[Path] | None, root: Path | None = None) -> list[Path]:
    """The files to load: the ontology, the reference graph, then the data (graph/*.ttl or --data)."""
    root = root or project_root()
    if paths:
        data: list[Path] = []
        for path in paths:
            if path.is_dir():  # a built folder: its report graphs, as for graph/
                found = sorted(p for p in path.iterdir() if p.suffix.lower() in FORMATS and p.is_file()
                               and p.name not in NOT_REPORTS)
                if not found:
                    raise UsageError(f"{path}: no graph file in this folder (run `gcmkg build --out {path}`, "
                                     f"or give files)")
                data.extend(found)
            elif path.is_file():
                data.append(path)
            else:
                raise UsageError(f"{path}: no such file or folder")
    else:  # the report graphs, as `gcmkg export` and `gcmkg publish` read them
        data = sorted(p for p in (root / "graph").glob("*.ttl") if p.name not in NOT_REPORTS)
        if not data:
            raise UsageError(f"{root / 'graph'}: no built graph (run `gcmkg build` first, or give --data)")
    files = [ontology_file(root), *reference_files(root), *data]
    seen: dict[Path, None] = {}
    for path in files:
        seen.setdefault(path.resolve(), None)
    return list(seen)


# ---------------------------------------------------------------------------------------------- output


def plain_value(term: Term | None) -> str:
    """The CSV form of a term (W3C SPARQL results CSV): IRIs and literals as their string, blank nodes _:x."""
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


ABBREVIATED = {XSD.integer: INTEGER, XSD.decimal: re.compile(r"[+-]?[0-9]*\.[0-9]+"),
               XSD.double: re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+"),
               XSD.boolean: re.compile(r"true|false")}


def tsv_value(term: Term | None) -> str:
    """The TSV form of a term (W3C SPARQL results TSV): Turtle/N-Triples syntax, numbers abbreviated."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    assert isinstance(term, Literal)
    if term.datatype in ABBREVIATED and ABBREVIATED[term.datatype].fullmatch(str(term)):
        return str(term)
    text = str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    text = text.replace("\t", "\\t")
    if term.language:
        return f'"{text}"@{term.language}'
    if term.datatype and term.datatype != XSD.string:
        return f'"{text}"^^<{term.datatype}>'
    return f'"{text}"'


def json_value(term: Term) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype and term.datatype != XSD.string:
        out["datatype"] = str(term.datatype)
    return out


def csv_chunks(result: Result) -> Iterator[str]:
    """W3C SPARQL results CSV, one line at a time (rows are written as the store gives them)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.vars)
    for row in result.rows:
        writer.writerow([plain_value(v) for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def tsv_chunks(result: Result) -> Iterator[str]:
    yield "\t".join(f"?{v}" for v in result.vars) + "\n"
    for row in result.rows:
        yield "\t".join(tsv_value(v) for v in row) + "\n"


def json_chunks(result: Result) -> Iterator[str]:
    """W3C SPARQL results JSON, one solution at a time."""
    if result.kind == "ask":
        yield json.dumps({"head": {}, "boolean": result.boolean}) + "\n"
        return
    yield '{"head": ' + json.dumps({"vars": result.vars}, ensure_ascii=False) + ', "results": {"bindings": ['
    for n, row in enumerate(result.rows):
        binding = {k: json_value(v) for k, v in zip(result.vars, row) if v is not None}
        yield ("," if n else "") + "\n " + json.dumps(binding, ensure_ascii=False)
    yield "\n]}}\n"


def table_chunks(result: Result, query: str = "", full: bool = False) -> Iterator[str]:
    """A table for people (`tables`): the whole answer is needed for the column widths and the order."""
    yield tables.render(result.vars, list(result.rows), query, full)


def chunks(result: Result, fmt: str, query: str = "", full: bool = False) -> Iterator[str]:
    """The answer in one output format, piece by piece (CSV, TSV and JSON stream the rows; a table is fitted to
    the terminal unless `full`, and ordered by `query`'s ORDER BY as the language sorts: `tables`)."""
    if result.kind == "graph":
        yield "".join(sorted(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in result.triples))
    elif result.kind == "ask" and fmt != "json":
        yield "true\n" if result.boolean else "false\n"
    elif fmt == "table":
        yield from table_chunks(result, query, full)
    else:
        yield from {"csv": csv_chunks, "tsv": tsv_chunks, "json": json_chunks}[fmt](result)


def render(result: Result, fmt: str) -> str:
    return "".join(chunks(result, fmt))


# ---------------------------------------------------------------------------------------------- running


def execute(query: QueryFile, params: list[tuple[str, Term]], store_kind: str = "oxigraph",
            data: list[Path] | None = None, endpoint: str | None = None, root: Path | None = None,
            timings: dict[str, float] | None = None, default_graphs: list[str] | None = None,
            named_graphs: list[str] | None = None, timeout: float | None = DEFAULT_TIMEOUT,
            allow_service: list[str] | None = None, lazy: bool = False, lang: str | None = None) -> Result:
    """Bind the parameters, open the store, run the query (the library entry point behind `gcmkg query`).
    `lang`: the language of the labels (one of `LANGUAGES`), the report's when None or when it has none.
    `default_graphs`, `named_graphs` and `timeout` apply to an endpoint (the whole of `gcmkg query` is bounded
    by `run_query`); its credentials come from the environment (GCMKG_ENDPOINT_USER, GCMKG_ENDPOINT_PASSWORD).
    An embedded store makes no request: a SERVICE to an endpoint not in `allow_service` is refused
    (net.ServiceRefused). `lazy`: SELECT rows as an iterator (Oxigraph), for output that streams them."""
    bind_parameters(query, params, lang)  # a parameter the query lacks is refused before any store is opened
    if not endpoint:
        net.refuse_services(query.text, allow_service or [])
    start = time.perf_counter()
    if endpoint:
        if data:
            raise UsageError("--data and --endpoint cannot be used together")
        store = EndpointStore(endpoint, [graph_iri(g) for g in default_graphs or ()],
                              [graph_iri(g) for g in named_graphs or ()], timeout, endpoint_credentials(),
                              scope=iris.BASE)
    else:
        if default_graphs or named_graphs:
            raise UsageError("--default-graph-uri and --named-graph-uri need --endpoint")
        store = open_store(store_kind, data_files(data, root))
    loaded = time.perf_counter()
    text = bind_parameters(query, resolve_parameters(query, params, store), lang)
    result = store.query(text, lazy=lazy)
    if timings is not None:
        timings.update(load=loaded - start, query=time.perf_counter() - loaded)
    return result


def graph_iri(text: str) -> str:
    """A --default-graph-uri / --named-graph-uri value: an absolute IRI, given bare or in <...>."""
    iri = text[1:-1] if text.startswith("<") and text.endswith(">") else text
    if not (re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri) and IRI_CHARS.fullmatch(iri)):
        raise UsageError(f"bad graph IRI {text!r}: expected an absolute IRI such as https://w3id.org/gcmkg/ontology")
    return iri


def language(text: str) -> str:
    """A --lang value: one of LANGUAGES."""
    if text not in LANGUAGES:
        raise argparse.ArgumentTypeError(f"unknown language {text!r}: labels come in {', '.join(LANGUAGES)}")
    return text


def seconds(text: str) -> float:
    """A --timeout value: a positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def add_query_arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.description = "Run a canned query (by name, see `gcmkg queries`) or a SPARQL file on the knowledge graph."
    p.add_argument("query", metavar="NAME|FILE.rq", help="a canned query name or the path of a .rq file")
    p.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                   help="bind ?KEY to VALUE: an IRI (https://... or <...>), an integer, \"text\"@lang or text; "
                        "repeat a KEY for alternatives")
    p.add_argument("--data", action="append", type=Path, metavar="PATH",
                   help="data file or folder to query instead of graph/*.ttl (repeatable); the ontology and "
                        "reference graph are always added")
    p.add_argument("--lang", type=language, metavar="|".join(LANGUAGES),
                   help="labels, titles and acronyms in this language, else in the report's (the default), else in "
                        "any; queries without labels ignore it")
    p.add_argument("--format", choices=FORMAT_CHOICES, default="table",
                   help="table (readable), csv/tsv (W3C SPARQL results CSV/TSV) or json (SPARQL results JSON)")
    p.add_argument("--store", choices=STORES, default="oxigraph",
                   help="embedded store: oxigraph (default, measured fastest) or rdflib (the reference)")
    p.add_argument("--endpoint", metavar="URL",
                   help="run on a SPARQL 1.1 endpoint instead of an embedded store (HTTP basic credentials, if "
                        "needed, from GCMKG_ENDPOINT_USER and GCMKG_ENDPOINT_PASSWORD)")
    p.add_argument("--default-graph-uri", action="append", default=[], metavar="IRI",
                   help="with --endpoint: a graph of the default graph the query reads (repeatable; default: every "
                        "graph under https://w3id.org/gcmkg/ the server holds)")
    p.add_argument("--named-graph-uri", action="append", default=[], metavar="IRI",
                   help="with --endpoint: a named graph the query may read with GRAPH (repeatable)")
    p.add_argument("--timeout", type=seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"give up when the whole query (embedded or remote, output included) takes longer "
                        f"(default: {DEFAULT_TIMEOUT:g})")
    p.add_argument("--allow-service", action="append", default=[], metavar="IRI",
                   help="an endpoint a SERVICE clause of the query may call from the embedded store (repeatable); "
                        "without it, an embedded store makes no request")
    p.add_argument("--full", action="store_true",
                   help="table: every cell whole, not fitted to the terminal's width ($COLUMNS)")
    p.add_argument("-o", "--out", type=Path, help="write the result to this file instead of standard output")
    p.add_argument("--timing", action="store_true", help="print load and query times to standard error")
    return p


def add_queries_arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.description = "List the canned queries of queries/: name, summary and parameters."
    p.add_argument("--format", choices=("table", "csv"), default="table")
    return p


def write(pieces: Iterable[str], out: Path | None) -> None:
    """The output piece by piece: to standard output, or to a file that appears whole or not at all."""
    if out is None:
        for piece in pieces:
            sys.stdout.write(piece)
        sys.stdout.flush()
        return
    fd, partial = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent if str(out.parent) else ".")
    PARTIAL.add(partial)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            for piece in pieces:
                stream.write(piece)
        os.replace(partial, out)
    finally:
        Path(partial).unlink(missing_ok=True)
        PARTIAL.discard(partial)


#: Output files being written, removed by `leave` when the process ends before they are whole.
PARTIAL: set[str] = set()


def run_query(args: argparse.Namespace) -> int:
    query: QueryFile | None = None
    try:
        query = find_query(args.query)
        params = [parse_parameter(p) for p in args.param]
        timings: dict[str, float] = {}

        def work() -> None:
            result = execute(query, params, args.store, args.data, args.endpoint, timings=timings,
                             default_graphs=args.default_graph_uri, named_graphs=args.named_graph_uri,
                             timeout=args.timeout, allow_service=args.allow_service, lazy=True, lang=args.lang)
            try:
                write(chunks(result, args.format, query.text, args.full), args.out)
            finally:  # pyoxigraph's answer must be dropped on the thread that made it, even on an error
                if hasattr(result.rows, "close"):
                    result.rows.close()  # type: ignore[union-attr]
                result.rows = []

        # Oxigraph cannot be interrupted, so the query runs in a thread the deadline and Ctrl-C can leave. An
        # endpoint's request has its own deadline (EndpointStore), which should speak first: a moment's grace.
        net.within(args.timeout + (ENDPOINT_GRACE if args.endpoint else 0), work)
        if args.timing:
            print(f"{query.name}: load {timings['load']:.3f} s, query {timings['query']:.3f} s "
                  f"({args.endpoint or args.store})", file=sys.stderr)
        return 0
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
    except QuerySyntaxError as err:
        where = query.path if query is not None else args.query
        print(f"error: {where}: SPARQL syntax error: {err}", file=sys.stderr)
    except net.DeadlineExceeded as err:
        leave(f"error: {query.name if query else args.query}: {err}", 2)
    except KeyboardInterrupt:
        leave("error: interrupted", 130)
    except BrokenPipeError:  # the reader stopped reading (`gcmkg query ... | head`): nothing more to say
        leave("", 0)
    except (StoreError, OSError, net.ServiceRefused) as err:
        print(f"error: {net.printable(str(err))}", file=sys.stderr)
    return 2


#: Seconds `gcmkg query --endpoint` waits past --timeout for the request's own deadline to report.
ENDPOINT_GRACE = 2.0


def leave(message: str, code: int) -> None:
    """Print and end the process now: the query thread may still be inside Oxigraph, which no signal stops, and
    an interpreter that waits for it at exit would hang."""
    for partial in list(PARTIAL):
        Path(partial).unlink(missing_ok=True)
    if message:
        print(message, file=sys.stderr, flush=True)
    try:
        sys.stdout.flush()
    except OSError:  # a closed pipe
        pass
    os._exit(code)


def params_text(query: QueryFile) -> str:
    """The `#+ params:` header as written (what each parameter expects, with examples)."""
    out: list[str] = []
    for line in query.text.splitlines():
        if line.startswith("#+ params:"):
            out = [line.removeprefix("#+ params:").strip()]
        elif out and line.startswith("#+   "):
            out.append(line[2:].strip())
        elif out:
            break
    return " ".join(out)


def query_help(query: QueryFile) -> str:
    """What `gcmkg query NAME --help` says of one query before the options."""
    params = params_text(query) if query.params is not None else "any variable of the query"
    lang = (f"\n\nlabels (--lang {'|'.join(LANGUAGES)}): in the language asked for, else in the report's (the "
            "default), else in any" if query.lang else "")
    return (f"{query.name}: {query.summary}\n\n{query.description}\n\nparameters (--param NAME=VALUE, repeatable): "
            f"{params or 'none'}{lang}\n\n")


def run_queries(args: argparse.Namespace) -> int:
    rows = [[q.name, q.summary, params_text(q) or "none"] for q in canned_queries()]
    header = ["name", "summary", "params"]
    if args.format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerows([header, *rows])
        sys.stdout.write(buffer.getvalue())
    else:
        for name, summary, params in rows:
            sys.stdout.write(f"{name}\n    {summary}\n    params: {params}\n")
    return 0
