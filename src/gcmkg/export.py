"""`gcmkg export`: the whole graph in one file, in the RDF syntax a tool or a triplestore wants.

The whole graph is the ontology, the reference graph (one file per vocabulary) and, for every report built
into graph/, its asserted graph and the graph of what OWL RL reasoning adds to it. Each source is one named
graph, kept apart in TriG and N-Quads:

| source | named graph |
|---|---|
| `ontology/gcm.owl.ttl` | `https://w3id.org/gcmkg/ontology` |
| `ontology/reference/<stem>.ttl` | `https://w3id.org/gcmkg/reference/<stem>` (the file's owl:Ontology IRI) |
| `graph/<stem>.ttl` | `https://w3id.org/gcmkg/graph/<stem>` |
| `graph/<stem>-inferred.ttl` | `https://w3id.org/gcmkg/graph/<stem>-inferred` |

Turtle, N-Triples, JSON-LD and RDF/XML hold one graph, so they get the union. RDF/XML exports only the
ontology unless `--what all` is given: the tools that prefer RDF/XML are ontology editors and OWL tools, and
for them the ontology is the document; the data is better served by the other syntaxes.

JSON-LD embeds its `@context` (the same object as `graph/context.jsonld`, prefixes only): a processor
that meets a context by reference must fetch it, which fails offline and with JSON-LD 1.0 processors that
cannot resolve a relative context IRI, while an embedded one always round-trips.

The output is deterministic: blank nodes get labels derived from their content (rdflib's canonical
labelling, prefixed by the source so that two sources never share one), triples are added in sorted order,
N-Triples and N-Quads lines are sorted, Turtle is rdflib's `longturtle`, TriG the `longturtle` of each named
graph in IRI order, JSON-LD is written with sorted keys and sorted node lists, RDF/XML from a graph filled in
sorted order (rdflib writes subjects in the order they were added).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import Namespace
from rdflib.term import Node

from . import iris
from .errors import InputError
from .reference import ontology_file, project_root, reference_files

#: Turtle files that are not report graphs: the dataset description, and the whole-graph export.
NOT_REPORTS = frozenset({"void.ttl", "gcmkg.ttl"})
INFERRED_SUFFIX = "-inferred.ttl"

#: Prefixes of every export and of the JSON-LD context: the project's own, plus those the ontology uses.
PREFIXES: dict[str, Namespace] = {**iris.PREFIXES, "vann": Namespace("http://purl.org/vocab/vann/")}


@dataclass(frozen=True)
class Format:
    key: str
    suffix: str
    media_type: str
    quads: bool
    title: str


FORMATS: dict[str, Format] = {f.key: f for f in (
    Format("ttl", ".ttl", "text/turtle", False, "Turtle"),
    Format("nt", ".nt", "application/n-triples", False, "N-Triples"),
    Format("nq", ".nq", "application/n-quads", True, "N-Quads"),
    Format("trig", ".trig", "application/trig", True, "TriG"),
    Format("jsonld", ".jsonld", "application/ld+json", False, "JSON-LD"),
    Format("xml", ".rdf", "application/rdf+xml", False, "RDF/XML"),
)}
WHAT = ("ontology", "all")


def default_what(fmt: str) -> str:
    return "ontology" if fmt == "xml" else "all"


def file_name(fmt: str, what: str) -> str:
    """The name a distribution gets: gcmkg.<suffix> for the whole graph, gcm.owl.<suffix> for the ontology."""
    return ("gcm.owl" if what == "ontology" else "gcmkg") + FORMATS[fmt].suffix


# ----------------------------------------------------------------------------------------------- sources


@dataclass(frozen=True)
class Source:
    graph: URIRef  # the named graph
    key: str  # short, unique: prefixes the source's blank-node labels
    name: str  # file name, for messages
    data: bytes


def built_files(graph_dir: Path) -> dict[str, bytes]:
    """The report graphs built into a folder: file name -> bytes (Turtle files other than void.ttl)."""
    if not graph_dir.is_dir():
        raise InputError(graph_dir, 1, "no such folder (run `gcmkg build` first, or give --graph DIR)")
    return {p.name: p.read_bytes() for p in sorted(graph_dir.glob("*.ttl")) if p.name not in NOT_REPORTS}


def report_sources(built: dict[str, bytes]) -> list[Source]:
    """Asserted and inferred report graphs, from the build's file names (name -> bytes)."""
    out = []
    for name in sorted(built):
        if not name.endswith(".ttl") or name in NOT_REPORTS:
            continue
        if name.endswith(INFERRED_SUFFIX):
            stem = name.removesuffix(INFERRED_SUFFIX)
            out.append(Source(iris.inferred_graph(stem), f"{stem}-inferred", name, built[name]))
        else:
            stem = name.removesuffix(".ttl")
            out.append(Source(iris.report_graph(stem), stem, name, built[name]))
    return out


def ontology_sources(root: Path) -> list[Source]:
    path = ontology_file(root)
    out = [Source(iris.ontology_graph(), "ontology", str(path), path.read_bytes())]
    for ref in reference_files(root):
        out.append(Source(iris.reference_graph(ref.stem), f"reference-{ref.stem}", str(ref), ref.read_bytes()))
    return out


def sources(root: Path, built: dict[str, bytes], what: str = "all", inferred: bool = True) -> list[Source]:
    if what == "ontology":
        return ontology_sources(root)[:1]
    reports = [s for s in report_sources(built) if inferred or not s.name.endswith(INFERRED_SUFFIX)]
    return ontology_sources(root) + reports


# -------------------------------------------------------------------------------------------- the graph


def bind(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def error_line(err: Exception) -> int:
    """The line rdflib's Turtle parser names, if it names one."""
    line = getattr(err, "lines", None)
    return line if isinstance(line, int) and line > 0 else 1


def parse(source: Source) -> Graph:
    graph = Graph()
    try:
        graph.parse(data=source.data, format="turtle", publicID=str(source.graph))
    except Exception as err:  # rdflib raises several unrelated types for bad Turtle
        raise InputError(source.name, error_line(err), f"not valid Turtle: {err}") from None
    return graph


def n3_key(triple: tuple[Node, Node, Node]) -> tuple[str, str, str]:
    """A total order on triples (rdflib's own comparison of literals is not one: it compares values)."""
    return (triple[0].n3(), triple[1].n3(), triple[2].n3())


def canonical(graph: Graph, key: str) -> list[tuple[Node, Node, Node]]:
    """The triples with content-derived blank-node labels (unique to this source), sorted."""
    if not any(isinstance(t, BNode) for triple in graph for t in triple):
        return sorted(graph, key=n3_key)

    triples = list(to_canonical_graph(graph))
    canon = sorted({str(t) for triple in triples for t in triple if isinstance(t, BNode)})
    short = {c: c[2:18] for c in canon}  # 'cb' + 64 hex digits: 16 are plenty, unless two collide
    if len(set(short.values())) < len(short):
        short = {c: c for c in canon}

    def label(term: Node) -> Node:
        return BNode(f"{key}-{short[str(term)]}") if isinstance(term, BNode) else term

    return sorted(((label(s), label(p), label(o)) for s, p, o in triples), key=n3_key)


def dataset(srcs: list[Source]) -> Dataset:
    """One named graph per source, blank nodes labelled deterministically, triples added in sorted order."""
    ds = bind(Dataset())
    for source in srcs:
        named = ds.graph(source.graph)
        for triple in canonical(parse(source), source.key):
            named.add(triple)
    return ds


def merged(ds: Dataset) -> Graph:
    """The union of the named graphs (a triple asserted in two sources appears once)."""
    graph = bind(Graph())
    for triple in sorted({t for g in named_graphs(ds) for t in g}, key=n3_key):
        graph.add(triple)
    return graph


def named_graphs(ds: Dataset) -> list[Graph]:
    """The non-empty named graphs, in the order of their IRIs."""
    graphs = [g for g in ds.graphs() if isinstance(g.identifier, URIRef) and len(g)]
    return sorted(graphs, key=lambda g: g.identifier)


# ------------------------------------------------------------------------------------------ serialising


def context() -> dict:
    """The JSON-LD context: prefixes only, so every IRI compacts to prefix:local and nothing is coerced."""
    return {"@context": {prefix: str(ns) for prefix, ns in sorted(PREFIXES.items())}}


def context_bytes() -> bytes:
    """graph/context.jsonld, as `gcmkg build` writes it."""
    return (json.dumps(context(), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _sorted_json(value: object, in_list: bool = False) -> object:
    """Sort node lists and value arrays (JSON-LD arrays are unordered), but never an @list."""
    if isinstance(value, dict):
        return {k: _sorted_json(v, in_list=(k == "@list")) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        if in_list:
            return items
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def jsonld(graph: Graph) -> bytes:
    ctx = context()["@context"]
    doc = json.loads(graph.serialize(format="json-ld", context=ctx, auto_compact=True))
    if isinstance(doc, dict) and "@graph" not in doc:  # a single node: keep the usual @graph shape
        doc = {"@context": doc.pop("@context", ctx), "@graph": [doc]}
    doc = {"@context": ctx, "@graph": _sorted_json(doc.get("@graph", []))}
    return (json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def longturtle(graph: Graph) -> bytes:
    return graph.serialize(format="longturtle", encoding="utf-8").replace(b"\r\n", b"\n")


def trig(ds: Dataset) -> bytes:
    """Each named graph as rdflib's longturtle inside `<graph> { ... }`, graphs in IRI order, one prefix block.
    (rdflib's own TriG writer orders the graphs by set iteration, so its bytes change from run to run.)"""
    prefixes: set[bytes] = set()
    blocks = []
    for g in named_graphs(ds):
        graph = bind(Graph())
        for triple in sorted(g, key=n3_key):
            graph.add(triple)
        lines = longturtle(graph).split(b"\n")
        prefixes.update(line for line in lines if line.startswith(b"PREFIX "))
        body = b"\n".join(line for line in lines if not line.startswith(b"PREFIX ")).strip(b"\n")
        blocks.append(b"<" + str(g.identifier).encode("utf-8") + b"> {\n" + body + b"\n}\n")
    return b"\n".join(sorted(prefixes)) + b"\n\n" + b"\n".join(blocks)


def rdfxml(graph: Graph) -> bytes:
    """Plain RDF/XML (rdflib's abbreviated writer drops assertions on list nodes; this one is lossless), its
    `rdf:Description` blocks sorted: rdflib writes one flat block per subject, in set order."""
    lines = graph.serialize(format="xml", encoding="utf-8").decode("utf-8").replace("\r\n", "\n").split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith("  <rdf:Description")), None)
    end = max(i for i, line in enumerate(lines) if line == "</rdf:RDF>")
    if start is None:
        return "\n".join(lines).encode("utf-8")
    blocks: list[list[str]] = []
    for line in lines[start:end]:
        if line.startswith("  <rdf:Description"):
            blocks.append([])
        blocks[-1].append(line)
    body = sorted("\n".join(block) for block in blocks)
    return "\n".join([*lines[:start], *body, *lines[end:]]).encode("utf-8")


def sorted_lines(data: bytes) -> bytes:
    lines = sorted({line for line in data.decode("utf-8").splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def serialise(ds: Dataset, fmt: str, union: Graph | None = None) -> bytes:
    """The dataset in one syntax (see the module docstring for what each keeps); `union` is merged(ds), if
    the caller has it already."""
    if fmt == "nq":  # each graph's N-Triples lines with the graph name added
        lines = []
        for g in named_graphs(ds):
            name = f" {g.identifier.n3()} ."
            nt = g.serialize(format="nt", encoding="utf-8").decode("utf-8")
            lines.extend(line.removesuffix(" .") + name for line in nt.splitlines() if line.strip())
        return sorted_lines("\n".join(lines).encode("utf-8"))
    if fmt == "trig":
        return trig(ds)
    graph = union if union is not None else merged(ds)
    if fmt == "ttl":
        return longturtle(graph)
    if fmt == "nt":
        return sorted_lines(graph.serialize(format="nt", encoding="utf-8"))
    if fmt == "jsonld":
        return jsonld(graph)
    if fmt == "xml":
        return rdfxml(graph)
    raise ValueError(f"unknown format {fmt!r}")


def export(root: Path, built: dict[str, bytes], fmt: str, what: str | None = None, inferred: bool = True) -> bytes:
    """The exported bytes for one format: `built` are the report graphs (file name -> bytes)."""
    return serialise(dataset(sources(root, built, what or default_what(fmt), inferred)), fmt)


def distributions(ds: Dataset) -> dict[str, bytes]:
    """The whole graph in every syntax, by distribution file name (gcmkg.ttl, gcmkg.nq, ...)."""
    union = merged(ds)
    return dict(sorted((file_name(fmt, "all"), serialise(ds, fmt, union)) for fmt in FORMATS))


# ------------------------------------------------------------------------------------------------- CLI


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=[*FORMATS, "all"], default="ttl",
                   help="ttl, nt, jsonld, xml: one merged graph; nq, trig: one named graph per source; "
                        "all: the whole graph in every syntax into the folder --out, named as in graph/void.ttl "
                        "(default: ttl)")
    p.add_argument("-o", "--out", default="-",
                   help="output file, '-' for stdout (default); with --format all, a folder")
    p.add_argument("--graph", type=Path, metavar="DIR", help="folder of the built report graphs (default: graph/)")
    p.add_argument("--what", choices=WHAT,
                   help="ontology: the ontology alone; all: ontology, reference graph and reports "
                        "(default: ontology for xml, all for the others)")
    p.add_argument("--no-inferred", action="store_true", help="leave out the OWL RL inferred graphs")


def run(args: argparse.Namespace) -> int:
    root = project_root()
    built = built_files(args.graph or root / "graph")
    if args.format == "all":
        if args.out in (None, "-"):
            print("error: --format all needs --out DIR", file=sys.stderr)
            return 2
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for name, data in distributions(dataset(sources(root, built))).items():
            (out / name).write_bytes(data)
        return 0
    data = export(root, built, args.format, args.what, inferred=not args.no_inferred)
    if args.out in (None, "-"):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        Path(args.out).write_bytes(data)
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="gcmkg export", description="Export the whole graph in one RDF syntax.")
    add_arguments(p)
    args = p.parse_args(argv)
    try:
        return run(args)
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
