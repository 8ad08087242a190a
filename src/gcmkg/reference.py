"""Locate and load the ontology and the reference graph (objectives, states, organisations, ...)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from rdflib import Graph

from .iris import PREFIXES

ONTOLOGY_FILE = "gcm.owl.ttl"
SHAPES_FILE = "gcm.shacl.ttl"


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


def reference_files(root: Path | None = None) -> list[Path]:
    return sorted((ontology_dir(root) / "reference").glob("*.ttl"))


def bind(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


@cache
def _load(paths: tuple[Path, ...]) -> Graph:
    graph = bind(Graph())
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


def ontology(root: Path | None = None) -> Graph:
    return _load((ontology_file(root),))


def reference(root: Path | None = None) -> Graph:
    """Ontology and reference individuals together: the gazetteer and the TBox for reasoning."""
    return _load((ontology_file(root), *reference_files(root)))
