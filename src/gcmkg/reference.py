"""Locate and load the ontology and the reference graph (objectives, states, organisations, ...).

Parsing them takes about 0.2 s, less than converting a report, so nothing is kept on disk: within one process
the parsed graphs are kept in memory (the project's one cache), keyed by the files' contents, so an edited file
is read again and a long process (a test run) never sees a stale graph.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from rdflib import Graph

from .iris import PREFIXES

ONTOLOGY_FILE = "gcm.owl.ttl"
SHAPES_FILE = "gcm.shacl.ttl"
#: Parsed graphs kept per process (a test run meets a few projects; one build, one).
MEMORY_KEEP = 4


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


_PARSED: dict[str, Graph] = {}


def _load(paths: tuple[Path, ...]) -> Graph:
    """The files parsed into one graph; the same graph object again while their contents are the same (callers
    must not change it)."""
    contents = [p.read_bytes() for p in paths]
    key = hashlib.sha256(b"\0".join(str(p).encode() + b"\0" + c for p, c in zip(paths, contents))).hexdigest()
    if key not in _PARSED:
        graph = bind(Graph())
        for path, data in zip(paths, contents):
            graph.parse(data=data, format="turtle", publicID=path.resolve().as_uri())
        _PARSED[key] = graph
        for old in list(_PARSED)[:-MEMORY_KEEP]:
            del _PARSED[old]
    return _PARSED[key]


def ontology(root: Path | None = None) -> Graph:
    return _load((ontology_file(root),))


def reference(root: Path | None = None) -> Graph:
    """Ontology and reference individuals together: the gazetteer and the TBox for reasoning."""
    return _load((ontology_file(root), *reference_files(root)))


_DERIVED: dict[tuple[int, str], tuple[Graph, object]] = {}


def derived(graph: Graph, name: str, compute):  # noqa: ANN001, ANN201
    """`compute()`, kept beside a parsed graph of this module (the gazetteer and labels of a language): part of
    the same cache, so it goes when the graph goes."""
    key = (id(graph), name)
    if key not in _DERIVED or _DERIVED[key][0] is not graph:
        live = {id(g) for g in _PARSED.values()}
        for old in [k for k in _DERIVED if k[0] not in live]:
            del _DERIVED[old]
        _DERIVED[key] = (graph, compute())
    return _DERIVED[key][1]
