"""`gcmkg build`: convert reports into graph files, all or nothing, byte-for-byte reproducibly."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from rdflib import Graph

from . import describe, docs, reason, reference, validate
from .convert import Converted, convert
from .reference import project_root


def sources(root: Path) -> list[Path]:
    return sorted((root / "graph" / "sources").glob("*.md"))


def serialise(graph: Graph) -> bytes:
    """Deterministic Turtle: prefixes bound explicitly, subjects and objects sorted by rdflib, UTF-8, \\n."""
    data = graph.serialize(format="longturtle", encoding="utf-8")
    return data.replace(b"\r\n", b"\n")


def outputs(converted: Converted, root: Path) -> dict[str, bytes]:
    """File name -> bytes for one report: the asserted graph and, apart, what OWL RL reasoning adds."""
    inferred = reason.reason(converted.graph, reference.ontology(root), reference.reference(root))
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


def build(reports: list[Path], out: Path | None, root: Path | None = None, quiet: bool = False,
          allow_invalid: bool = False, check: bool = True) -> list[Converted]:
    root = root or project_root()
    reports = reports or sources(root)
    out = out or root / "graph"
    converted = [convert(path, root) for path in reports]  # InputError stops here, before any write
    files: dict[str, bytes] = {}
    failing: list[tuple[Path, validate.ValidationReport]] = []
    for item in converted:
        for warning in item.diagnostics.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if check:
            report = validate.validate(item.graph, root, [str(item.source)])
            if not report.conforms:
                failing.append((item.source, report))
        files.update(outputs(item, root))
    if failing and not allow_invalid:
        raise NotConforming(failing)
    files.update(describe.describe_outputs(files, root))  # graph/void.ttl and graph/context.jsonld
    files["docs/index.html"] = docs.render(reference.ontology(root))
    for source, report in failing:
        print(f"warning: {source}: the graph does not conform to the shapes; written anyway (--allow-invalid)",
              file=sys.stderr)
    write_all(files, out)
    if not quiet:
        for name in sorted(files):
            print(f"wrote {out / name}")
    return converted
