"""Resolve names as printed in a report to states, organisations, forums and places.

The reference graph is the gazetteer: a name resolves through `skos:prefLabel`, `skos:altLabel`,
`rdfs:label` and `gcm:acronym` in the report's language. A new spelling is one more altLabel in a
Turtle file, never code here. A `gcm:regionalName` ("Réseau régional des Nations Unies sur les
migrations") resolves only in the reports of the commission its body serves (`gcm:regionOfCommission`):
in another commission's report the same words name that region's own body.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from .iris import GCM, ORG

NAME_PROPERTIES = (SKOS.prefLabel, SKOS.altLabel, RDFS.label, GCM.acronym)
ACTOR_ROOTS = (GCM.State, GCM.Organisation, GCM.Territory)
OTHER_KINDS = (GCM.Forum, GCM.Place)
QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "\u00a0": " ", "\u202f": " ", "–": "-", "‑": "-"})


@lru_cache(maxsize=1 << 16)  # the same names and words again and again (each word of a function, as a demonym)
def normal(text: str) -> str:
    """Comparison form of a name: NFC, straight apostrophes, single spaces, case-folded."""
    text = unicodedata.normalize("NFC", text).translate(QUOTES)
    return re.sub(r"\s+", " ", text).strip().strip(".").strip().casefold()


@dataclass
class Gazetteer:
    language: str
    kinds: dict[URIRef, URIRef]  # individual -> its (most specific) class
    names: dict[str, set[URIRef]] = field(default_factory=dict)  # in the report's language
    other_names: dict[str, set[URIRef]] = field(default_factory=dict)  # in any other language
    demonyms: dict[str, URIRef] = field(default_factory=dict)
    labels: dict[tuple[URIRef, str], str] = field(default_factory=dict)
    acronyms: dict[tuple[URIRef, str], str] = field(default_factory=dict)
    notations: dict[URIRef, str] = field(default_factory=dict)
    # (commission, name) -> individuals: names that hold only in that commission's reports
    regional_names: dict[tuple[URIRef, str], set[URIRef]] = field(default_factory=dict)
    other_regional_names: dict[tuple[URIRef, str], set[URIRef]] = field(default_factory=dict)
    # organisation -> the organisations it is a unit of (org:subOrganizationOf, org:unitOf)
    parents: dict[URIRef, set[URIRef]] = field(default_factory=dict)
    # name -> its closest known names, once per name (difflib takes milliseconds, and a list may repeat a name)
    close_names: dict[tuple[str, int], list[str]] = field(default_factory=dict, repr=False, compare=False)

    def lookup(self, raw: str, kinds: tuple[URIRef, ...] | None = None,
               commission: URIRef | None = None) -> URIRef | None:
        """One individual whose name is exactly `raw` (report language first), or None. `commission` is the
        commission of the report being read: it admits the regional names of that commission's bodies."""
        key = normal(raw)
        for table, regional in ((self.names, self.regional_names), (self.other_names, self.other_regional_names)):
            candidates = set(table.get(key, ()))
            if commission is not None:
                candidates |= regional.get((commission, key), set())
            found = {iri for iri in candidates if kinds is None or self.is_a(iri, kinds)}
            if len(found) == 1:
                return next(iter(found))
        return None

    def regional_elsewhere(self, raw: str, commission: URIRef | None) -> list[URIRef]:
        """The other commissions in whose reports `raw` is the regional name of a body (for a warning that
        says why the name did not resolve)."""
        key = normal(raw)
        return sorted({c for table in (self.regional_names, self.other_regional_names)
                       for (c, name) in table if name == key and c != commission})

    def is_a(self, iri: URIRef, kinds: tuple[URIRef, ...]) -> bool:
        return self.family(iri) in kinds or self.kinds.get(iri) in kinds

    def family(self, iri: URIRef) -> URIRef | None:
        kind = self.kinds.get(iri)
        if kind is None:
            return None
        if kind in (GCM.State, GCM.Territory) or kind in OTHER_KINDS:
            return kind
        return GCM.Organisation

    def ancestors(self, iri: URIRef) -> list[URIRef]:
        """The organisations `iri` is part of, nearest first (a Directorate-General: the European Commission,
        then the European Union), as the reference graph states them."""
        found: list[URIRef] = []
        level = sorted(self.parents.get(iri, ()))
        while level:
            found.extend(p for p in level if p not in found and p != iri)
            level = sorted({q for p in level for q in self.parents.get(p, ()) if q not in found and q != iri})
        return found

    def demonym(self, word: str) -> URIRef | None:
        return self.demonyms.get(normal(word))

    def closest(self, raw: str, n: int = 3) -> list[str]:
        key = normal(raw)
        if (key, n) not in self.close_names:
            matches = difflib.get_close_matches(key, list(self.names), n=n, cutoff=0.6)
            self.close_names[key, n] = [self.label(next(iter(sorted(self.names[m]))), self.language) or m
                                        for m in matches]
        return list(self.close_names[key, n])

    def label(self, iri: URIRef, language: str) -> str | None:
        return self.labels.get((iri, language)) or self.labels.get((iri, "en"))

    def acronym(self, iri: URIRef, language: str) -> str | None:
        return self.acronyms.get((iri, language)) or self.acronyms.get((iri, "en"))

    @cached_property
    def scanner(self) -> re.Pattern[str]:
        # Longest names first so "Commission économique pour l'Europe" wins over "Europe".
        return re.compile(rf"(?<!\w)(?:{trie([k for k in self.names if len(k) > 1])})(?!\w)", re.IGNORECASE)

    def scan(self, text: str, kinds: tuple[URIRef, ...]) -> list[tuple[int, int, URIRef]]:
        """Longest non-overlapping mentions of known names of the given kinds in running text."""
        found: list[tuple[int, int, URIRef]] = []
        for match in self.scanner.finditer(text.translate(QUOTES)):
            iri = self.lookup(match.group(0), kinds)
            if iri is not None:
                found.append((match.start(), match.end(), iri))
        return found



def trie(keys: list[str]) -> str:
    """A regular expression for any of `keys`, the longest that matches first, written as a trie: at each
    character only the keys that still match are tried. The flat alternation `key1|key2|...` (longest first)
    matches the same, but tries each of several hundred names at every character of the text."""
    root: dict[str, dict] = {}
    for key in keys:
        node = root
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}  # a key ends here

    def pattern(node: dict[str, dict]) -> str:
        # The longer keys (the branches) before the one that ends here: the order of longest first.
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        if "" in node:
            return f"(?:{'|'.join(branches)})?"
        return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"

    return pattern(root) or "(?!)"


def most_specific(graph: Graph, iri: URIRef) -> URIRef | None:
    types = [t for t in graph.objects(iri, RDF.type) if isinstance(t, URIRef) and str(t).startswith(str(GCM))]
    if not types:
        return None
    # The most specific type is the one no other asserted type is a subclass of.
    def depth(t: URIRef) -> int:
        return len(list(graph.transitive_objects(t, RDFS.subClassOf)))
    return sorted(types, key=lambda t: (-depth(t), str(t)))[0]


def build(reference: Graph, language: str) -> Gazetteer:
    classes: set[URIRef] = set(OTHER_KINDS)
    for root in ACTOR_ROOTS:
        classes |= {c for c in reference.transitive_subjects(RDFS.subClassOf, root) if isinstance(c, URIRef)}
    kinds: dict[URIRef, URIRef] = {}
    for cls in sorted(classes):
        for iri in reference.subjects(RDF.type, cls):
            if isinstance(iri, URIRef) and iri not in kinds:
                kind = most_specific(reference, iri)
                if kind is not None:
                    kinds[iri] = kind
    gazetteer = Gazetteer(language, kinds)
    for iri in sorted(kinds):
        for prop in NAME_PROPERTIES:
            for value in reference.objects(iri, prop):
                if not isinstance(value, Literal):
                    continue
                lang = value.language or ""
                table = gazetteer.names if lang in (language, "") else gazetteer.other_names
                table.setdefault(normal(str(value)), set()).add(iri)
                if prop == SKOS.prefLabel and lang:
                    gazetteer.labels[(iri, lang)] = str(value)
                if prop == GCM.acronym and lang:
                    gazetteer.acronyms.setdefault((iri, lang), str(value))
        for region in reference.objects(iri, GCM.regionOfCommission):
            for value in reference.objects(iri, GCM.regionalName):
                if isinstance(value, Literal) and isinstance(region, URIRef):
                    table = gazetteer.regional_names if value.language in (language, None) \
                        else gazetteer.other_regional_names
                    table.setdefault((region, normal(str(value))), set()).add(iri)
        for prop in (ORG.subOrganizationOf, ORG.unitOf):
            for parent in reference.objects(iri, prop):
                if isinstance(parent, URIRef):
                    gazetteer.parents.setdefault(iri, set()).add(parent)
        for value in reference.objects(iri, SKOS.notation):
            gazetteer.notations[iri] = str(value)
        for value in reference.objects(iri, GCM.demonym):
            if isinstance(value, Literal) and value.language == language:
                gazetteer.demonyms[normal(str(value))] = iri
    return gazetteer
