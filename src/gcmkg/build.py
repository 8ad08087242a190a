"""`gcmkg build`: convert reports into graph files, all or nothing, byte-for-byte reproducibly.

Each report is converted, validated (`validate`), reasoned over (`reason`) and serialised on its own; with
more than one report, in worker processes (one per core, `$GCMKG_JOBS` or `jobs` to choose), results taken
back in the order of the reports, so the output does not depend on which worker finishes first. Then the
dataset description (`describe`: graph/void.ttl, graph/context.jsonld), the canned queries' answers
(`answers`: graph/answers/) and the ontology's documentation (`docs`) are made from all of them, and every
file is written at once, or none.
"""

from __future__ import annotations

import gc
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from . import answers, describe, docs, reason, reference, validate
from .convert import Converted, convert
from .errors import InputError
from .export import fast_longturtle, report_files
from .reference import project_root


def sources(root: Path) -> list[Path]:
    return sorted((root / "graph" / "sources").glob("*.md"))


def serialise(graph: Graph) -> bytes:
    """Deterministic Turtle: prefixes bound explicitly, subjects and objects sorted by rdflib, UTF-8, \\n.
    (rdflib's longturtle, byte for byte, from export's faster writer.)"""
    return fast_longturtle(graph, reference.PREFIXES)


def outputs(converted: Converted, root: Path, inferred: Graph | None = None) -> dict[str, bytes]:
    """File name -> bytes for one report: the asserted graph and, apart, what OWL RL reasoning adds."""
    if inferred is None:
        inferred = infer(converted, root)
    return {f"{converted.stem}.ttl": serialise(converted.graph),
            f"{converted.stem}-inferred.ttl": serialise(inferred)}


def write_all(files: dict[str, bytes], out: Path) -> None:
    """Write into a temporary folder beside `out`, then move each file into place."""
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".gcmkg-", dir=out))
    try:
        for name, data in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_bytes(data)
        for name in files:
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


class NotConforming(Exception):
    """A built graph violates the shapes: nothing is written unless the user allows it."""

    def __init__(self, reports: list[tuple[Path, validate.ValidationReport]]) -> None:
        self.reports = reports
        super().__init__(", ".join(str(p) for p, _ in reports))


@dataclass
class Built:
    """One report through the pipeline."""

    converted: Converted
    inferred: Graph
    files: dict[str, bytes]  # <stem>.ttl and <stem>-inferred.ttl
    report: validate.ValidationReport | None  # None when not validated


def infer(converted: Converted, root: Path, reasoner: str | None = None) -> Graph:
    """What OWL RL reasoning adds to a report (`reasoner`: see `reason.reason`)."""
    return reason.reason(converted.graph, reference.ontology(root), reference.reference(root), reasoner)


def build_one(path: Path, root: Path, check: bool = True, reasoner: str | None = None) -> Built:
    """Convert, validate, reason and serialise one report (InputError if it is unusable)."""
    converted = convert(path, root)
    report = validate.validate(converted.graph, root, [str(converted.source)]) if check else None
    inferred = infer(converted, root, reasoner)
    return Built(converted, inferred, outputs(converted, root, inferred), report)


def jobs_for(count: int, jobs: int | None = None) -> int:
    """How many worker processes for `count` reports: `jobs`, else $GCMKG_JOBS, else one per core.
    A $GCMKG_JOBS that is not a positive integer counts as unset ("0" has always meant the default), so a
    stray value slows nothing down; `gcmkg build --jobs` refuses such values instead."""
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


def warm(root: Path, check: bool) -> None:
    """Load what every report needs once, before workers start (they inherit it when forked)."""
    reference.reference(root)
    reference.ontology(root)
    if check:
        validate.warm(root)


@dataclass
class _Failed:
    """An InputError raised in a worker process (it does not pickle): raised again in the parent."""

    file: str
    line: int
    message: str


def _build_in_worker(args: tuple[Path, Path, bool, str | None]) -> Built | _Failed:
    try:
        return build_one(*args)
    except InputError as err:
        return _Failed(err.problem.file, err.problem.line, err.problem.message)


def _raised(item: Built | _Failed) -> Built:
    if isinstance(item, _Failed):
        raise InputError(item.file, item.line, item.message)
    return item


def build_each(reports: list[Path], root: Path, check: bool = True, jobs: int | None = None,
               reasoner: str | None = None) -> Iterator[Built]:
    """Every report through the pipeline, in the order given, in `jobs_for` worker processes."""
    workers = jobs_for(len(reports), jobs)
    if workers <= 1:
        for path in reports:
            yield build_one(path, root, check, reasoner)
        return
    import multiprocessing

    warm(root, check)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    try:
        for item in pool.map(_build_in_worker, [(path, root, check, reasoner) for path in reports]):
            yield _raised(item)
    finally:  # on an unusable report, the reports after it are not worth converting
        pool.shutdown(wait=True, cancel_futures=True)


class Background:
    """`fn(*args)` computed in a forked child process while the caller goes on; `result()` waits for it (and
    computes it here if the child could not)."""

    def __init__(self, fn, *args) -> None:  # noqa: ANN001
        import multiprocessing

        self.fn, self.args = fn, args
        context = multiprocessing.get_context("fork")
        self.receiver, sender = context.Pipe(duplex=False)
        self.process = context.Process(target=_background, args=(sender, fn, args), daemon=True)
        self.process.start()
        sender.close()

    def result(self):  # noqa: ANN201
        try:
            ok, value = self.receiver.recv()
        except (EOFError, OSError):  # the child died (killed, out of memory): do it here
            ok, value = True, self.fn(*self.args)
        finally:
            self.receiver.close()
            self.process.join()
        if not ok:
            raise value
        return _raised(value) if isinstance(value, _Failed) else value


def _background(sender, fn, args) -> None:  # noqa: ANN001
    try:
        value = (True, fn(*args))
    except InputError as err:
        value = (True, _Failed(err.problem.file, err.problem.line, err.problem.message))
    except BaseException as err:  # noqa: BLE001 - handed to the parent, which raises it
        value = (False, err)
    try:
        sender.send(value)
    except Exception as err:  # noqa: BLE001 - e.g. an exception that does not pickle
        sender.send((False, RuntimeError(f"{type(err).__name__}: {err}")))
    sender.close()


def can_fork(jobs: int | None = None) -> bool:
    import multiprocessing

    return jobs_for(2, jobs) >= 2 and "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Python's cycle collector, at its default thresholds, walks the hundred thousand long-lived rdflib terms
    of the reference graph again and again while a build allocates: a tenth of the build's time. Run it
    less often meanwhile."""
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], 50_000), max(thresholds[1], 20), max(thresholds[2], 100))
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def build(reports: list[Path], out: Path | None, root: Path | None = None, quiet: bool = False,
          allow_invalid: bool = False, check: bool = True, jobs: int | None = None,
          reasoner: str | None = None) -> list[Converted]:
    """Convert `reports` (default: graph/sources/*.md) into `out` (default: graph/): see the module docstring.
    `jobs`: worker processes (default: $GCMKG_JOBS, else one per core); `reasoner`: "rules" (default) or
    "owlrl" (see `reason.reason`; default: $GCMKG_REASONER). NotConforming, and nothing written, when a graph
    violates the shapes (unless `allow_invalid`); InputError when a report is unusable."""
    reason.engine_name(reasoner)  # an unknown reasoner is a ValueError before anything is done
    with fewer_collections():
        return _build(reports, out, root, quiet, allow_invalid, check, jobs, reasoner)


def _build(reports: list[Path], out: Path | None, root: Path | None, quiet: bool, allow_invalid: bool,
           check: bool, jobs: int | None, reasoner: str | None) -> list[Converted]:
    root = root or project_root()
    reports = reports or sources(root)
    out = out or root / "graph"
    background = None
    if len(reports) == 1 and check and can_fork(jobs):
        # One report: its validation runs in a second process while this one reasons and describes.
        converted = convert(reports[0], root)  # InputError stops here, before any write
        background = Background(validate.validate, converted.graph, root, [str(converted.source)])
        inferred = infer(converted, root, reasoner)
        built = [Built(converted, inferred, outputs(converted, root, inferred), None)]
    else:
        built = list(build_each(reports, root, check, jobs, reasoner))  # InputError stops here, before any write
    files: dict[str, bytes] = {}
    graphs: dict[str, Graph] = {}
    for item in built:
        for warning in item.converted.diagnostics.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        files.update(item.files)
        graphs[f"{item.converted.stem}.ttl"] = item.converted.graph
        graphs[f"{item.converted.stem}-inferred.ttl"] = item.inferred
    if background is None:
        failing = [(item.converted.source, item.report) for item in built
                   if item.report is not None and not item.report.conforms]
        if failing and not allow_invalid:
            raise NotConforming(failing)
    files.update(describe.describe_outputs(files, root, graphs=graphs))  # graph/void.ttl and graph/context.jsonld
    # graph/answers/: the canned queries' results over these graphs, which `gcmkg query` reads (see answers)
    files.update(answers.materialise(report_files(files), root))
    files["docs/index.html"] = docs.render_project(root)
    if background is not None:
        built[0].report = background.result()
        failing = [(built[0].converted.source, built[0].report)] if not built[0].report.conforms else []
        if failing and not allow_invalid:
            raise NotConforming(failing)
    for source, report in failing:
        print(f"warning: {source}: the graph does not conform to the shapes; written anyway (--allow-invalid)",
              file=sys.stderr)
    write_all(files, out)
    if not quiet:
        for name in sorted(files):
            print(f"wrote {out / name}")
    return [item.converted for item in built]
