"""The SPARQL 1.1 Protocol endpoint of `gcmkg serve`: read-only, with a deadline and a cap on every answer.

Oxigraph cannot be interrupted from outside, so a thread cannot stop a runaway query (a cross product, an
ORDER BY over millions of rows): it would keep a core busy after its client was told it took too long. So
queries from the network run in worker processes, each with its own in-memory store of the same dataset; a
query that passes its deadline has its worker killed (and replaced in the background), and the server goes on
answering the others. A worker also has a memory ceiling, so one query cannot take the machine's memory.

What is refused, before any worker sees it, with a one-line message: updates (`INSERT`, `DELETE`, `LOAD`,
`CLEAR`, ...; or the protocol's `update` form field; 403) and `SERVICE` (the server makes no request: 400).
The answer is written by pyoxigraph's own serialisers into a buffer that refuses to grow past the cap (422).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import re
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from . import net

#: Seconds a query may take (overridden by `gcmkg serve --timeout`).
DEFAULT_TIMEOUT = 10.0
#: Bytes an answer may have (overridden by `gcmkg serve --max-answer-bytes`).
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
#: Address space of a worker: a query that wants more dies alone, and is answered 500.
WORKER_MEMORY = 4 * 1024 ** 3

#: Results formats: key -> (media type, pyoxigraph format). SELECT/ASK use the first group, CONSTRUCT/DESCRIBE
#: the second; the first of each is the default.
RESULT_FORMATS = {
    "json": ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    "xml": ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    "csv": ("text/csv", ox.QueryResultsFormat.CSV),
    "tsv": ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
}
GRAPH_FORMATS = {
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "xml": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
}
#: Media types clients send, to a results format key and a graph format key.
ACCEPT_ALIASES = {
    "application/sparql-results+json": ("json", "jsonld"), "application/json": ("json", "jsonld"),
    "application/sparql-results+xml": ("xml", "xml"), "application/xml": ("xml", "xml"), "text/xml": ("xml", "xml"),
    "text/csv": ("csv", None), "text/tab-separated-values": ("tsv", None),
    "text/turtle": (None, "ttl"), "application/x-turtle": (None, "ttl"), "application/n-triples": (None, "nt"),
    "text/plain": (None, "nt"), "application/ld+json": (None, "jsonld"), "application/rdf+xml": ("xml", "xml"),
}
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
# The prologue (comments, BASE, PREFIX) that may precede a query's first keyword.
_PROLOGUE = re.compile(r"(?:\s+|#[^\n]*(?:\n|$)|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)*", re.IGNORECASE)


class Refused(Exception):
    """A request the endpoint will not run: its HTTP status and a one-line message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def check(query: str) -> None:
    """Refused unless `query` is a read-only query that calls no SERVICE."""
    start = _PROLOGUE.match(query)
    word = re.match(r"[A-Za-z]+", query[start.end() if start else 0:])
    if word and word.group().upper() in UPDATE_WORDS:
        raise Refused(403, f"this endpoint is read-only: {word.group().upper()} (a SPARQL update) is refused")
    if net.services(query):
        raise Refused(400, "SERVICE is refused: this endpoint makes no request to other servers")


def formats_wanted(accept: str | None, explicit: str | None) -> tuple[str | None, str | None]:
    """(results format key, graph format key) a client asked for with `format=` or Accept; None: the default."""
    if explicit:
        key = explicit.lower()
        key = {"turtle": "ttl", "json-ld": "jsonld", "ntriples": "nt", "n-triples": "nt", "rdf": "xml"}.get(key, key)
        if key not in RESULT_FORMATS and key not in GRAPH_FORMATS:
            raise Refused(400, f"unknown format {explicit!r}: json, xml, csv, tsv (results); ttl, nt, jsonld, xml "
                               "(graphs)")
        return (key if key in RESULT_FORMATS else None, key if key in GRAPH_FORMATS else None)
    results = graph = None
    best_r = best_g = 0.0
    for media, q in net.accept_ranges(accept):
        r, g = ACCEPT_ALIASES.get(media, (None, None))
        if r and q > best_r:
            results, best_r = r, q
        if g and q > best_g:
            graph, best_g = g, q
    return results, graph


@dataclass
class Job:
    query: str
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    results_format: str | None = None
    graph_format: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES


@dataclass
class Answer:
    status: int
    media_type: str
    body: bytes


class TooLarge(Exception):
    pass


class CappedBuffer:
    """A binary writer that refuses to hold more than `limit` bytes (pyoxigraph writes into it)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise TooLarge()
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def execute(store: ox.Store, job: Job) -> Answer:
    """Run one job on a store (in a worker process)."""
    buffer = CappedBuffer(job.max_bytes)
    try:
        kwargs: dict = {}
        if job.default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
        else:
            kwargs["use_default_graph_as_union"] = True
        if job.named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
        answer = store.query(job.query, **kwargs)
        if isinstance(answer, ox.QueryTriples):
            media, fmt = GRAPH_FORMATS[job.graph_format or "ttl"]
        else:
            media, fmt = RESULT_FORMATS[job.results_format or "json"]
        answer.serialize(buffer, format=fmt)
        return Answer(200, media, buffer.getvalue())
    except SyntaxError as err:
        return Answer(400, "text/plain", f"SPARQL syntax error: {err}".encode())
    except (TooLarge, OSError, ValueError) as err:
        if buffer.size > buffer.limit:  # pyoxigraph reports the writer's refusal as its own error
            return Answer(422, "text/plain", (f"the answer is larger than {job.max_bytes:,} bytes, the cap of this "
                                              "endpoint: ask for less (LIMIT, fewer variables)").encode())
        status = 400 if isinstance(err, ValueError) else 500
        return Answer(status, "text/plain", f"query failed: {err}".encode())


# ---------------------------------------------------------------------------------------------- workers


def _worker(conn: Connection, data_dir: str, root: str) -> None:
    """A worker process: load the dataset, then answer jobs until the pipe closes."""
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, WORKER_MEMORY))
    except (ImportError, ValueError, OSError):  # not on this system: the deadline alone bounds a query
        pass
    die_with_parent()
    from . import dataset
    from .linkeddata import load_sources

    store = dataset.sparql_store(dataset.load(load_sources(Path(data_dir), Path(root))))
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(execute(store, job))


def die_with_parent() -> None:
    """Linux: be killed when the server dies, even in the middle of a query (which reads no pipe to notice).
    The kernel sends the signal when the *thread* that started the worker ends: see `Pool._spawner`."""
    try:
        import ctypes
        import signal
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: a worker ends when its pipe closes
        pass


class Worker:
    def __init__(self, data_dir: Path, root: Path) -> None:
        context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, str(data_dir), str(root)), daemon=True)
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float = 120.0) -> bool:
        return self.conn.poll(timeout) and self.conn.recv() == "ready"

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class Pool:
    """Worker processes that run queries one at a time each, with a deadline."""

    def __init__(self, data_dir: Path, root: Path, size: int = 2, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.data_dir, self.root, self.timeout = data_dir, root, timeout
        self.idle: queue.Queue[Worker] = queue.Queue()
        self.workers: list[Worker] = []
        started = [Worker(data_dir, root) for _ in range(max(1, size))]
        for worker in started:
            if not worker.wait_ready():
                raise RuntimeError("a SPARQL worker process did not start")
            self.workers.append(worker)
            self.idle.put(worker)
        self.closed = False
        self.wanted: queue.Queue[bool] = queue.Queue()
        threading.Thread(target=self._spawner, daemon=True, name="gcmkg-sparql-workers").start()

    def run(self, job: Job) -> Answer:
        """The answer to a job, or 503 when no worker is free within the deadline, or 504 (the worker killed)
        when the query passes it. Blocking: call it from a thread."""
        start = time.monotonic()
        try:
            worker = self.idle.get(timeout=self.timeout)
        except queue.Empty:
            return Answer(503, "text/plain", b"the endpoint is busy: try again later")
        left = max(self.timeout - (time.monotonic() - start), 0.1)
        try:
            worker.conn.send(job)
            if worker.conn.poll(left):
                answer = worker.conn.recv()
                self.idle.put(worker)
                return answer
        except (EOFError, OSError):  # the worker died (its memory ceiling): replace it
            self._replace(worker)
            return Answer(500, "text/plain", b"the query failed: it needed more memory than a query may have")
        self._replace(worker)
        return Answer(504, "text/plain", f"the query was stopped at its deadline ({self.timeout:g} s)".encode())

    def _replace(self, worker: Worker) -> None:
        worker.kill()
        if worker in self.workers:
            self.workers.remove(worker)
        self.wanted.put(True)

    def _spawner(self) -> None:
        """Starts the replacement workers. One thread for the pool's life: a worker asks the kernel to kill it
        when the thread that started it ends (`die_with_parent`), so that thread must last as long as the pool."""
        while self.wanted.get() and not self.closed:
            new = Worker(self.data_dir, self.root)
            if new.wait_ready() and not self.closed:
                self.workers.append(new)
                self.idle.put(new)
            else:
                new.kill()

    def close(self) -> None:
        self.closed = True
        self.wanted.put(False)
        for worker in list(self.workers):
            worker.kill()
        self.workers.clear()


def default_workers() -> int:
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))
