"""Materialised answers: the canned queries' results over the graphs of a build, computed by `gcmkg build` and
written beside them (graph/answers/<query>.json), which the embedded store then reads instead of evaluating
the query again.

Why: on a corpus, a canned query joins every participation to its session, the session's objectives and
the actors' labels, and sorts ten thousand rows and more. Oxigraph spends about a microsecond per
intermediate row, and its ORDER BY alone takes some 50 ms on 14,000 rows, so for 100 reports these queries
take 90-290 ms however they are written; reading their materialised rows takes a few milliseconds
(bench/RESULTS.md has both).

The format is SPARQL 1.1 Query Results JSON with its terms written once: `head.vars` as there, `terms` a
list of that format's term objects ({"type": "uri", "value": ...}), and `rows` one list per solution of
indexes into `terms`, -1 where a variable is unbound, one solution per line. Answers repeat the same labels,
codes and IRIs in many rows: the full format is twelve times bigger and, read into rdflib terms, ten times
slower (100 ms for 15,000 rows) than this one.

An answer is used only when it is the answer: `manifest.json` holds the SHA-256 of every file the answers
were computed from (ontology, reference graph, report graphs) and of each query's text. A store that loaded
exactly those files (whatever their folder or order) and is asked exactly that text reads the answer;
anything else (other data, a parameter, an edited query, `gcmkg query --evaluate`) is evaluated. Answers
with blank nodes are not materialised: their labels are the store's own, a new one at each load. While the
answers apply, the store parses the data only for a query they do not hold (`store.OxigraphStore`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

FOLDER = "answers"
MANIFEST = "manifest.json"
SUFFIX = ".json"
FORMAT = 1  # of the manifest and the answers; a manifest of another format is ignored
UNBOUND = -1


def digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def materialise(reports: Mapping[str, bytes], root: Path | None = None) -> dict[str, bytes]:
    """answers/<query>.json for each canned query (the violation queries aside) over the ontology, the reference
    graph and `reports` (file name -> Turtle bytes), and answers/manifest.json; {} without pyoxigraph."""
    from .query import bind_parameters, canned_queries
    from .reference import ontology_file, reference_files
    from .store import OxigraphStore, StoreError

    try:
        store = OxigraphStore()
    except StoreError:
        return {}
    for path in (ontology_file(root), *reference_files(root)):
        store.load(path)
    for name in sorted(reports):
        store.load_bytes(name, reports[name])
    files: dict[str, bytes] = {}
    answers: dict[str, dict[str, str]] = {}
    for canned in canned_queries(root):
        if canned.name.endswith("-violation"):
            continue
        text = bind_parameters(canned, [])  # what `gcmkg query NAME` sends
        data = store.serialised(text)
        encoded = encode(data) if data is not None else None
        if encoded is None:
            continue
        files[f"{FOLDER}/{canned.name}{SUFFIX}"] = encoded
        answers[canned.name] = {"query": digest(text), "file": f"{canned.name}{SUFFIX}"}
    manifest = {
        "about": "Results of gcmkg's canned queries over the files below, as `gcmkg build` computed them: "
                 "SPARQL 1.1 Query Results JSON with each term written once (see gcmkg's answers module). "
                 "gcmkg's embedded store reads them only when it has loaded exactly these files and is sent "
                 "exactly the query text of that SHA-256.",
        "format": FORMAT,
        "data": sorted([name, sha] for name, sha in store.loaded),
        "answers": answers,
    }
    files[f"{FOLDER}/{MANIFEST}"] = (json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()
    return files


def encode(results: bytes) -> bytes | None:
    """SPARQL 1.1 Query Results JSON of a SELECT in this module's format; None when an answer has a blank node."""
    document = json.loads(results)
    names = document["head"]["vars"]
    terms: list[dict] = []
    index: dict[tuple, int] = {}
    rows = []
    for solution in document["results"]["bindings"]:
        row = []
        for name in names:
            term = solution.get(name)
            if term is None:
                row.append(UNBOUND)
                continue
            if term.get("type") == "bnode":
                return None
            key = tuple(sorted(term.items()))
            if key not in index:
                index[key] = len(terms)
                terms.append(term)
            row.append(index[key])
        rows.append(row)

    def lines(items: list) -> str:
        return ",\n".join(json.dumps(item, ensure_ascii=False, separators=(",", ":"), sort_keys=True) for item in items)

    head = json.dumps({"vars": names}, ensure_ascii=False, separators=(",", ":"))
    return (f'{{"format":{FORMAT},"head":{head},\n"terms":[\n{lines(terms)}],\n"rows":[\n{lines(rows)}]}}\n').encode()


def decode(data: bytes) -> tuple[list[str], list[dict], list[list[int]]]:
    """The variables, terms and rows of an answer (ValueError when it is not one of this format)."""
    document = json.loads(data)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"not an answer of format {FORMAT}")
    names, terms, rows = document["head"]["vars"], document["terms"], document["rows"]
    if not (isinstance(names, list) and isinstance(terms, list) and isinstance(rows, list)):
        raise ValueError("head.vars, terms and rows must be lists")
    return names, terms, rows


@dataclass(frozen=True)
class Answers:
    """The answers of one folder that apply to the data a store loaded: query-text digest -> file."""

    by_query: Mapping[str, Path]

    def path(self, text: str) -> Path | None:
        return self.by_query.get(digest(text)) if self.by_query else None


NONE = Answers({})


def read(folder: Path, loaded: Iterable[tuple[str, str]]) -> tuple[Answers, str | None]:
    """The answers in `folder` if they were computed from exactly the `loaded` (name, sha256) files, else none;
    with a warning when the manifest is there but unreadable (no warning for answers of other data: that is
    the normal case of data given with --data)."""
    manifest = folder / MANIFEST
    try:
        content = json.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return NONE, None
    except (OSError, UnicodeDecodeError, ValueError) as err:
        return NONE, f"{manifest}: not a manifest of answers ({err}); the queries are evaluated"
    try:
        if content["format"] != FORMAT:
            return NONE, None
        data = sorted((str(name), str(sha)) for name, sha in content["data"])
        by_query = {str(entry["query"]): folder / str(entry["file"]) for entry in content["answers"].values()}
        outside = next((path for path in by_query.values()
                        if path.parent != folder or path.name in ("", ".", "..")), None)
        if outside is not None:  # an answer is a file of the folder, never a path that leads out of it
            raise ValueError(f"{outside.relative_to(folder)} is not a file name")
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        return NONE, f"{manifest}: not a manifest of answers ({err!r}); the queries are evaluated"
    if data != sorted(loaded):
        return NONE, None
    return Answers(by_query), None


def folder_for(data: list[Path]) -> Path | None:
    """Where the answers for these report files would be: answers/ in their folder, when they share one."""
    parents = {path.resolve().parent for path in data}
    return next(iter(parents)) / FOLDER if len(parents) == 1 else None
