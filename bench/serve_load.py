"""Load test of `gcmkg serve`: 50 concurrent clients for a bounded time on 127.0.0.1, zero errors expected.

    python bench/serve_load.py [--clients 50] [--seconds 20] [--out bench/RESULTS.md]

Starts `gcmkg serve` on a free port (graph/ by default), then:
1. the load: `--clients` clients, each a keep-alive HTTP/1.1 connection (a minimal asyncio client, so the
   measuring side costs little of the 2 cores it shares with the server), requesting for `--seconds` seconds a
   random mix: 85% pages (every resource page of the graph in English and French, the home page, charts,
   search) and 15% SPARQL (the canned queries, sent to /sparql); p50/p95/max latency per kind, errors;
2. each canned query alone (no load), median of 7 on /sparql, against its time on the embedded store (the
   same pyoxigraph store, in process) — the goal is "≤ embedded + 20 ms".
The results replace the section between the markers below in `--out` (bench/run.py writes the rest of it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from sections import replace_section  # bench/sections.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- serve_load.py: begin -->"
END = "<!-- serve_load.py: end -->"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: What each kind of client asks for: a browser, and a SPARQL client.
ACCEPT = {"page": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
          "sparql": "application/sparql-results+json"}


async def fetch(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, accept: str) -> int:
    """One GET on a keep-alive connection: the status (the body is read and dropped)."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {accept}\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.readexactly(length)
    return status


async def client(port: int, urls: list[tuple[str, str]], until: float, seed: int,
                 times: dict[str, list[float]], errors: list[str]) -> None:
    rng = random.Random(seed)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < until:
            kind, path = rng.choice(urls)
            start = time.perf_counter()
            try:
                status = await fetch(reader, writer, path, ACCEPT[kind])
            except (asyncio.IncompleteReadError, ConnectionError) as err:
                errors.append(f"{path}: {err}")
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            times[kind].append(time.perf_counter() - start)
            if status != 200:
                errors.append(f"{path}: HTTP {status}")
    finally:
        writer.close()


def workload(served, queries) -> list[tuple[str, str]]:  # noqa: ANN001
    """The mix: (kind, path); pages weighted 85%, SPARQL 15%."""
    pages = [("page", f"{p}.html{'?lang=fr' if lang == 'fr' else ''}") for p in sorted(served.paths)
             if p != "/ontology" for lang in ("en", "fr")]
    pages += [("page", "/"), ("page", "/charts"), ("page", "/charts/heatmap"), ("page", "/search?q=dan")]
    sparql = [("sparql", "/sparql?query=" + quote(q.text)) for q in queries]
    weight = max(1, round(len(pages) * 0.15 / 0.85 / len(sparql)))
    return pages + sparql * weight


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--data", type=Path, default=ROOT / "graph")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "src"))
    from gcmkg import query as query_module
    from gcmkg.linkeddata import Served

    served = Served(args.data, ROOT)
    queries = [q for q in query_module.canned_queries(ROOT) if not q.name.endswith("-violation")]
    port = free_port()
    gcmkg = Path(sys.executable).parent / "gcmkg"
    server = subprocess.Popen([str(gcmkg), "serve", "--port", str(port), "--data", str(args.data)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/static/style.css", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        urls = workload(served, queries)
        times: dict[str, list[float]] = {"page": [], "sparql": []}
        errors: list[str] = []

        async def load() -> None:
            until = time.monotonic() + args.seconds
            await asyncio.gather(*(client(port, urls, until, n, times, errors) for n in range(args.clients)))

        load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        start = time.monotonic()
        asyncio.run(load())
        elapsed = time.monotonic() - start
        alone = single_queries(port, served, queries)
    finally:
        server.terminate()
        server.wait(20)

    rows = []
    for kind, label in (("page", "pages (HTML)"), ("sparql", "SPARQL (canned queries)")):
        values = times[kind]
        if values:
            rows.append(f"| {label} | {len(values)} | {len(values) / elapsed:.0f}/s | "
                        f"{percentile(values, 50) * 1000:.1f} ms | {percentile(values, 95) * 1000:.1f} ms | "
                        f"{max(values) * 1000:.0f} ms |")
    page_p95 = percentile(times["page"], 95) * 1000 if times["page"] else float("nan")
    worst = max(alone, key=lambda r: r[2] - r[1]) if alone else None
    text = [BEGIN, "", "## `gcmkg serve` under load (bench/serve_load.py)", "",
            f"{args.clients} concurrent keep-alive clients for {args.seconds:g} s on 127.0.0.1, `gcmkg serve` with its "
            f"defaults ({os.cpu_count()} cores shared by server and clients; {len(urls)} URLs: every resource page in "
            "English and French, home, charts, search, and the canned queries on /sparql). Latency is per request, "
            "first (uncached) renderings included. The machine's load average (1 min) when the run began: "
            f"{load_before:.2f} (other work on it slows the server and the clients alike).", "",
            "| kind | requests | throughput | p50 | p95 | max |", "|---|---|---|---|---|---|", *rows, "",
            f"Errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else "") + ".", "",
            "Each canned query alone on /sparql (median of 7, HTTP included) against the same query on the "
            "embedded store in process:", "", "| query | embedded | /sparql | difference |", "|---|---|---|---|",
            *(f"| {name} | {e * 1000:.1f} ms | {h * 1000:.1f} ms | {(h - e) * 1000:+.1f} ms |" for name, e, h in alone),
            "", "Verdicts:",
            f"- **{'met' if page_p95 <= 100 else 'not met'}** — pages p95 ≤ 100 ms under {args.clients} clients: "
            f"{page_p95:.1f} ms",
            f"- **{'met' if not errors else 'not met'}** — zero errors: {len(errors)}",
            f"- **{'met' if worst and worst[2] - worst[1] <= 0.020 else 'not met'}** — SPARQL canned queries ≤ "
            f"embedded + 20 ms: worst {worst[0]} {(worst[2] - worst[1]) * 1000:+.1f} ms" if worst else "",
            "", END]
    section = "\n".join(text) + "\n"
    replace_section(args.out, BEGIN, END, section)
    print(section)
    return 0 if not errors else 1


def single_queries(port: int, served, queries) -> list[tuple[str, float, float]]:  # noqa: ANN001
    """(name, embedded median, /sparql median) of each canned query, run alone."""
    out = []
    for q in queries:
        embedded, over_http = [], []
        for _ in range(7):
            start = time.perf_counter()
            list(served.store.query(q.text, use_default_graph_as_union=True))
            embedded.append(time.perf_counter() - start)
            start = time.perf_counter()
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sparql?query={quote(q.text)}", timeout=60).read()
            over_http.append(time.perf_counter() - start)
        out.append((q.name, statistics.median(embedded), statistics.median(over_http)))
    return out


if __name__ == "__main__":
    sys.exit(main())
