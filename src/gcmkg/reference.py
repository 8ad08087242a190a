"""Locate and load the ontology and the reference graph (objectives, states, organisations, ...), and keep
what is computed from them in a cache across runs.

Parsing the ontology and the reference graph (about 9,000 triples of Turtle) and everything derived from them
alone (the gazetteer, the reference part of the exports, the validation results of the reference nodes)
costs more than converting a report. So `cached()` keeps such values in a pickle under
`$GCMKG_CACHE_DIR`, else `$XDG_CACHE_HOME/gcmkg`, else `~/.cache/gcmkg` (never inside graph/), keyed by
the SHA-256 of the contents of the files they come from (`fingerprint()`), of gcmkg's own source files and
of the versions of the libraries that computed them: a changed file gives a new key, never a stale value. A cache folder that
cannot be written, or a file that cannot be read back, only costs the time to compute the value again;
`GCMKG_CACHE_DIR=off` turns the disk cache off. Within one process values are also kept in memory.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from rdflib import Graph

from .iris import PREFIXES

ONTOLOGY_FILE = "gcm.owl.ttl"
SHAPES_FILE = "gcm.shacl.ttl"

#: Bumped whenever what a cached value holds, or how it is computed, changes.
CACHE_FORMAT = "1"
#: Cache files kept per kind of value (older ones are removed), and values kept in memory per kind.
CACHE_KEEP = 6
MEMORY_KEEP = 3

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


def reference_files(root: Path | None = None) -> list[Path]:
    return sorted((ontology_dir(root) / "reference").glob("*.ttl"))


def bind(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


# ---------------------------------------------------------------------------------------------- the cache


def cache_dir() -> Path | None:
    """Where cached values go, or None when the disk cache is off."""
    configured = os.environ.get("GCMKG_CACHE_DIR")
    if configured is not None:
        return None if configured.strip().lower() in ("", "off", "0", "no", "none") else Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "gcmkg"
    try:
        return Path.home() / ".cache" / "gcmkg"
    except (RuntimeError, KeyError):  # no home folder
        return None


def _versions() -> str:
    """The versions of gcmkg and of the libraries whose results are cached (without importing them: importing
    pySHACL alone costs more than reading the cache)."""
    from importlib.metadata import PackageNotFoundError, version

    from . import __version__
    code = hashlib.sha256()  # the code that computes the values: an edited checkout must not read stale ones
    for path in sorted(Path(__file__).parent.glob("*.py")):
        code.update(path.name.encode() + b"\0" + path.read_bytes())
    found = [CACHE_FORMAT, f"gcmkg {__version__} {code.hexdigest()}"]
    for package in ("rdflib", "owlrl", "pyshacl", "pyoxigraph"):
        try:
            found.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            found.append(f"{package} -")
    return " ".join(found)


_VERSIONS: list[str] = []


def fingerprint(paths: Iterable[Path], *extra: str) -> str:
    """SHA-256 of the names and contents of `paths`, of `extra` and of the versions of the code that computes
    the cached values."""
    if not _VERSIONS:
        _VERSIONS.append(_versions())
    digest = hashlib.sha256(_VERSIONS[0].encode())
    for text in extra:
        digest.update(b"\0extra\0" + text.encode())
    for path in paths:
        data = path.read_bytes()
        digest.update(b"\0" + path.name.encode() + b"\0" + str(len(data)).encode() + b"\0" + data)
    return digest.hexdigest()


_MEMORY: dict[tuple[str, str], Any] = {}


def cached(kind: str, key: str, compute: Callable[[], T]) -> T:
    """The value `compute()` returns, kept in memory and on disk under (kind, key)."""
    if (kind, key) in _MEMORY:
        return _MEMORY[(kind, key)]
    folder = cache_dir()
    path = folder / f"{kind}-{key[:40]}.pickle" if folder is not None else None
    value: Any = None
    found = False
    if path is not None:
        try:
            with path.open("rb") as handle:
                stored_key, value = pickle.load(handle)
            found = stored_key == key
        except Exception:  # noqa: BLE001 - missing, unreadable, truncated or from another version: recompute
            found = False
    if not found:
        value = compute()
        if path is not None:
            _store(path, kind, key, value)
    _MEMORY[(kind, key)] = value
    kept = [k for k in _MEMORY if k[0] == kind]
    for old in kept[:-MEMORY_KEEP]:  # a long process (a test run) meets many projects: keep the last few
        del _MEMORY[old]
    return value


def _store(path: Path, kind: str, key: str, value: Any) -> None:
    """Write atomically (a temporary file renamed into place), keep the newest few of the kind, and never
    fail: a cache that cannot be written is only slower."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{kind}-", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump((key, value), out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        olds = sorted(path.parent.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in olds[CACHE_KEEP:]:
            old.unlink(missing_ok=True)
    except Exception:  # noqa: BLE001 - read-only or full disk, a race with another process, an unpicklable value
        pass


# ---------------------------------------------------------------------------------------------- loading


def _parse(paths: tuple[Path, ...]) -> Graph:
    graph = bind(Graph())
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


def _load(paths: tuple[Path, ...]) -> Graph:
    """The files parsed into one graph, from the cache when their contents were parsed before."""
    return cached("graph", fingerprint(paths), lambda: _parse(paths))


def ontology(root: Path | None = None) -> Graph:
    return _load((ontology_file(root),))


def reference(root: Path | None = None) -> Graph:
    """Ontology and reference individuals together: the gazetteer and the TBox for reasoning."""
    return _load((ontology_file(root), *reference_files(root)))


def reference_key(root: Path | None = None) -> str:
    """The fingerprint of the ontology and the reference graph, for values computed from them."""
    return fingerprint((ontology_file(root), *reference_files(root)))


def reference_copy(root: Path | None = None) -> Graph:
    """A new graph holding the ontology and the reference graph, bound to the project's prefixes only, to add
    data to (as `bind(Graph()) += reference(root)` would give, but from a pickle: several times faster)."""

    def compute() -> bytes:
        graph = bind(Graph())
        graph += reference(root)
        return pickle.dumps(graph, protocol=pickle.HIGHEST_PROTOCOL)

    return pickle.loads(cached("reference-copy", reference_key(root), compute))
