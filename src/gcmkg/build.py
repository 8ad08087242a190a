"""`gcmkg build`: convert reports into graph files, all or nothing, byte-for-byte reproducibly.

One pipeline, straight through: read -> extract -> resolve -> emit (`convert`), reason (`reason`), validate
(`validate`), serialise; each report on its own, in worker processes when there are several (one per core,
`$GCMKG_JOBS` or `jobs`), taken back in the order of the reports so the output does not depend on which worker
finishes first. Then the ontology, the reference graph and every report graph go into one RDF dataset
(`dataset`), from which the dataset description is made (`describe`: graph/void.ttl, graph/context.jsonld),
and the ontology's documentation (`docs`); the output folder is replaced by the new one in one step
(`atomic`): a reader, or a build killed half-way, sees the old folder or the new one, never a mix.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from . import atomic, dataset, describe, docs, emit, owlfiles, reason, reference, validate
from .convert import Converted, convert
from .errors import InputError, Problem
from .reference import project_root


def sources(root: Path) -> list[Path]:
    return sorted((root / "graph" / "sources").glob("*.md"))


class NotConforming(Exception):
    """A built graph violates the shapes: nothing is written unless the user allows it."""

    def __init__(self, reports: list[tuple[Path, validate.ValidationReport]]) -> None:
        self.reports = reports
        super().__init__(", ".join(str(p) for p, _ in reports))


@dataclass
class Built:
    """One report through the pipeline: what the build writes and says about it."""

    source: Path
    stem: str
    warnings: list[Problem]
    files: dict[str, bytes]  # <stem>.ttl and <stem>-inferred.ttl
    report: validate.ValidationReport | None  # None when not validated


def infer(converted: Converted, root: Path, reasoner: str | None = None) -> Graph:
    """What OWL RL reasoning adds to a report (`reasoner`: see `reason.reason`)."""
    return reason.reason(converted.graph, reference.ontology(root), reference.reference(root), reasoner)


def build_one(path: Path, root: Path, check: bool = True, reasoner: str | None = None,
              engine: str | None = None) -> Built:
    """Convert, reason, validate and serialise one report (InputError if it is unusable)."""
    converted = convert(path, root)
    inferred = infer(converted, root, reasoner)
    report = validate.validate(converted.graph, root, [str(path)], engine) if check else None
    asserted = owlfiles.report_header(converted.graph, converted.stem, root)
    emit.source_file(asserted, converted.stem, converted.origin)  # the file read: name, format, SHA-256
    files = {f"{converted.stem}.ttl": dataset.graph_turtle(asserted),
             f"{converted.stem}-inferred.ttl": dataset.graph_turtle(owlfiles.inferred_header(inferred, converted.stem))}
    return Built(path, converted.stem, converted.diagnostics.warnings, files, report)


def jobs_for(count: int, jobs: int | None = None) -> int:
    """How many worker processes for `count` reports: `jobs`, else $GCMKG_JOBS, else one per core.
    A $GCMKG_JOBS that is not a positive integer counts as unset, so a stray value slows nothing down;
    `gcmkg build --jobs` refuses such values instead."""
    if jobs is None:
        try:
            jobs = int(os.environ.get("GCMKG_JOBS", "0"))
        except ValueError:
            jobs = None
        if jobs is not None and jobs < 1:
            jobs = None
    if jobs is None:
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(jobs, count))


@dataclass
class _Failed:
    """An InputError raised in a worker process: raised again in the parent."""

    problem: Problem  # as the worker said it (a PDF's problem by page)


def _build_in_worker(args: tuple) -> Built | _Failed:
    try:
        return build_one(*args)
    except InputError as err:
        return _Failed(err.problem)


def reference_entailments(root: Path, reasoner: str | None = None) -> bytes:
    """graph/reference-inferred.ttl: what OWL RL reasoning adds to the reference graph alone (every State an
    Actor, ...), which no report's entailments repeat."""
    ds = reference.with_data(root)
    individuals = dataset.rdflib_graph(ds, [s.graph for s in reference.sources(root)[1:]])
    inferred = reason.reason(individuals, reference.ontology(root), Graph(), reasoner)
    return dataset.graph_turtle(owlfiles.reference_inferred_header(inferred, root))


def progress(done: int, total: int, item: Built) -> None:
    """One line per report on a terminal's standard error (nothing when it is a file or a pipe)."""
    if sys.stderr.isatty():
        bar = "#" * (20 * done // total)
        print(f"\r[{bar:<20}] {done}/{total} {item.stem}\033[K", end="\n" if done == total else "",
              file=sys.stderr, flush=True)


def build_each(reports: list[Path], root: Path, check: bool = True, jobs: int | None = None,
               reasoner: str | None = None, engine: str | None = None, quiet: bool = True) -> list[Built]:
    """Every report through the pipeline, in the order given, in `jobs_for` worker processes; unless `quiet`,
    `progress` as each comes back."""
    workers = jobs_for(len(reports), jobs)
    if workers <= 1:
        built = []
        for path in reports:
            built.append(build_one(path, root, check, reasoner, engine))
            if not quiet:
                progress(len(built), len(reports), built[-1])
        return built
    import multiprocessing

    # Workers are started fresh ("spawn"), never forked: pyoxigraph and pyrudof run threads of their own, and a
    # process forked while one of them holds a lock hangs. Each worker parses the reference graph once.
    context = multiprocessing.get_context("spawn")
    built = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for item in pool.map(_build_in_worker, [(path, root, check, reasoner, engine) for path in reports]):
            if isinstance(item, _Failed):  # on an unusable report, the reports after it are not worth converting
                pool.shutdown(wait=True, cancel_futures=True)
                raise InputError.of(item.problem)
            built.append(item)
            if not quiet:
                progress(len(built), len(reports), item)
    return built


def build(reports: list[Path], out: Path | None, root: Path | None = None, quiet: bool = False,
          allow_invalid: bool = False, check: bool = True, jobs: int | None = None,
          reasoner: str | None = None, engine: str | None = None) -> list[Built]:
    """Convert `reports` (default: graph/sources/*.md) into `out` (default: graph/): see the module docstring.
    `jobs`: worker processes (default: $GCMKG_JOBS, else one per core); `reasoner`: "rules" (default) or
    "owlrl" (see `reason.reason`); `engine`: the SHACL engine (see `validate`). NotConforming, and nothing
    written, when a graph violates the shapes (unless `allow_invalid`); InputError when a report is unusable."""
    reason.engine_name(reasoner)  # an unknown reasoner or engine is a ValueError before anything is done
    validate.engine_name(engine)
    root = root or project_root()
    reports = reports or sources(root)
    out = out or root / "graph"
    if out.exists() and not out.is_dir():  # said before the work, not after
        raise InputError(out, 1, "the output must be a folder, and this is a file")
    stems: dict[str, Path] = {}
    for path in reports:
        if path.stem in stems and Path(path).resolve() != stems[path.stem].resolve():  # report.md and report.pdf
            raise InputError(path, 1, f"{stems[path.stem]} is also named {path.stem}: both would be "
                                      f"graph/{path.stem}.ttl; build one form of a report")
        stems.setdefault(path.stem, Path(path))
        if path.stem == owlfiles.REFERENCE_STEM:
            raise InputError(path, 1, f"a report may not be named {path.name}: graph/{owlfiles.REFERENCE_INFERRED_FILE} "
                                      "holds the reference graph's entailments; rename the file")
    built = build_each(reports, root, check, jobs, reasoner, engine, quiet)  # InputError: stops before any write
    for item in built:
        for warning in item.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    failing = [(item.source, item.report) for item in built if item.report is not None and not item.report.conforms]
    if failing and not allow_invalid:
        raise NotConforming(failing)
    for source, _ in failing:
        print(f"warning: {source}: the graph does not conform to the shapes; written anyway (--allow-invalid)",
              file=sys.stderr)
    files = {name: data for item in built for name, data in item.files.items()}
    files[owlfiles.REFERENCE_INFERRED_FILE] = reference_entailments(root, reasoner)
    ds = dataset.load(dataset.report_sources(files), reference.with_data(root))
    graph_files = list(files)
    files.update(describe.describe_outputs(ds, files))  # graph/void.ttl and graph/context.jsonld
    files[owlfiles.ALL_FILE] = owlfiles.everything(graph_files, root)  # for Protégé: File > Open, all is there
    files[owlfiles.CATALOG_FILE] = owlfiles.catalog(graph_files, out, root)
    files["docs/index.html"] = docs.render_project(root)
    changed = sorted(name for name, data in files.items() if not same_bytes(out / name, data))
    atomic.write_folder(files, out)
    if not quiet:
        for name in changed:
            print(f"wrote {out / name}")
        print(f"{len(reports)} report{'s' if len(reports) != 1 else ''} built into {out}: {len(changed)} file"
              f"{'s' if len(changed) != 1 else ''} changed, {len(files) - len(changed)} unchanged")
    return built


def same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False
