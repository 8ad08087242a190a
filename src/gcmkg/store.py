"""Embedded SPARQL stores behind one small interface: Oxigraph (Rust, via pyoxigraph) and rdflib (pure Python,
the reference path of the tests),
plus any SPARQL 1.1 endpoint through SPARQLWrapper (with the protocol's default-graph-uri and named-graph-uri,
a timeout, HTTP basic credentials from the environment, and every network or server failure turned into a
one-line StoreError; `gcmkg publish` words its errors with the same helpers).

Every store answers with the same `Result`: variable names and rows of rdflib terms, so the output formats and
the tests never depend on the engine. Oxigraph is the default: it loads and answers much faster (bench/RESULTS.md).
"""

from __future__ import annotations

import ast
import http.client
import json
import os
import re
import socket
import urllib.error
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

import pyoxigraph as ox

from . import net
from .dataset import from_ox

Term = Identifier

#: File suffix -> (rdflib parser name, pyoxigraph format attribute name).
FORMATS: dict[str, tuple[str, str]] = {
    ".ttl": ("turtle", "TURTLE"),
    ".nt": ("nt", "N_TRIPLES"),
    ".rdf": ("xml", "RDF_XML"),
    ".owl": ("xml", "RDF_XML"),
}


class StoreError(Exception):
    """A store could not be opened or a file could not be loaded."""


class QuerySyntaxError(Exception):
    """The engine rejected the query text."""


@dataclass
class Result:
    """A query answer: `kind` is "select", "ask" or "graph" (CONSTRUCT/DESCRIBE)."""

    kind: str
    vars: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)


class Store(Protocol):
    name: str

    def load(self, path: Path) -> None: ...

    def query(self, text: str, lazy: bool = False) -> Result: ...


def rdf_format(path: Path) -> tuple[str, str]:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise StoreError(f"{path}: unknown RDF file type (expected one of {', '.join(sorted(FORMATS))})") from None


def plain(term: Term | None) -> Term | None:
    """RDF 1.1: a literal typed xsd:string is the simple literal; give both engines' answers one form."""
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


# ---------------------------------------------------------------------------------------------- rdflib


class RdflibStore:
    name = "rdflib"

    def __init__(self) -> None:
        self.graph = Graph()

    def load(self, path: Path) -> None:
        try:
            self.graph.parse(path, format=rdf_format(path)[0])
        except (OSError, StoreError):
            raise
        except Exception as err:  # rdflib raises parser-specific exceptions
            raise StoreError(f"{path}: {err}") from err

    def query(self, text: str, lazy: bool = False) -> Result:
        from rdflib.plugins.sparql import prepareQuery

        try:
            prepared = prepareQuery(text)
        except Exception as err:  # pyparsing errors, unknown prefixes, bad escapes
            raise QuerySyntaxError(str(err)) from err
        answer = self.graph.query(prepared)
        if answer.type == "ASK":
            return Result("ask", boolean=bool(answer.askAnswer))
        if answer.type in ("CONSTRUCT", "DESCRIBE"):
            return Result("graph", triples=[tuple(t) for t in answer.graph])  # type: ignore[union-attr]
        names = [str(v) for v in answer.vars or []]
        rows = [tuple(plain(row[i]) for i in range(len(names))) for row in answer]  # type: ignore[index]
        return Result("select", names, rows)


# ---------------------------------------------------------------------------------------------- Oxigraph


class OxigraphStore:
    """An in-memory Oxigraph store (pyoxigraph); files go into the default graph, which the queries read."""

    name = "oxigraph"

    def __init__(self) -> None:
        self._store = ox.Store()

    def load(self, path: Path) -> None:
        try:
            data = path.read_bytes()
        except OSError as err:
            raise StoreError(f"{path}: {err.strerror or err}") from err
        try:
            self._store.load(data, format=getattr(ox.RdfFormat, rdf_format(path)[1]), base_iri=path.resolve().as_uri())
        except SyntaxError as err:
            raise StoreError(f"{path}: {err}") from err

    def query(self, text: str, lazy: bool = False) -> Result:
        """The answer; with `lazy`, SELECT rows are an iterator, read as the store evaluates the query."""
        try:
            answer = self._store.query(text)
        except SyntaxError as err:
            raise QuerySyntaxError(str(err)) from err
        return result_of(answer, lazy)


def result_of(answer, lazy: bool = False) -> Result:  # noqa: ANN001 - a pyoxigraph query answer
    """A pyoxigraph answer as a `Result` of rdflib terms; with `lazy`, SELECT rows are an iterator."""
    # Results repeat the same labels, codes and IRIs in many rows: convert each distinct term once.
    seen: dict = {}

    def term(value):  # noqa: ANN001, ANN202 - pyoxigraph term in, rdflib term out
        if value is None:
            return None
        if value not in seen:
            seen[value] = from_ox(value)  # a plain literal for xsd:string, as rdflib's
        return seen[value]

    if isinstance(answer, ox.QueryBoolean):
        return Result("ask", boolean=bool(answer))
    if isinstance(answer, ox.QueryTriples):
        return Result("graph", triples=[(term(t.subject), term(t.predicate), term(t.object)) for t in answer])
    names = [v.value for v in answer.variables]
    rows = (tuple(term(value) for value in solution) for solution in answer)
    return Result("select", names, rows if lazy else list(rows))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------- remote endpoint

#: HTTP basic credentials for endpoints and graph stores come from the environment only: a flag or a URL would
#: leave them in the shell history and in the process list.
ENV_USER = "GCMKG_ENDPOINT_USER"
ENV_PASSWORD = "GCMKG_ENDPOINT_PASSWORD"
DEFAULT_TIMEOUT = 60.0
EXCERPT = 200  # characters of a server's error message that are worth one line


def endpoint_credentials(environ: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """(user, password) from GCMKG_ENDPOINT_USER / GCMKG_ENDPOINT_PASSWORD, None when neither is set."""
    environ = os.environ if environ is None else environ
    user, password = environ.get(ENV_USER, ""), environ.get(ENV_PASSWORD, "")
    if bool(user) != bool(password):
        missing = ENV_PASSWORD if user else ENV_USER
        raise StoreError(f"{ENV_USER} and {ENV_PASSWORD} go together: {missing} is not set")
    return (user, password) if user else None


def check_url(url: str) -> str:
    """An http(s) URL with a host and no credentials in it, or StoreError."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as err:
        raise StoreError(f"{url}: not a valid URL ({err})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StoreError(f"{url}: not an http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise StoreError(f"{parts.hostname}: put credentials in {ENV_USER} and {ENV_PASSWORD}, not in the URL")
    return url


def excerpt(body: bytes | str | None) -> str:
    """A server's message on one line: markup dropped, spaces collapsed, cut to EXCERPT characters."""
    if not body:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if text.lstrip().startswith("<"):  # an HTML or XML page: its text only (a plain message may hold "<")
        text = re.sub(r"<[^<>]*>", " ", re.sub(r"(?is)<(head|script|style)\b.*?</\1\s*>", " ", text))
    text = " ".join(net.printable(text).split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def network_error(err: BaseException, timeout: float | None) -> str:
    """What went wrong on the way to a server, in words (no traceback)."""
    if isinstance(err, urllib.error.HTTPError):
        try:
            body = err.read()
        except Exception:  # the body may be gone with the connection
            body = b""
        message = excerpt(body)
        return f"HTTP {err.code} {err.reason}" + (f": {message}" if message else "")
    reason = err.reason if isinstance(err, urllib.error.URLError) else err
    if isinstance(err, (net.RedirectRefused, net.DeadlineExceeded, net.TooLarge)):
        return str(reason)
    if isinstance(reason, TimeoutError):
        return f"no complete answer within {timeout:g} s (--timeout)" if timeout else "timed out"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is the server running?)"
    if isinstance(reason, socket.gaierror):
        return f"cannot resolve the host name ({reason.strerror or reason})"
    if isinstance(reason, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError,
                           http.client.RemoteDisconnected)):
        return "the server closed the connection"
    if isinstance(reason, http.client.IncompleteRead):
        return "the server closed the connection in the middle of its answer"
    if isinstance(reason, http.client.HTTPException):
        return f"not an HTTP answer ({type(reason).__name__})"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return net.printable(str(reason)) or type(reason).__name__


#: The status codes SPARQLWrapper turns into its own exceptions (it keeps the body only in the message).
WRAPPER_STATUS = {"QueryBadFormed": "400 Bad Request", "Unauthorized": "401 Unauthorized",
                  "EndPointNotFound": "404 Not Found", "URITooLong": "414 URI Too Long",
                  "EndPointInternalError": "500 Internal Server Error"}


def wrapper_error(err: Exception) -> str:
    """HTTP status and the server's message from one of SPARQLWrapper's exceptions."""
    status = WRAPPER_STATUS.get(type(err).__name__, type(err).__name__)
    _, found, body = str(err).partition("Response:\n")
    message = ""
    if found:
        try:
            message = excerpt(ast.literal_eval(body.strip()))
        except (ValueError, SyntaxError):
            message = excerpt(body)
    return f"HTTP {status}" + (f": {message}" if message else "")


def json_term(binding: object) -> Term | None:
    """One value of the SPARQL 1.1 Query Results JSON format as an rdflib term (ValueError if it is none)."""
    if binding is None:
        return None
    if not isinstance(binding, dict) or not isinstance(binding.get("value"), str):
        raise ValueError(f"a binding is not a term: {str(binding)[:80]}")
    kind, value = binding.get("type"), binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind not in ("literal", "typed-literal"):  # typed-literal: the 2008 note, still sent by Virtuoso
        raise ValueError(f"unknown term type {kind!r}")
    if "xml:lang" in binding:
        return Literal(value, lang=binding["xml:lang"])
    datatype = binding.get("datatype")
    return plain(Literal(value, datatype=URIRef(datatype) if datatype else None))


def results_from_json(answer: object) -> Result:
    """A SPARQL 1.1 Query Results JSON document as a Result (ValueError if it is not one)."""
    if not isinstance(answer, dict) or not isinstance(answer.get("head"), dict):
        raise ValueError("no 'head' object")
    if "boolean" in answer:
        if not isinstance(answer["boolean"], bool):
            raise ValueError("'boolean' is not true or false")
        return Result("ask", boolean=answer["boolean"])
    names = answer["head"].get("vars")
    results = answer.get("results")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ValueError("no 'head.vars' list of names")
    if not isinstance(results, dict) or not isinstance(results.get("bindings"), list):
        raise ValueError("no 'results.bindings' list")
    rows = []
    for binding in results["bindings"]:
        if not isinstance(binding, dict):
            raise ValueError("a solution is not an object")
        rows.append(tuple(json_term(binding.get(n)) for n in names))
    return Result("select", list(names), rows)


GRAPH_SYNTAX = {"application/n-triples": "nt", "application/rdf+xml": "xml", "application/ld+json": "json-ld",
                "application/trig": "trig", "application/n-quads": "nquads"}


class EndpointStore:
    """Any SPARQL 1.1 endpoint (read-only), through SPARQLWrapper: the queries run where the data already is.

    `default_graphs` and `named_graphs` are the protocol's default-graph-uri and named-graph-uri. Servers differ
    in what their default graph is (empty on Oxigraph unless started with --union-default-graph, every graph,
    system graphs included, on Virtuoso, a setting on Fuseki), so when neither is given and `scope` is set, the
    store asks the server which graphs under `scope` it holds (our graph IRIs: `gcmkg publish` names them so)
    and reads those as the default graph and as the named graphs: the same data as the embedded store, on any
    server in its default configuration. Every failure (refused, unknown host, timeout, HTTP error, an answer
    that is not SPARQL results, no graph under `scope`) is a StoreError with a one-line message."""

    name = "endpoint"

    def __init__(self, url: str, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = (),
                 timeout: float | None = DEFAULT_TIMEOUT, credentials: tuple[str, str] | None = None,
                 scope: str | None = None) -> None:
        self.url = check_url(url)
        self.default_graphs = list(default_graphs)
        self.named_graphs = list(named_graphs)
        self.timeout = timeout
        self.credentials = credentials
        self.scope = None if default_graphs or named_graphs else scope

    def scoped(self) -> None:
        """Read the graphs under `scope` the server holds, once (see the class docstring)."""
        if self.scope is None:
            return
        scope, self.scope = self.scope, None
        text = (f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{scope}")) }} '
                "ORDER BY ?g")
        graphs = [str(row[0]) for row in self.query(text).rows if isinstance(row[0], URIRef)]
        if not graphs:
            raise StoreError(f"{self.url}: the server holds no graph under {scope} (publish with `gcmkg publish`, "
                             "or name the graphs with --default-graph-uri)")
        self.default_graphs = self.named_graphs = graphs

    def load(self, path: Path) -> None:
        raise StoreError("a remote endpoint holds its own data: --data cannot be used with --endpoint")

    def client(self, text: str):  # noqa: ANN201 - SPARQLWrapper
        from SPARQLWrapper import POST, SPARQLWrapper

        client = SPARQLWrapper(self.url)
        client.setQuery(text)
        client.setMethod(POST)
        client.setOnlyConneg(True)  # the Accept header only, no format=/output= parameters the protocol lacks
        for graph in self.default_graphs:
            client.addDefaultGraph(graph)
        for graph in self.named_graphs:
            client.addNamedGraph(graph)
        if self.credentials:
            client.setCredentials(*self.credentials)  # HTTP basic, SPARQLWrapper's default
        client.timeout = self.timeout  # setTimeout() truncates to int, and 0 would mean none
        return client

    def fetch(self, client, expected: tuple[str, ...]) -> tuple[str, bytes]:  # noqa: ANN001 - SPARQLWrapper
        """Content type and body of the answer: within the timeout as a whole (a server that trickles is cut
        off), no larger than `net.DEFAULT_MAX_BYTES`, and only redirected within the endpoint's origin (`net`).
        An answer of another type than `expected` is refused before its body is read."""
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        def exchange() -> tuple[str, bytes]:
            response = client.query().response
            try:
                kind = (response.headers.get("Content-Type", "") or "").split(";")[0].strip().lower()
                if kind not in expected:
                    raise StoreError(f"{self.url}: the answer is {kind or 'of no content type'}, not one of "
                                     f"{', '.join(expected)}: {excerpt(response.read(EXCERPT * 4)) or 'empty'}")
                return kind, net.read_capped(response)
            finally:
                response.close()

        try:
            return net.within(self.timeout, exchange)
        except SPARQLWrapperException as err:
            raise StoreError(f"{self.url}: {wrapper_error(err)}") from None
        except (OSError, http.client.HTTPException, ValueError) as err:
            raise StoreError(f"{self.url}: {network_error(err, self.timeout)}") from None

    def query(self, text: str, lazy: bool = False) -> Result:
        self.scoped()
        client = self.client(text)
        if client.queryType in ("CONSTRUCT", "DESCRIBE"):
            client.setReturnFormat("turtle")
            kind, body = self.fetch(client, (*GRAPH_SYNTAX, "text/turtle"))
            graph = Graph()
            try:
                graph.parse(data=body, format=GRAPH_SYNTAX.get(kind, "turtle"))
            except Exception as err:  # rdflib raises parser-specific exceptions
                raise StoreError(f"{self.url}: the answer is not RDF ({kind or 'no content type'}): "
                                 f"{excerpt(str(err)) or type(err).__name__}") from None
            return Result("graph", triples=[tuple(t) for t in graph])
        client.setReturnFormat("json")
        kind, body = self.fetch(client, ("application/sparql-results+json", "application/json"))
        try:
            return results_from_json(json.loads(body.decode("utf-8")))
        except (ValueError, UnicodeDecodeError) as err:
            what = "not JSON" if isinstance(err, (json.JSONDecodeError, UnicodeDecodeError)) else str(err)
            raise StoreError(f"{self.url}: the answer is not SPARQL results JSON ({what}; "
                             f"{kind or 'no content type'}): {excerpt(body) or 'empty'}") from None


# ---------------------------------------------------------------------------------------------- factory

STORES = ("oxigraph", "rdflib")


def open_store(kind: str, files: list[Path]) -> Store:
    """A store of `kind` with `files` loaded: Oxigraph (the default), or rdflib (the pure-Python reference path
    the tests compare Oxigraph's rows with)."""
    store: Store = OxigraphStore() if kind == "oxigraph" else RdflibStore()
    for path in files:
        if not path.is_file():
            raise StoreError(f"{path}: no such file")
        store.load(path)
    return store
