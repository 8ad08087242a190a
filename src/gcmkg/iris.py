"""The one place where IRIs are minted, always from keys found in the sources (never counters)."""

from __future__ import annotations

import re
import unicodedata

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD, Namespace as _NS

BASE = "https://w3id.org/gcmkg/"
GCM = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
ONTOLOGY_IRI = URIRef(BASE + "ontology")
ORG = _NS("http://www.w3.org/ns/org#")
SCHEMA = _NS("https://schema.org/")

#: Prefixes bound on every graph we write, so serialisations are stable and readable.
PREFIXES: dict[str, Namespace] = {
    "gcm": GCM,
    "id": ID,
    "dcat": DCAT,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "org": ORG,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "schema": SCHEMA,
    "skos": SKOS,
    "void": VOID,
    "xsd": XSD,
}
#: Prefixes of the exports, the JSON-LD context and the documentation: ours, plus those the ontology uses.
EXPORT_PREFIXES: dict[str, Namespace] = {**PREFIXES, "vann": Namespace("http://purl.org/vocab/vann/")}


def slug(text: str) -> str:
    """ASCII, lower-case, hyphenated key: 'Irem Arf' -> 'irem-arf', 'Genève' -> 'geneve'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def local_key(iri: URIRef) -> str:
    """The last path segment of an id: IRI, used to key participations by actor."""
    return str(iri).rstrip("/").rsplit("/", 1)[-1]


def review(commission_notation: str, year: int) -> URIRef:
    return ID[f"review/{commission_notation.lower()}-{year}"]


def session(review_iri: URIRef, key: int | str) -> URIRef:
    return URIRef(f"{review_iri}/session/{key}")


def report(review_iri: URIRef) -> URIRef:
    return URIRef(f"{review_iri}/report")


PART_SEGMENT = {"body": "paragraph", "annex": "annex-paragraph", "footnote": "footnote"}


def paragraph(review_iri: URIRef, part: str, number: int) -> URIRef:
    return URIRef(f"{report(review_iri)}/{PART_SEGMENT[part]}/{number}")


def section(review_iri: URIRef, key: str) -> URIRef:
    return URIRef(f"{report(review_iri)}/section/{key}")


def participation(event_iri: URIRef, role: str, actor_keys: list[str]) -> URIRef:
    return URIRef(f"{event_iri}/{role}/{'+'.join(actor_keys)}")


def thematic_link(paragraph_iri: URIRef, concept_iri: URIRef) -> URIRef:
    return URIRef(f"{paragraph_iri}/discusses/{str(concept_iri).removeprefix(str(ID)).replace('/', '-')}")


def person(name: str) -> URIRef:
    return ID[f"person/{slug(name)}"]


def unresolved(raw: str) -> URIRef:
    return ID[f"unresolved/{slug(raw)}"]


def objective(number: int) -> URIRef:
    return ID[f"objective/{number}"]


def state(iso3: str) -> URIRef:
    return ID[f"state/{iso3.upper()}"]


def document(symbol: str) -> URIRef:
    return ID[f"document/{slug(symbol)}"]


def decision(body_iri: URIRef | None, body_text: str, date_iso: str) -> URIRef:
    body_key = local_key(body_iri) if body_iri is not None else slug(body_text)
    return ID[f"decision/{body_key}/{date_iso}"]


def forum_edition(forum_iri: URIRef, year: int) -> URIRef:
    return URIRef(f"{forum_iri}/{year}")


def concept(key: str) -> URIRef:
    """A lexicon key such as 'theme/labour-mobility' or 'objective/7' to its IRI."""
    return ID[key]


# --- Named graphs and the dataset description (export, describe) ------------------------------------------

GRAPH = Namespace(BASE + "graph/")
REFERENCE = Namespace(BASE + "reference/")
DATASET = URIRef(BASE + "dataset")


def ontology_graph() -> URIRef:
    """The named graph holding the ontology: the ontology's own IRI."""
    return ONTOLOGY_IRI


def reference_graph(stem: str) -> URIRef:
    """The named graph of ontology/reference/<stem>.ttl: that file's owl:Ontology IRI."""
    return REFERENCE[stem]


def report_graph(stem: str) -> URIRef:
    """The named graph of one report's asserted triples (graph/<stem>.ttl)."""
    return GRAPH[stem]


def inferred_graph(stem: str) -> URIRef:
    """The named graph of what OWL RL reasoning adds to one report (graph/<stem>-inferred.ttl)."""
    return GRAPH[f"{stem}-inferred"]


def dataset_part(*keys: str) -> URIRef:
    """A node of the dataset description: ('distribution', 'gcmkg.nq') -> …/dataset/distribution/gcmkg.nq."""
    return URIRef(f"{DATASET}/{'/'.join(keys)}")
