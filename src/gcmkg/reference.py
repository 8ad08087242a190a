"""Locate and load the ontology and the reference graph (objectives, states, organisations, ...).

They are parsed once per process, by pyoxigraph, into one dataset (each file its named graph, see `dataset`):
the project's one cache, in memory, keyed by the files' contents, so an edited file is read again and a long
process (a test run) never sees a stale graph. Nothing is kept on disk: parsing takes a few hundredths of a
second. The rdflib graphs the converter and the reasoner read are made from that dataset, and kept beside it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from rdflib import Graph

from . import dataset, iris
from .iris import PREFIXES

ONTOLOGY_FILE = "gcm.owl.ttl"
SHAPES_FILE = "gcm.shacl.ttl"
#: Parsed graphs kept per process (a test run meets a few projects; one build, one).
MEMORY_KEEP = 4

T = TypeVar("T")


def project_root(start: Path | None = None) -> Path:
    """The folder holding ontology/ and graph/: GCMKG_HOME, else the nearest parent of the working
    directory that has ontology/gcm.owl.ttl, else the checkout this package was installed from."""
    if env := os.environ.get("GCMKG_HOME"):
        return Path(env)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "ontology" / ONTOLOGY_FILE).is_file():
            return folder
    return Path(__file__).resolve().parents[2]


def ontology_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "ontology"


def ontology_file(root: Path | None = None) -> Path:
    return ontology_dir(root) / ONTOLOGY_FILE


def shapes_file(root: Path | None = None) -> Path:
    return ontology_dir(root) / SHAPES_FILE


def reference_files(root: Path | None = None) -> list[Path]:
    return sorted((ontology_dir(root) / "reference").glob("*.ttl"))


def bind(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def sources(root: Path | None = None) -> list[dataset.Source]:
    """The ontology and each file of the reference graph, with their named graphs."""
    path = ontology_file(root)
    out = [dataset.Source(str(iris.ontology_graph()), str(path), path.read_bytes())]
    out += [dataset.Source(str(iris.reference_graph(p.stem)), str(p), p.read_bytes()) for p in reference_files(root)]
    return out


#: files' contents -> (the parsed dataset, what is made from the ontology files alone: rdflib graphs,
#: gazetteers, labels, the parsed shapes)
_PARSED: dict[str, tuple[ox.Dataset, dict[str, object]]] = {}


def _entry(root: Path | None) -> tuple[ox.Dataset, dict[str, object]]:
    found = sources(root)
    shapes = shapes_file(root)
    key = hashlib.sha256(b"\0".join([*(s.graph.encode() + b"\0" + s.data for s in found),
                                      shapes.read_bytes() if shapes.is_file() else b""])).hexdigest()
    if key not in _PARSED:
        _PARSED[key] = (dataset.load(found), {})
        for old in list(_PARSED)[:-MEMORY_KEEP]:
            del _PARSED[old]
    return _PARSED[key]


def derived(root: Path | None, name: str, compute: Callable[[], T]) -> T:
    """`compute()`, made from the ontology and the reference graph alone and kept beside them: part of the one
    cache, so it is made again when a file changes."""
    values = _entry(root)[1]
    if name not in values:
        values[name] = compute()
    return values[name]  # type: ignore[return-value]


def with_data(root: Path | None = None) -> ox.Dataset:
    """A new dataset holding the ontology and the reference graph, to add report graphs to."""
    return ox.Dataset(_entry(root)[0])


def ontology(root: Path | None = None) -> Graph:
    """The ontology as an rdflib graph (the reasoner's TBox); the same object while the files are the same:
    callers must not change it."""
    ds = _entry(root)[0]
    return derived(root, "ontology", lambda: bind(dataset.rdflib_graph(ds, [str(iris.ontology_graph())])))


def reference(root: Path | None = None) -> Graph:
    """Ontology and reference individuals together as an rdflib graph: the gazetteer and the TBox."""
    ds = _entry(root)[0]
    return derived(root, "reference", lambda: bind(dataset.rdflib_graph(ds)))
