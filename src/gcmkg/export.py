"""`gcmkg export`: the whole graph in one file, in the RDF syntax a tool or a triplestore wants.

The whole graph is the ontology, the reference graph (one file per vocabulary) and, for every report built
into graph/, its asserted graph and the graph of what OWL RL reasoning adds to it, each source a named graph
(see `dataset`). TriG and N-Quads keep the named graphs apart; Turtle, N-Triples, JSON-LD and RDF/XML get their
union, without the `owl:imports` of the graph files (everything they import is in it, so an OWL tool opening
the one file fetches nothing). `--what ontology` writes the ontology alone (what an ontology editor wants in
RDF/XML). The writers are pyoxigraph's (JSON-LD compacted by rdflib), deterministic: see `dataset`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pyoxigraph as ox

from . import dataset, reference
from .dataset import FORMATS
from .reference import project_root

WHAT = ("ontology", "all")


def file_name(fmt: str, what: str = "all") -> str:
    """The name a distribution gets: gcmkg.<suffix> for the whole graph, gcm.owl.<suffix> for the ontology."""
    return ("gcm.owl" if what == "ontology" else "gcmkg") + FORMATS[fmt].suffix


def sources(root: Path, graph_dir: Path, what: str = "all", inferred: bool = True) -> list[dataset.Source]:
    ontology = reference.sources(root)
    if what == "ontology":
        return ontology[:1]
    reports = dataset.report_sources(dataset.built_files(graph_dir))
    return ontology + [s for s in reports if inferred or not s.inferred]


IMPORTS = ox.NamedNode("http://www.w3.org/2002/07/owl#imports")


def serialise(ds: ox.Dataset, fmt: str) -> bytes:
    """One syntax of the dataset; a merged one (not N-Quads or TriG) without owl:imports."""
    if not FORMATS[fmt].quads:
        ds = ox.Dataset(q for q in ds if q.predicate != IMPORTS)
    return dataset.serialise(ds, fmt)


def export(root: Path, graph_dir: Path, fmt: str, what: str = "all", inferred: bool = True) -> bytes:
    return serialise(dataset.load(sources(root, graph_dir, what, inferred)), fmt)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=[*FORMATS, "all"], default="ttl",
                   help="ttl, nt, jsonld, xml: one merged graph; nq, trig: one named graph per source; "
                        "all: the whole graph in every syntax into the folder --out, named as in graph/void.ttl "
                        "(default: ttl)")
    p.add_argument("-o", "--out", default="-",
                   help="output file, '-' for stdout (default); with --format all, a folder")
    p.add_argument("--graph", type=Path, metavar="DIR", help="folder of the built report graphs (default: graph/)")
    p.add_argument("--what", choices=WHAT, default="all",
                   help="ontology: the ontology alone; all: ontology, reference graph and reports (default)")
    p.add_argument("--no-inferred", action="store_true", help="leave out the OWL RL inferred graphs")


def run(args: argparse.Namespace) -> int:
    root = project_root()
    graph_dir = args.graph or root / "graph"
    if args.format == "all":
        if args.out in (None, "-"):
            print("error: --format all needs --out DIR", file=sys.stderr)
            return 2
        store = dataset.load(sources(root, graph_dir, args.what, not args.no_inferred))
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for fmt in FORMATS:
            (out / file_name(fmt, args.what)).write_bytes(serialise(store, fmt))
        return 0
    data = export(root, graph_dir, args.format, args.what, inferred=not args.no_inferred)
    if args.out in (None, "-"):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        Path(args.out).write_bytes(data)
    return 0
