"""`graph/void.ttl`: the dataset description (DCAT + VoID) that linked-data portals harvest.

What it says, all computed from the exported graph and the bytes of the files it describes:
- the dataset `https://w3id.org/gcmkg/dataset` (`dcat:Dataset`, `void:Dataset`): titles and descriptions in
  English and French, licence (CC BY 4.0), publisher, languages, the period the reviews cover (dates from
  the data, never the build time), the report editions it is derived from (`dcterms:source`,
  `prov:wasDerivedFrom`: the report's UN symbol where the graph has one, its language, the review it reports on);
- one `dcat:Distribution` per serialisation of the whole graph (the files `gcmkg export --format all`
  writes), with media type and a `dcat:downloadURL` under the download base (no `dcat:byteSize`: `gcmkg build`
  does not write those files, and a size is stated only for a file really written)
  (default `https://w3id.org/gcmkg/download/`; `--base` or `GCMKG_DOWNLOAD_BASE`);
- one `void:subset` per report graph and per inferred graph (the files in graph/), named by the named-graph
  IRI it has in TriG and N-Quads, with its triple count and its file as distribution;
- VoID statistics of the whole graph: triples, distinct subjects and objects, entities (distinct IRI
  subjects), classes and properties, a `void:classPartition` per class (`void:entities`) and a
  `void:propertyPartition` per property (`void:triples`);
- `void:Linkset`s for the links to the EU country authority table, the UN SDG metadata and the UN Network on
  Migration pages, one per target and link predicate, with counts;
- label coverage per language, with the VoID-ext vocabulary (`http://ldf.fi/void-ext#`): one
  `voidext:languagePartition` per language tag, holding the triples whose object is a literal in that
  language (`void:triples`, `void:distinctSubjects`, `voidext:distinctLiterals`), and as `void:entities` the
  number of IRIs labelled in that language (`rdfs:label` or `skos:prefLabel`), to compare with the
  dataset's `void:entities`;
- `void:sparqlEndpoint` only when one is configured (`--sparql-endpoint` or `GCMKG_SPARQL_ENDPOINT`).

Every node has an IRI under `https://w3id.org/gcmkg/dataset/` (no blank nodes), partitions are keyed by the
prefixed name of their class or property, and the output is `dataset.graph_turtle`: the same graph gives
the same bytes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, VOID, XSD

from . import dataset, iris, reference
from .dataset import FORMATS, INFERRED_SUFFIX
from .owlfiles import REFERENCE_STEM
from .export import IMPORTS, file_name
from .iris import GCM, ID, SCHEMA
from .reference import project_root

DEFAULT_BASE = "https://w3id.org/gcmkg/download/"
VOIDEXT = Namespace("http://ldf.fi/void-ext#")
IANA = "http://www.iana.org/assignments/media-types/"
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")
EU_LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")

#: The six official UN languages, ISO 639-1 -> the EU language authority table (what DCAT-AP portals expect).
LANGUAGES = {"ar": "ARA", "en": "ENG", "es": "SPA", "fr": "FRA", "ru": "RUS", "zh": "ZHO"}

#: W3C format IRIs (void:feature) of each export format.
FEATURES = {"ttl": "Turtle", "nt": "N-Triples", "nq": "N-Quads", "trig": "TriG", "jsonld": "JSON-LD",
            "xml": "RDF_XML"}

@dataclass(frozen=True)
class Target:
    """An external dataset the graph links to."""

    key: str
    uri_space: str
    homepage: str
    title_en: str
    title_fr: str


#: The dataset's words (titles, description, keywords, linked datasets): data, in describe.toml.
TEXTS = tomllib.loads((Path(__file__).parent / "describe.toml").read_text(encoding="utf-8"))
TITLE, DESCRIPTION, KEYWORDS = TEXTS["title"], TEXTS["description"], TEXTS["keywords"]
QUADS_NOTE, MERGED_NOTE, PUBLISHER_NAME = TEXTS["quads_note"], TEXTS["merged_note"], TEXTS["publisher"]
TARGETS = tuple(Target(**target) for target in TEXTS["targets"])

#: Prefixes for partition keys and for void.ttl itself.
PREFIXES = {**iris.EXPORT_PREFIXES, "voidext": VOIDEXT}
RDF_TYPE = str(RDF.type)


# ---------------------------------------------------------------------------------------------- counting


def partition_key(term: URIRef) -> str:
    """'gcm:Attendance' -> 'gcm-Attendance'; an IRI in no known namespace -> the slug of the whole IRI."""
    text = str(term)
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(str(kv[1]))):
        local = text.removeprefix(str(ns))
        if local != text and local and all(c.isalnum() or c in "-_." for c in local):
            return f"{prefix}-{local}"
    return iris.slug(text)


def unique_keys(terms: list[URIRef]) -> dict[URIRef, str]:
    keys = {t: partition_key(t) for t in terms}
    clashes = [k for k, n in Counter(keys.values()).items() if n > 1]
    if clashes:
        raise ValueError(f"two terms share the partition key {clashes[0]!r}")
    return keys


@dataclass
class Statistics:
    triples: int
    subjects: int
    objects: int
    entities: int
    classes: dict[URIRef, int]  # class -> distinct instances
    properties: dict[URIRef, int]  # property -> triples
    languages: dict[str, dict[str, int]]  # tag -> {"triples", "subjects", "literals", "labelled"}
    links: dict[tuple[str, URIRef], int]  # (target key, predicate) -> triples


def statistics(triples: Iterable[ox.Triple]) -> Statistics:
    """The VoID statistics of the distinct triples of the whole graph."""
    subjects: set = set()
    objects: set = set()
    count = 0
    instances: dict[str, set] = defaultdict(set)
    properties: Counter = Counter()
    lang_triples: Counter = Counter()
    lang_subjects: dict[str, set] = defaultdict(set)
    lang_literals: dict[str, set] = defaultdict(set)
    labelled: dict[str, set] = defaultdict(set)
    links: Counter = Counter()
    label_predicates = {str(RDFS.label), str(SKOS.prefLabel)}
    for t in triples:
        s, p, o = t.subject, t.predicate.value, t.object
        count += 1
        subjects.add(s)
        objects.add(o)
        properties[p] += 1
        if isinstance(o, ox.NamedNode):
            if p == RDF_TYPE:
                instances[o.value].add(s)
            for target in TARGETS:
                if o.value.startswith(target.uri_space):
                    links[(target.key, p)] += 1
        elif isinstance(o, ox.Literal) and o.language:
            tag = o.language.lower()
            lang_triples[tag] += 1
            lang_subjects[tag].add(s)
            lang_literals[tag].add(o)
            if p in label_predicates and isinstance(s, ox.NamedNode):
                labelled[tag].add(s)
    languages = {tag: {"triples": lang_triples[tag], "subjects": len(lang_subjects[tag]),
                       "literals": len(lang_literals[tag]), "labelled": len(labelled[tag])}
                 for tag in sorted(lang_triples)}
    return Statistics(
        triples=count,
        subjects=len(subjects),
        objects=len(objects),
        entities=sum(1 for s in subjects if isinstance(s, ox.NamedNode)),
        classes={URIRef(c): len(members) for c, members in sorted(instances.items())},
        properties={URIRef(p): n for p, n in sorted(properties.items())},
        languages=languages,
        links={(k, URIRef(p)): n for (k, p), n in sorted(links.items())},
    )


# -------------------------------------------------------------------------------------------- the sources


@dataclass(frozen=True)
class ReportEdition:
    stem: str
    report: URIRef
    review: URIRef | None
    language: str | None
    symbol: str | None
    titles: tuple[Literal, ...]
    dates: tuple[Literal, ...]


def editions(ds: ox.Dataset, stems: list[str]) -> list[ReportEdition]:
    """What each report graph says about its report: symbol, language, review, date."""
    out = []
    for stem in stems:
        g = report_and_review(ds, str(iris.report_graph(stem)))
        for report in sorted(s for s in g.subjects(RDF.type, GCM.Report) if isinstance(s, URIRef)):
            reviews = sorted({*g.subjects(GCM.hasReport, report), *g.objects(report, GCM.reportOf)})
            review = reviews[0] if reviews else None
            language = next(iter(sorted(str(x) for x in g.objects(report, DCTERMS.language))), None)
            symbol = next(iter(sorted(str(x) for x in g.objects(report, DCTERMS.identifier))), None)
            titles = tuple(sorted((t for t in g.objects(report, RDFS.label) if isinstance(t, Literal)), key=str))
            dates = tuple(sorted(g.objects(review, SCHEMA.startDate), key=str)) if review else ()
            out.append(ReportEdition(stem, report, review, language, symbol, titles, dates))
    return out


def report_and_review(ds: ox.Dataset, graph: str) -> Graph:
    """What a report graph says about its gcm:Report nodes and their review, as a small rdflib graph (the rest
    of the report graph is not needed here)."""
    name = ox.NamedNode(graph)

    def quads(found) -> list:  # noqa: ANN001
        return [q for q in found if q.graph_name == name]

    reports = {q.subject for q in quads(ds.quads_for_object(ox.NamedNode(str(GCM.Report))))
               if q.predicate.value == RDF_TYPE}
    reviews = {q.subject for r in reports for q in quads(ds.quads_for_object(r)) if q.predicate.value == str(GCM.hasReport)}
    reviews |= {q.object for r in reports for q in quads(ds.quads_for_subject(r)) if q.predicate.value == str(GCM.reportOf)}
    g = Graph()
    for q in (q for node in reports | reviews for q in quads(ds.quads_for_subject(node))):
        g.add((dataset.from_ox(q.subject), dataset.from_ox(q.predicate), dataset.from_ox(q.object)))
    return g


def language_node(code: str) -> URIRef | Literal:
    return EU_LANGUAGE[LANGUAGES[code]] if code in LANGUAGES else Literal(code)


# ------------------------------------------------------------------------------------------- describing


def bilingual(graph: Graph, node: URIRef, prop: URIRef, texts: dict[str, str]) -> None:
    for lang, text in texts.items():
        graph.add((node, prop, Literal(text, lang=lang)))


def distribution(graph: Graph, dataset: URIRef, name: str, data: bytes | None, fmt: str, base: str,
                 titles: dict[str, str]) -> None:
    """A dcat:Distribution of `dataset`: the file `name`, with its byte size when its bytes are known (a file
    the build writes), never a guess."""
    node = iris.dataset_part("distribution", name)
    url = URIRef(base + name)
    graph.add((dataset, DCAT.distribution, node))
    graph.add((node, RDF.type, DCAT.Distribution))
    bilingual(graph, node, DCTERMS.title, titles)
    graph.add((node, DCAT.mediaType, URIRef(IANA + FORMATS[fmt].media_type)))
    if data is not None:
        graph.add((node, DCAT.byteSize, Literal(len(data), datatype=XSD.nonNegativeInteger)))
    graph.add((node, DCAT.downloadURL, url))
    graph.add((node, DCAT.accessURL, url))
    graph.add((node, DCTERMS.license, CC_BY))
    graph.add((dataset, VOID.dataDump, url))


def format_of(name: str) -> str:
    for key, fmt in FORMATS.items():
        if name.endswith(fmt.suffix):
            return key
    raise ValueError(f"{name}: not an RDF file name")


def describe(files: dict[str, bytes | None], ds: ox.Dataset, base: str = DEFAULT_BASE,
             sparql_endpoint: str | None = None) -> bytes:
    """void.ttl for the dataset `ds` published as `files` (file name -> its bytes, or None for a file the build
    does not write): the whole graph in each syntax (gcmkg.ttl, gcmkg.nq, ...: `gcmkg export --format all`)
    and the report graphs (<stem>.ttl, <stem>-inferred.ttl: what `gcmkg build` writes)."""
    base = base if base.endswith("/") else base + "/"
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    for prefix, ns in (("dcat", DCAT), ("void", VOID)):
        g.bind(prefix, ns, override=True, replace=True)
    d = iris.DATASET

    # the description document and the dataset
    doc = iris.dataset_part("description")
    g.add((doc, RDF.type, VOID.DatasetDescription))
    bilingual(g, doc, DCTERMS.title, {"en": f"Dataset description: {TITLE['en']}",
                                      "fr": f"Description du jeu de données : {TITLE['fr']}"})
    g.add((doc, FOAF.primaryTopic, d))
    g.add((d, RDF.type, DCAT.Dataset))
    g.add((d, RDF.type, VOID.Dataset))
    bilingual(g, d, DCTERMS.title, TITLE)
    bilingual(g, d, DCTERMS.description, DESCRIPTION)
    for lang, words in KEYWORDS.items():
        for word in words:
            g.add((d, DCAT.keyword, Literal(word, lang=lang)))
    g.add((d, DCTERMS.license, CC_BY))
    g.add((d, DCTERMS.conformsTo, iris.ONTOLOGY_IRI))
    publisher = iris.dataset_part("publisher")
    g.add((d, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal(PUBLISHER_NAME)))
    g.add((d, VOID.uriSpace, Literal(str(ID))))
    if sparql_endpoint:
        g.add((d, VOID.sparqlEndpoint, URIRef(sparql_endpoint)))

    # distributions of the whole graph, one per syntax, and the report graphs as subsets
    report_files = {s.name: s for s in dataset.report_sources(files)}
    for name in sorted(files):
        if name in report_files:
            continue
        fmt = format_of(name)
        title = FORMATS[fmt].title
        distribution(g, d, name, files[name], fmt, base, {"en": f"{TITLE['en']} ({title})",
                                                          "fr": f"{TITLE['fr']} ({title})"})
        bilingual(g, iris.dataset_part("distribution", name), DCTERMS.description,
                  QUADS_NOTE if FORMATS[fmt].quads else MERGED_NOTE)
        g.add((d, VOID.feature, FORMATS_NS[FEATURES[fmt]]))
    stems = sorted(name.removesuffix(".ttl") for name in report_files if not name.endswith(INFERRED_SUFFIX))
    sources = editions(ds, stems)
    for name, source in sorted(report_files.items()):
        subset = URIRef(source.graph)
        inferred = name.endswith(INFERRED_SUFFIX)
        stem = name.removesuffix(INFERRED_SUFFIX if inferred else ".ttl")
        g.add((d, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, RDF.type, DCAT.Dataset))
        if inferred and stem == REFERENCE_STEM:  # graph/reference-inferred.ttl
            bilingual(g, subset, DCTERMS.title, {"en": "OWL 2 RL entailments of the reference graph",
                                                 "fr": "Déductions OWL 2 RL du graphe de référence"})
            for source in reference.sources():
                g.add((subset, PROV.wasDerivedFrom, URIRef(source.graph)))
        elif inferred:
            bilingual(g, subset, DCTERMS.title, {"en": f"OWL 2 RL entailments of {stem}",
                                                 "fr": f"Déductions OWL 2 RL de {stem}"})
            g.add((subset, PROV.wasDerivedFrom, iris.report_graph(stem)))
            g.add((subset, PROV.wasDerivedFrom, iris.ONTOLOGY_IRI))
        else:
            bilingual(g, subset, DCTERMS.title, {"en": f"Facts read from {stem}",
                                                 "fr": f"Faits tirés de {stem}"})
            g.add((subset, PROV.wasDerivedFrom, iris.dataset_part("source", stem)))
        triples = len(list(ds.quads_for_graph_name(ox.NamedNode(subset))))
        g.add((subset, VOID.triples, Literal(triples)))
        g.add((subset, DCTERMS.license, CC_BY))
        distribution(g, subset, name, files[name], "ttl", base,
                     {"en": f"{name} (Turtle)", "fr": f"{name} (Turtle)"})

    # the report editions the data comes from, the languages and the period covered
    dates: list[Literal] = []
    for ed in sources:
        node = iris.dataset_part("source", ed.stem)
        g.add((d, DCTERMS.source, node))
        g.add((d, PROV.wasDerivedFrom, node))
        g.add((node, RDF.type, FOAF.Document))
        g.add((node, RDF.type, PROV.Entity))
        for title in ed.titles:
            g.add((node, DCTERMS.title, title))
        if ed.symbol:
            g.add((node, DCTERMS.identifier, Literal(ed.symbol)))
        if ed.language:
            g.add((node, DCTERMS.language, language_node(ed.language)))
        g.add((node, DCTERMS.isVersionOf, ed.report))
        if ed.review is not None:
            g.add((node, DCTERMS.subject, ed.review))
            g.add((d, VOID.exampleResource, ed.review))
        dates.extend(ed.dates)
    if dates:
        period = iris.dataset_part("period")
        g.add((d, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        g.add((period, DCAT.startDate, min(dates, key=str)))
        g.add((period, DCAT.endDate, max(dates, key=str)))

    # statistics of the whole graph, as the one-graph distributions hold it (without the graph files' owl:imports)
    stats = statistics({q.triple for q in ds if q.predicate != IMPORTS})
    g.add((d, VOID.triples, Literal(stats.triples)))
    g.add((d, VOID.distinctSubjects, Literal(stats.subjects)))
    g.add((d, VOID.distinctObjects, Literal(stats.objects)))
    g.add((d, VOID.entities, Literal(stats.entities)))
    g.add((d, VOID.classes, Literal(len(stats.classes))))
    g.add((d, VOID.properties, Literal(len(stats.properties))))
    vocabularies = {ns for term in (*stats.classes, *stats.properties) for ns in PREFIXES.values()
                    if str(term).startswith(str(ns))}
    for ns in vocabularies:
        g.add((d, VOID.vocabulary, URIRef(str(ns))))
    for cls, key in unique_keys(list(stats.classes)).items():
        node = iris.dataset_part("class", key)
        g.add((d, VOID.classPartition, node))
        g.add((node, VOID["class"], cls))
        g.add((node, VOID.entities, Literal(stats.classes[cls])))
    for prop, key in unique_keys(list(stats.properties)).items():
        node = iris.dataset_part("property", key)
        g.add((d, VOID.propertyPartition, node))
        g.add((node, VOID.property, prop))
        g.add((node, VOID.triples, Literal(stats.properties[prop])))
    for tag, counts in stats.languages.items():
        node = iris.dataset_part("language", iris.slug(tag))
        g.add((d, VOIDEXT.languagePartition, node))
        g.add((node, VOIDEXT.language, Literal(tag)))
        g.add((node, VOID.triples, Literal(counts["triples"])))
        g.add((node, VOID.distinctSubjects, Literal(counts["subjects"])))
        g.add((node, VOIDEXT.distinctLiterals, Literal(counts["literals"])))
        g.add((node, VOID.entities, Literal(counts["labelled"])))
        if tag in LANGUAGES:
            g.add((d, DCTERMS.language, language_node(tag)))

    # links to external datasets
    for target in TARGETS:
        node = iris.dataset_part("external", target.key)
        if not any(key == target.key for key, _ in stats.links):
            continue
        g.add((node, RDF.type, VOID.Dataset))
        g.add((node, DCTERMS.title, Literal(target.title_en, lang="en")))
        g.add((node, DCTERMS.title, Literal(target.title_fr, lang="fr")))
        g.add((node, VOID.uriSpace, Literal(target.uri_space)))
        g.add((node, FOAF.homepage, URIRef(target.homepage)))
    for (key, prop), count in stats.links.items():
        node = iris.dataset_part("linkset", key, partition_key(prop))
        g.add((d, VOID.subset, node))
        g.add((node, RDF.type, VOID.Linkset))
        g.add((node, VOID.subjectsTarget, d))
        g.add((node, VOID.objectsTarget, iris.dataset_part("external", key)))
        g.add((node, VOID.linkPredicate, prop))
        g.add((node, VOID.triples, Literal(count)))

    assert not any(isinstance(t, BNode) for triple in g for t in triple), "void.ttl must have no blank node"
    return dataset.graph_turtle(g)


def configured_base(base: str | None = None) -> str:
    return base or os.environ.get("GCMKG_DOWNLOAD_BASE") or DEFAULT_BASE


def configured_endpoint(endpoint: str | None = None) -> str | None:
    return endpoint or os.environ.get("GCMKG_SPARQL_ENDPOINT") or None


def describe_outputs(ds: ox.Dataset, reports: dict[str, bytes], base: str | None = None,
                     sparql_endpoint: str | None = None) -> dict[str, bytes]:
    """What `gcmkg build` adds to graph/ beside the report graphs `reports` (file name -> bytes), all in `ds`:
    `context.jsonld` (the JSON-LD context of the exports) and `void.ttl` (this module)."""
    files: dict[str, bytes | None] = {file_name(fmt): None for fmt in FORMATS}  # not written by the build
    files.update(reports)
    return {"context.jsonld": dataset.context_bytes(),
            "void.ttl": describe(files, ds, configured_base(base), configured_endpoint(sparql_endpoint))}


# ------------------------------------------------------------------------------------------------- CLI


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--graph", type=Path, metavar="DIR", help="folder of the built report graphs (default: graph/)")
    p.add_argument("--base",
                   help=f"download base of the distributions (default: $GCMKG_DOWNLOAD_BASE or {DEFAULT_BASE})")
    p.add_argument("--sparql-endpoint", metavar="URL",
                   help="SPARQL endpoint serving the graph (default: $GCMKG_SPARQL_ENDPOINT; none if unset)")
    p.add_argument("-o", "--out", default="-", help="output file, '-' for stdout (default)")


def run(args: argparse.Namespace) -> int:
    root = project_root()
    reports = dataset.built_files(args.graph or root / "graph")
    ds = dataset.load(dataset.report_sources(reports), reference.with_data(root))
    data = describe_outputs(ds, reports, args.base, args.sparql_endpoint)["void.ttl"]
    if args.out in (None, "-"):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        Path(args.out).write_bytes(data)
    return 0
