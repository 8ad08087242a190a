"""The measured things of the benchmark, one per process: `python bench/stages.py KIND ...`.

`bench/run.py` starts each of these in a fresh process (so its peak RSS is its own) and reads what it prints:
one JSON object per line, the last one with `"event": "done"`. A worker that is killed on its timeout has
already printed what it finished.

Kinds:
- `convert REPORT...`: gcmkg's read/extract/emit of each report (`gcmkg.convert.convert`).
- `reason --graph DIR`: gcmkg's OWL RL reasoning (`gcmkg.reason.reason`) of each asserted graph in DIR.
- `validate --graph DIR`: gcmkg's validation (`gcmkg.validate.validate`, its default SHACL engine) of each
  asserted graph in DIR.
- `describe --graph DIR`: the dataset of DIR loaded (`gcmkg.dataset.load`: ontology, reference graph, every
  report graph), its description (`gcmkg.describe.describe_outputs`: void.ttl, context.jsonld) and every export
  format serialised once (`gcmkg.dataset.serialise` for each of `gcmkg.dataset.FORMATS`).
- `naive --graph DIR`: the baseline with the same libraries: owlrl's full OWL RL closure over ontology +
  reference + every asserted graph of DIR, then pySHACL with RDFS inference on the whole graph.
- `union --graph DIR --out FILE.nt`: ontology + reference + every asserted graph of DIR as one N-Triples file
  (the data Jena validates).
- `queries --data DIR [--endpoint URL]`: each canned query's latency on gcmkg's embedded store (Oxigraph, as
  `gcmkg query` opens it), rdflib, and the endpoint (after loading DIR's files into it through the Graph Store
  Protocol).

Only gcmkg's public functions are called, each inside try/except: when an internal API changes, the stage
reports the error instead of stopping the benchmark.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import time
import traceback
import urllib.request
from pathlib import Path

START = time.perf_counter()
ROOT = Path(__file__).resolve().parents[1]
INFERRED = "-inferred.ttl"
#: Turtle files of a built folder that are no report graph (as `gcmkg.dataset.NOT_REPORTS`, which the stages
#: that do not import gcmkg cannot read): the dataset description and a Turtle export written there.
NOT_REPORTS = {"void.ttl", "gcmkg.ttl"}


def emit(**values) -> None:
    print(json.dumps(values, ensure_ascii=False), flush=True)


def asserted_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.ttl") if not p.name.endswith(INFERRED) and p.name not in NOT_REPORTS)


def error(stage: str, err: BaseException) -> None:
    emit(event="error", stage=stage, error=f"{type(err).__name__}: {err}",
         trace=traceback.format_exc(limit=3)[-2000:])


class Timeout(Exception):
    pass


def _alarm(signum, frame):  # noqa: ANN001
    raise Timeout()


def setup() -> float:
    """Import gcmkg and load the ontology and reference graph (what every stage needs first)."""
    from gcmkg import reference
    reference.reference(ROOT)
    reference.ontology(ROOT)
    return time.perf_counter() - START


# ----------------------------------------------------------------------------------------------- gcmkg's stages


def stage_convert(paths: list[Path]) -> None:
    emit(event="setup", seconds=setup())
    from gcmkg import convert
    times, warnings, triples = [], 0, 0
    for path in paths:
        t = time.perf_counter()
        converted = convert.convert(path, ROOT)
        times.append(time.perf_counter() - t)
        warnings += len(converted.diagnostics.warnings)
        triples += len(converted.graph)
    emit(event="done", stage="convert", times=times, warnings=warnings, triples=triples)


def load_graphs(folder: Path) -> list[tuple[Path, object]]:
    from rdflib import Graph
    return [(path, Graph().parse(path, format="turtle")) for path in asserted_files(folder)]


def stage_reason(folder: Path) -> None:
    emit(event="setup", seconds=setup())
    from gcmkg import reason, reference
    graphs = load_graphs(folder)
    ontology, ref = reference.ontology(ROOT), reference.reference(ROOT)
    times, inferred = [], 0
    for _, graph in graphs:
        t = time.perf_counter()
        out = reason.reason(graph, ontology, ref)
        times.append(time.perf_counter() - t)
        inferred += len(out)
    emit(event="done", stage="reason", times=times, inferred=inferred)


def stage_validate(folder: Path) -> None:
    emit(event="setup", seconds=setup())
    from gcmkg import validate
    graphs = load_graphs(folder)
    engine = validate.engine_name()  # the build's default ($GCMKG_SHACL, else rudof): named in the output
    times, failing, counts = [], 0, {}
    for path, graph in graphs:
        t = time.perf_counter()
        report = validate.validate(graph, ROOT, [str(path)])
        times.append(time.perf_counter() - t)
        failing += not report.conforms
        for key, value in report.counts().items():
            counts[key] = counts.get(key, 0) + value
    emit(event="done", stage="validate", times=times, failing=failing, counts=counts, engine=engine)


def stage_describe(folder: Path) -> None:
    """What `gcmkg build` does after the reports (load the dataset, describe it) plus what `gcmkg export` does
    (each format once): the whole-dataset work, which grows with N but is not per report."""
    emit(event="setup", seconds=setup())
    from gcmkg import dataset, describe, reference
    reports = dataset.built_files(folder)  # read before the clock: the build has these bytes in memory
    t = time.perf_counter()
    ds = dataset.load(dataset.report_sources(reports), reference.with_data(ROOT))
    load = time.perf_counter() - t
    t = time.perf_counter()
    described = describe.describe_outputs(ds, reports)
    description = time.perf_counter() - t
    exports: dict[str, float] = {}
    size = sum(len(v) for v in described.values())
    for fmt in dataset.FORMATS:
        t = time.perf_counter()
        size += len(dataset.serialise(ds, fmt))
        exports[fmt] = time.perf_counter() - t
    # One total (the stage is not per report); the parts say where it goes.
    emit(event="done", stage="describe", times=[load + description + sum(exports.values())], bytes=size,
         quads=len(ds), parts={"load": load, "describe": description, **{f"export {k}": v for k, v in exports.items()}})


# ----------------------------------------------------------------------------------------------- the baseline


def stage_naive(folder: Path) -> None:
    """What one would write first: the whole closure, then the whole validation with RDFS inference."""
    import owlrl
    import pyshacl
    from rdflib import Graph
    t = time.perf_counter()
    graph = Graph()
    for path in [ROOT / "ontology" / "gcm.owl.ttl", *sorted((ROOT / "ontology" / "reference").glob("*.ttl")),
                 *asserted_files(folder)]:
        graph.parse(path, format="turtle")
    shapes = Graph().parse(ROOT / "ontology" / "gcm.shacl.ttl", format="turtle")
    before = len(graph)
    emit(event="load", seconds=time.perf_counter() - t, triples=before)
    t = time.perf_counter()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    emit(event="reason", seconds=time.perf_counter() - t, triples=len(graph), inferred=len(graph) - before)
    t = time.perf_counter()
    conforms, _, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="rdfs", allow_warnings=True)
    emit(event="validate", seconds=time.perf_counter() - t, conforms=bool(conforms))
    emit(event="done", stage="naive")


def stage_union(folder: Path, out: Path) -> None:
    """One N-Triples file for Jena. Written with rdflib, not pyoxigraph: Oxigraph (0.5) stores an
    xsd:positiveInteger literal as xsd:integer, which the shapes' sh:datatype would then reject."""
    from rdflib import Graph
    graph = Graph()
    files = [ROOT / "ontology" / "gcm.owl.ttl", *sorted((ROOT / "ontology" / "reference").glob("*.ttl")),
             *asserted_files(folder)]
    for path in files:
        graph.parse(path, format="turtle")
    graph.serialize(out, format="nt", encoding="utf-8")
    emit(event="done", stage="union", triples=len(graph), files=len(files))


# ----------------------------------------------------------------------------------------------- queries


def timed_query(store, text: str, repeat: int, budget: float, timeout: float) -> dict:
    """Median latency of `repeat` runs (fewer if the budget for this query is spent); one run is cut after
    `timeout` seconds."""
    samples: list[float] = []
    rows = None
    spent = time.perf_counter()
    while len(samples) < repeat and (not samples or time.perf_counter() - spent < budget):
        signal.setitimer(signal.ITIMER_REAL, timeout)
        t = time.perf_counter()
        try:
            result = store.query(text)
        except Timeout:
            return {"timeout": timeout, "samples": samples}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        samples.append(time.perf_counter() - t)
        rows = len(result.rows) if result.kind == "select" else len(result.triples)
    return {"median": statistics.median(samples), "samples": samples, "rows": rows}


def load_endpoint(url: str, files: list[Path]) -> None:
    """POST every file into the server's default graph (SPARQL 1.1 Graph Store Protocol)."""
    for path in files:
        request = urllib.request.Request(f"{url}/store?default", data=path.read_bytes(), method="POST",
                                         headers={"Content-Type": "text/turtle"})
        with urllib.request.urlopen(request, timeout=600) as answer:
            answer.read()


def stage_queries(folder: Path, endpoint: str | None, repeat: int, budget: float, timeout: float,
                  stores: list[str]) -> None:
    signal.signal(signal.SIGALRM, _alarm)
    from gcmkg import query, store as stores_module
    files = query.data_files([folder], ROOT)  # as `gcmkg query --data DIR`: ontology, reference, report graphs
    canned = [q for q in query.canned_queries(ROOT) if not q.name.endswith("-violation")]
    texts = {q.name: query.bind_parameters(q, []) for q in canned}
    emit(event="files", count=len(files), names=[p.name for p in files])
    for kind in stores:
        try:
            t = time.perf_counter()
            if kind == "endpoint":
                if not endpoint:
                    continue
                load_endpoint(endpoint, files)
                store = stores_module.EndpointStore(f"{endpoint}/query")
            else:  # oxigraph (the default of `gcmkg query`) or rdflib (`--store rdflib`)
                store = stores_module.open_store(kind, files)
            emit(event="load", store=kind, seconds=time.perf_counter() - t)
        except Exception as err:  # noqa: BLE001 - reported, the other stores still run
            error(f"load {kind}", err)
            continue
        for name, text in texts.items():
            try:
                emit(event="query", store=kind, query=name, **timed_query(store, text, repeat, budget, timeout))
            except Exception as err:  # noqa: BLE001
                error(f"{kind} {name}", err)
        del store
    emit(event="done", stage="queries")


# ----------------------------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("kind", choices=["convert", "reason", "validate", "describe", "naive", "union", "queries"])
    p.add_argument("reports", nargs="*", type=Path)
    p.add_argument("--graph", type=Path)
    p.add_argument("--data", type=Path)
    p.add_argument("--out", type=Path)
    p.add_argument("--endpoint")
    p.add_argument("--stores", default="oxigraph,rdflib,endpoint")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--budget", type=float, default=20.0, help="seconds of repeats per query and store")
    p.add_argument("--query-timeout", type=float, default=120.0)
    args = p.parse_args(argv)
    try:
        if args.kind == "convert":
            stage_convert(args.reports)
        elif args.kind == "reason":
            stage_reason(args.graph)
        elif args.kind == "validate":
            stage_validate(args.graph)
        elif args.kind == "describe":
            stage_describe(args.graph)
        elif args.kind == "naive":
            stage_naive(args.graph)
        elif args.kind == "union":
            stage_union(args.graph, args.out)
        else:
            stage_queries(args.data, args.endpoint, args.repeat, args.budget, args.query_timeout,
                          args.stores.split(","))
    except Exception as err:  # noqa: BLE001 - the harness reads the error line
        error(args.kind, err)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
