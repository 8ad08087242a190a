"""The HTML pages of `gcmkg serve` and `gcmkg site`: one per IRI under the base, the home page, search, the
canned queries and the charts, in English or French (the words in `web.toml`, the labels from the graph).

A page is made from the served dataset's indexes (`linkeddata.Served`), which hold every triple once, so a page
takes a few milliseconds; the same page is then kept (the data does not change while it is served). Where
links point is the one thing that differs between the server and the static site: a `Linker` decides.
"""

from __future__ import annotations

import csv
import io
import json
import tomllib
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import jinja2
import pyoxigraph as ox

from . import chartdata, charts, iris, query
from .linkeddata import BASE, DOC_FORMATS, RDF_TYPE, Served, curie, last_segment, order_key
from .params import fold, resolve_parameters
from .store import QuerySyntaxError, Result, result_of

from .weblinks import ONTOLOGY_PATH, Link, Linker, Value

STRINGS: dict[str, dict[str, str]] = tomllib.loads((Path(__file__).parent / "web.toml").read_text(encoding="utf-8"))
GCM = str(iris.GCM)
TEXT = GCM + "text"
#: Properties shown as quoted text, not in the property table.
LONG_TEXT = {TEXT}
MAX_LINKS = 300  # links listed in one group of a page; the rest are counted


class Pages:
    """Makes every page of one served dataset, for the server or for the static site."""

    def __init__(self, served: Served, static: bool = False, sparql: bool = True) -> None:
        self.served = served
        self.static = static
        self.sparql = sparql and not static
        # auto_reload off: the templates do not change while serving, and checking them is a stat() per page
        self.env = jinja2.Environment(loader=jinja2.PackageLoader("gcmkg", "templates"),
                                      autoescape=jinja2.select_autoescape(["html"]), trim_blocks=True,
                                      lstrip_blocks=True, auto_reload=False)
        ontology = str(iris.ONTOLOGY_IRI)
        self.documented = {k for k, preds in served.out.items()
                           if ontology in {v.value for v in preds.get("http://www.w3.org/2000/01/rdf-schema#isDefinedBy", [])}
                           or k.startswith(GCM)}
        self.queries = [q for q in query.canned_queries(served.root) if not q.name.endswith("-violation")]

    # -------------------------------------------------------------------------------------- helpers

    def label(self, iri: str, lang: str) -> str:
        """A readable name: the graph's label in the language, or one made from a number the graph holds
        (session 2, paragraph 14) when the label is in another language, else any label, else a short IRI."""
        served = self.served
        found = served.labels.get(iri, {})
        if lang in found:
            return found[lang]
        words = STRINGS[lang]
        number = served.value(iri, GCM + "sessionNumber")
        if number is not None:
            return words["session_n"].format(n=number.value)
        if served.has_type(iri, GCM + "OpeningSession"):
            return words["opening_session"]
        if served.has_type(iri, GCM + "ClosingSession"):
            return words["closing_session"]
        number = served.value(iri, GCM + "paragraphNumber")
        if number is not None:
            key = ("annex_paragraph_n" if served.has_type(iri, GCM + "AnnexParagraph") else
                   "footnote_n" if served.has_type(iri, GCM + "Footnote") else "paragraph_n")
            return words[key].format(n=number.value)
        return served.label(iri, lang)

    def short(self, iri: str, lang: str) -> str:
        """A short name where the label is long: an objective's number and short name, a review's key."""
        served = self.served
        if served.has_type(iri, GCM + "Objective"):
            names = [v.value for v in served.values(iri, GCM + "shortName") if v.language == lang]
            return names[0] if names else f"{served.integer(iri, GCM + 'objectiveNumber')}. {self.label(iri, lang)}"
        if served.has_type(iri, GCM + "Review"):
            return f"{STRINGS[lang]['review']} {last_segment(iri).upper()}"
        return self.label(iri, lang)

    def short_link(self, linker: Linker, iri: str, lang: str) -> Link:
        return Link(linker.iri(iri), self.short(iri, lang), self.label(iri, lang))

    def link(self, linker: Linker, iri: str, lang: str) -> Link:
        if iri in self.documented and not iri.startswith(BASE + "id/"):
            return Link(linker.term(iri, True), self.label(iri, lang), curie(iri))
        return Link(linker.iri(iri), self.label(iri, lang), curie(iri))

    def value(self, linker: Linker, term, lang: str) -> Value:  # noqa: ANN001 - a pyoxigraph term
        if isinstance(term, ox.NamedNode):
            return Value(link=self.link(linker, term.value, lang))
        if isinstance(term, ox.BlankNode):
            return Value(text="[…]")
        datatype = term.datatype.value if term.datatype else ""
        if datatype.endswith(("#string", "#langString")):
            datatype = ""
        return Value(text=term.value, lang=term.language or "", datatype=curie(datatype) if datatype else "")

    def words(self, lang: str) -> dict[str, str]:
        return STRINGS[lang]

    def render(self, template: str, lang: str, linker: Linker, **context: object) -> str:
        nav = {
            "home": linker.app(""), "charts": linker.app("charts"), "search": linker.app("search"),
            "ontology": linker.term(str(iris.ONTOLOGY_IRI), False) if not self.static else
            linker._rel(linker.page_file(ONTOLOGY_PATH)),
            "sparql": "/sparql" if self.sparql else None,
            "css": linker._rel("/static/style.css") if self.static else "/static/style.css",
        }
        return self.env.get_template(template).render(w=STRINGS[lang], lang=lang, nav=nav, static=self.static,
                                                      **context)

    def sorted_links(self, linker: Linker, iris_: Iterable[str], lang: str) -> list[Link]:
        return sorted((self.link(linker, i, lang) for i in set(iris_)), key=lambda l: (order_key(l.label), l.href))

    def participation_role(self, part: str, lang: str) -> tuple[str, str]:
        """(role class IRI, its label) of a participation: its most specific asserted class."""
        types = sorted(t for t in self.served.asserted_types.get(part, ()) if t.startswith(GCM))
        role = types[0] if types else GCM + "Participation"
        return role, self.label(role, lang)

    def sequence(self, iri: str) -> int:
        """Reading order of a thing: its source paragraph's (or its own) place in the report."""
        served = self.served
        para = served.value(iri, GCM + "statedIn")
        node = para.value if isinstance(para, ox.NamedNode) else iri
        seq = served.value(node, GCM + "sequence")
        return int(seq.value) if seq is not None else 1 << 30

    def session_key(self, session: str) -> tuple:
        served = self.served
        number = served.value(session, GCM + "sessionNumber")
        if served.has_type(session, GCM + "OpeningSession"):
            return (0, 0)
        if served.has_type(session, GCM + "ClosingSession"):
            return (2, 0)
        return (1, int(number.value) if number is not None else 0)

    def review_of(self, event: str) -> str:
        review = self.served.value(event, GCM + "sessionOf")
        return review.value if review is not None else event

    def quote(self, linker: Linker, para: str, lang: str) -> dict | None:
        if not para:
            return None
        text = self.served.value(para, TEXT)
        return {"link": self.link(linker, para, lang), "text": text.value if text is not None else "",
                "lang": text.language if text is not None else ""}

    # -------------------------------------------------------------------------------------- resource pages

    @lru_cache(maxsize=4096)  # noqa: B019 - one Pages per process
    def resource(self, path: str, lang: str) -> str:
        """The page of a served path (a resource, or a named graph)."""
        served = self.served
        linker = Linker(self.static, lang, self.page_path(path, lang))
        iri = BASE + path.lstrip("/")
        preds = served.out.get(iri, {})
        types = [self.link(linker, t.value, lang) for t in preds.get(RDF_TYPE, [])]
        properties = []
        for prop in sorted(preds, key=lambda p: (p != RDF_TYPE, order_key(self.label(p, lang)))):
            if prop in (RDF_TYPE, *LONG_TEXT):
                continue
            values = preds[prop]
            values = sorted(values, key=lambda v: (getattr(v, "language", None) not in (lang, None, ""),
                                                    order_key(self.value(linker, v, lang).link.label
                                                          if isinstance(v, ox.NamedNode) else str(v))))
            properties.append((self.link(linker, prop, lang), [self.value(linker, v, lang) for v in values]))
        incoming = []
        for prop, subjects in sorted(served.inc.get(iri, {}).items(), key=lambda kv: order_key(self.label(kv[0], lang))):
            named = [s.value for s in subjects if isinstance(s, ox.NamedNode)]
            links = self.sorted_links(linker, named, lang)
            incoming.append((self.link(linker, prop, lang), links[:MAX_LINKS], max(0, len(links) - MAX_LINKS)))
        texts = [{"text": v.value, "lang": v.language or ""} for p in LONG_TEXT for v in preds.get(p, [])]
        context = {
            "title": self.label(iri, lang), "iri": iri, "types": types, "properties": properties,
            "incoming": incoming, "texts": texts,
            "formats": [(f.title, linker.document(path, f.ext), f.media_type) for f in DOC_FORMATS.values()
                        if f.key != "html"],
            "switch": linker.switch(None, path),
        }
        if served.has_type(iri, GCM + "Actor"):
            context["participations"] = self.participations(linker, iri, lang)
        if served.has_type(iri, GCM + "Objective"):
            context["engaged"] = self.engaged(linker, iri, lang)
        if served.has_type(iri, GCM + "Session"):
            context["session"] = self.session(linker, iri, lang)
        if served.has_type(iri, GCM + "Paragraph"):
            context["paragraph"] = self.paragraph(linker, iri, lang)
        if served.has_type(iri, GCM + "Review"):
            context["review"] = self.review(linker, iri, lang)
        return self.render("resource.html", lang, linker, **context)

    def page_path(self, path: str, lang: str) -> str:
        """The file of a page on the site (for relative links); the path itself on the server."""
        return Linker(True, lang, "/").page_file(path, lang) if self.static else path

    def participations(self, linker: Linker, actor: str, lang: str) -> list[dict]:
        served = self.served
        rows = []
        incoming = served.inc.get(actor, {})
        for prop, represented in ((GCM + "participant", False), (GCM + "onBehalfOf", True)):
            for part in incoming.get(prop, []):
                part = part.value
                event = served.value(part, GCM + "inEvent")
                if event is None:
                    continue
                event = event.value
                review = self.review_of(event)
                substantive = served.value(part, GCM + "substantiveIn") is not None
                objectives = [o.value for o in served.values(event, GCM + "coversObjective")] if substantive else []
                para = served.value(part, GCM + "statedIn")
                others_prop = GCM + ("participant" if represented else "onBehalfOf")
                others = [o.value for o in served.values(part, others_prop) if o.value != actor]
                rows.append({
                    "review": self.short_link(linker, review, lang),
                    "event": self.link(linker, event, lang) if event != review else None,
                    "role": self.link(linker, self.participation_role(part, lang)[0], lang),
                    "part": self.link(linker, part, lang),
                    "represented": represented,
                    "others": self.sorted_links(linker, others, lang),
                    "objectives": sorted((self.short_link(linker, o, lang) for o in objectives), key=_objective_order),
                    "source": self.quote(linker, para.value if para is not None else "", lang),
                    "order": (review, self.sequence(part)),
                })
        return sorted(rows, key=lambda r: r["order"])

    def engaged(self, linker: Linker, objective: str, lang: str) -> list[dict]:
        """Per review, per role: the actors of the sessions covering the objective."""
        served = self.served
        by_review: dict[str, dict[str, dict]] = defaultdict(dict)
        for session in served.inc.get(objective, {}).get(GCM + "coversObjective", []):
            session = session.value
            review = self.review_of(session)
            for part in served.inc.get(session, {}).get(GCM + "inEvent", []):
                part = part.value
                role, role_label = self.participation_role(part, lang)
                groups = by_review[review]
                for prop, key, label in ((GCM + "participant", role, role_label),
                                         (GCM + "onBehalfOf", "represented", STRINGS[lang]["represented"])):
                    for actor in served.values(part, prop):
                        entry = groups.setdefault(key, {"label": label, "actors": defaultdict(set)})
                        entry["actors"][actor.value].add(session)
        out = []
        for review in sorted(by_review):
            groups = []
            for key, entry in sorted(by_review[review].items(), key=lambda kv: (kv[0] == "represented", kv[1]["label"])):
                actors = [{"actor": self.link(linker, a, lang),
                           "sessions": [self.link(linker, s, lang) for s in sorted(sessions, key=self.session_key)]}
                          for a, sessions in entry["actors"].items()]
                actors.sort(key=lambda a: order_key(a["actor"].label))
                groups.append({"role": entry["label"], "actors": actors})
            out.append({"review": self.short_link(linker, review, lang), "groups": groups})
        return out

    def session(self, linker: Linker, session: str, lang: str) -> dict:
        served = self.served
        roles: dict[str, dict] = {}
        for part in served.inc.get(session, {}).get(GCM + "inEvent", []):
            part = part.value
            role, role_label = self.participation_role(part, lang)
            order = served.value(part, GCM + "order")
            para = served.value(part, GCM + "statedIn")
            entry = roles.setdefault(role, {"role": self.link(linker, role, lang), "rows": []})
            entry["rows"].append({
                "actors": self.sorted_links(linker, [a.value for a in served.values(part, GCM + "participant")], lang),
                "behalf": self.sorted_links(linker, [a.value for a in served.values(part, GCM + "onBehalfOf")], lang),
                "paragraph": self.link(linker, para.value, lang) if para is not None else None,
                "key": (int(order.value) if order is not None else 1 << 20, self.sequence(part)),
            })
        for entry in roles.values():
            entry["rows"].sort(key=lambda r: (r["key"], [a.label for a in r["actors"]]))
        paragraphs = sorted((p.value for p in served.inc.get(session, {}).get(GCM + "aboutSession", [])),
                            key=self.sequence)
        return {
            "objectives": sorted((self.short_link(linker, o.value, lang) for o in served.values(session, GCM + "coversObjective")),
                                 key=_objective_order),
            "roles": sorted(roles.values(), key=lambda e: min(r["key"][1] for r in e["rows"])),
            "paragraphs": [self.quote(linker, p, lang) for p in paragraphs],
        }

    def paragraph(self, linker: Linker, para: str, lang: str) -> dict:
        served = self.served
        facts: dict[str, list[Link]] = defaultdict(list)
        for subject in served.inc.get(para, {}).get(GCM + "statedIn", []):
            if not isinstance(subject, ox.NamedNode):
                continue
            types = sorted(t for t in served.asserted_types.get(subject.value, ()) if t.startswith(GCM))
            kind = self.label(types[0], lang) if types else "—"
            facts[kind].append(self.link(linker, subject.value, lang))
        links = []
        for link in served.values(para, GCM + "hasThematicLink"):
            concept = served.value(link.value, GCM + "linkedConcept")
            if concept is None:
                continue
            evidence = [e.value for e in served.values(link.value, GCM + "evidence")]
            links.append({"concept": self.link(linker, concept.value, lang), "evidence": evidence})
        links.sort(key=lambda l: _objective_order(l["concept"]))
        report = served.value(para, GCM + "inReport")
        order = self.readingorder_key(report.value) if report is not None else []
        at = order.index(para) if para in order else -1
        return {"facts": [(k, sorted(v, key=lambda l: order_key(l.label))) for k, v in sorted(facts.items())],
                "concepts": links,
                "previous": self.link(linker, order[at - 1], lang) if at > 0 else None,
                "next": self.link(linker, order[at + 1], lang) if 0 <= at < len(order) - 1 else None,
                "report": self.link(linker, report.value, lang) if report is not None else None}

    @lru_cache(maxsize=64)  # noqa: B019
    def readingorder_key(self, report: str) -> list[str]:
        """The paragraphs of a report in reading order (gcm:sequence)."""
        paragraphs = [p.value for p in self.served.inc.get(report, {}).get(GCM + "inReport", [])]
        return sorted(paragraphs, key=lambda p: (self.sequence(p), p))

    def review(self, linker: Linker, review: str, lang: str) -> dict:
        served = self.served
        sessions = sorted((s.value for s in served.values(review, GCM + "hasSession")), key=self.session_key)
        session_rows = []
        kinds: dict[str, set[str]] = defaultdict(set)
        for event in [review, *sessions]:
            parts = [p.value for p in served.inc.get(event, {}).get(GCM + "inEvent", [])]
            for part in parts:
                for actor in served.values(part, GCM + "participant"):
                    kinds[self.actor_kind(actor.value)].add(actor.value)
            if event != review:
                session_rows.append({"session": self.link(linker, event, lang), "participations": len(parts),
                                     "objectives": sorted((self.short_link(linker, o.value, lang) for o in
                                                           served.values(event, GCM + "coversObjective")),
                                                          key=_objective_order)})
        date = served.value(review, "https://schema.org/startDate")
        place = served.value(review, GCM + "heldIn")
        convened = served.value(review, GCM + "convenedBy")
        words = STRINGS[lang]
        return {
            "date": date.value if date is not None else "",
            "place": self.link(linker, place.value, lang) if place is not None else None,
            "convened": self.link(linker, convened.value, lang) if convened is not None else None,
            "sessions": session_rows,
            "counts": [(words[k], len(kinds.get(k, ()))) for k in ("states", "organisations", "persons", "unresolved")],
            "charts": [(words["heatmap"], linker.app("charts/heatmap", {"review": last_segment(review)})),
                       (words["per_session"], linker.app("charts/sessions", {"review": last_segment(review)}))],
        }

    def actor_kind(self, actor: str) -> str:
        """The actor's broad kind, a key of `web.toml`: states, organisations, persons or unresolved."""
        for cls, key in (("State", "states"), ("Organisation", "organisations"), ("Person", "persons")):
            if self.served.has_type(actor, GCM + cls):
                return key
        return "unresolved"

    # -------------------------------------------------------------------------------------- home, search

    @lru_cache(maxsize=8)  # noqa: B019
    def home(self, lang: str) -> str:
        served = self.served
        linker = Linker(self.static, lang, self.page_path("/", lang) if self.static else "/")
        dataset = str(iris.DATASET)
        void = "http://rdfs.org/ns/void#"
        dcat = "http://www.w3.org/ns/dcat#"

        def texts(prop: str) -> str:
            values = served.values(dataset, prop)
            for want in (lang, "en", ""):
                for v in values:
                    if isinstance(v, ox.Literal) and (v.language or "") == want:
                        return v.value
            return ""

        stats = [(STRINGS[lang][key], served.value(dataset, void + prop).value)
                 for key, prop in (("triples", "triples"), ("entities", "entities"), ("classes", "classes"),
                                   ("properties_count", "properties")) if served.value(dataset, void + prop)]
        downloads = []
        for dist in served.values(dataset, dcat + "distribution"):
            url = served.value(dist.value, dcat + "downloadURL")
            media = served.value(dist.value, dcat + "mediaType")
            if url is None:
                continue
            downloads.append(Link(linker.iri(url.value), url.value.rsplit("/", 1)[-1],
                                  media.value.rsplit("/", 2)[-2] + "/" + media.value.rsplit("/", 1)[-1]
                                  if media is not None else ""))
        reviews = sorted((self.short_link(linker, s, lang) for s in served.out if served.has_type(s, GCM + "Review")),
                         key=lambda l: l.label)
        forms = [self.query_form(linker, q, lang) for q in self.queries]
        return self.render("home.html", lang, linker, title=STRINGS[lang]["site_title"],
                           dataset_title=texts("http://purl.org/dc/terms/title") or STRINGS[lang]["site_title"],
                           description=texts("http://purl.org/dc/terms/description"), stats=stats,
                           downloads=sorted(downloads, key=lambda l: l.label), reviews=reviews, forms=forms,
                           dataset_link=linker.iri(dataset) if dataset in served.out else None,
                           switch=linker.switch(("", {}), None))

    def query_form(self, linker: Linker, q: query.QueryFile, lang: str, values: dict[str, str] | None = None) -> dict:
        return {"name": q.name, "summary": q.summary, "description": q.description,
                "params": [(p, (values or {}).get(p, "")) for p in (q.params or ())],
                "help": query.params_text(q), "action": linker.app(f"query/{q.name}")}

    def search_hits(self, text: str, lang: str) -> list[tuple[str, str]]:
        """(IRI, matched label) of the resources whose labels (any language) contain the words typed."""
        wanted = _fold(text)
        if not wanted:
            return []
        hits = []
        for iri, labels in self.served.labels.items():
            if not iri.startswith(BASE + "id/"):
                continue
            names = set(labels.values()) | {str(v.value) for p in ("http://www.w3.org/2004/02/skos/core#altLabel",
                                                                  GCM + "acronym", GCM + "iso3166Alpha3")
                                           for v in self.served.values(iri, p)}
            for name in names:
                folded = _fold(name)
                if wanted in folded:
                    rank = 0 if folded == wanted else 1 if folded.startswith(wanted) else 2
                    if any(self.served.has_type(iri, GCM + c) for c in ("Participation", "ThematicLink")):
                        rank += 3  # the things themselves first, the facts that name them after
                    hits.append((rank, iri, name))
                    break
        hits.sort(key=lambda h: (h[0], order_key(self.label(h[1], lang))))
        return [(iri, name) for _, iri, name in hits[:200]]

    def search(self, text: str, lang: str) -> str:
        linker = Linker(self.static, lang, self.page_path("/search", lang) if self.static else "/search")
        if self.static:  # every named resource, filtered in the browser; the other language's name too
            other = "fr" if lang == "en" else "en"
            named = sorted((i for i in self.served.labels if i.startswith(BASE + "id/")),
                           key=lambda i: (order_key(self.label(i, lang)), i))
            hits = [{"link": self.link(linker, i, lang), "other": self.label(i, other)} for i in named]
        else:
            hits = [{"link": self.link(linker, iri, lang), "other": name} for iri, name in self.search_hits(text, lang)]
        return self.render("search.html", lang, linker, title=STRINGS[lang]["search"], q=text, hits=hits,
                           switch=linker.switch(("search", {"q": text}), None))

    # -------------------------------------------------------------------------------------- queries

    def find(self, name: str) -> query.QueryFile | None:
        return next((q for q in self.queries if q.name == name), None)

    def run_query(self, q: query.QueryFile, values: dict[str, str], lang: str | None = None) -> Result:
        """A canned query on the served store, with parameters and labels as `gcmkg query --param/--lang` takes
        them; UsageError for a bad value."""
        params = [query.parse_parameter(f"{k}={v}") for k, v in values.items() if v]
        query.bind_parameters(q, params)  # refuses unknown parameters before anything runs
        store = _StoreAdapter(self.served)
        return store.query(query.bind_parameters(q, resolve_parameters(q, params, store), lang))

    def query_page(self, q: query.QueryFile, values: dict[str, str], lang: str, result: Result | None,
                   error: str = "") -> str:
        linker = Linker(self.static, lang, self.page_path(f"/query/{q.name}", lang) if self.static
                        else f"/query/{q.name}")
        header = result.vars if result is not None else []
        rows = []
        for row in (result.rows if result is not None else []):
            cells = []
            for term in row:
                if term is None:
                    cells.append(None)
                elif str(type(term).__name__) == "URIRef":
                    cells.append(Value(link=self.short_link(linker, str(term), lang)))
                else:
                    cells.append(Value(text=str(term)))
            rows.append(cells)
        params = {k: v for k, v in values.items() if v}
        return self.render("query.html", lang, linker, title=q.name, form=self.query_form(linker, q, lang, values),
                           header=header, rows=rows, error=error,
                           csv=linker.app(f"query/{q.name}", params, "csv"),
                           json=linker.app(f"query/{q.name}", params, "json"),
                           switch=linker.switch((f"query/{q.name}", params), None))

    # -------------------------------------------------------------------------------------- charts

    @lru_cache(maxsize=256)  # noqa: B019
    def chart_page(self, name: str, review: str, kind: str, lang: str) -> str:
        linker = Linker(self.static, lang, self.page_path(f"/charts/{name}", lang) if self.static
                        else f"/charts/{name}")
        words = STRINGS[lang]
        reviews = sorted({self.review_of(s) for s in self.served.out if self.served.has_type(s, GCM + "Review")})
        params = {"review": review, "type": kind}
        filters = [(words["review"], [(words["all"], linker.app(f"charts/{name}", {**params, "review": ""}), not review)]
                    + [(self.short(r, lang), linker.app(f"charts/{name}", {**params, "review": last_segment(r)}),
                        review == last_segment(r)) for r in reviews])]
        if name == "heatmap":
            filters.append((words["actor_type"],
                            [(words["all"], linker.app(f"charts/{name}", {**params, "type": ""}), not kind)]
                            + [(words[k], linker.app(f"charts/{name}", {**params, "type": k}), kind == k)
                               for k in ("states", "organisations", "persons")]))
        header, rows = self.chart_data(name, review, kind, lang)
        svg = {"heatmap": charts.heatmap, "coverage": charts.grouped_bars,
               "sessions": charts.stacked_bars}[name](header, rows, words, linker.iri)
        return self.render("chart.html", lang, linker, title=words[{"sessions": "per_session"}.get(name, name)],
                           note=words[{"sessions": "per_session"}.get(name, name) + "_note"], svg=svg,
                           filters=filters, header=header, rows=rows,
                           csv=linker.app(f"charts/{name}", params, "csv"),
                           json=linker.app(f"charts/{name}", params, "json"),
                           switch=linker.switch((f"charts/{name}", params), None))

    @lru_cache(maxsize=8)  # noqa: B019
    def charts_index(self, lang: str) -> str:
        linker = Linker(self.static, lang, self.page_path("/charts", lang) if self.static else "/charts")
        words = STRINGS[lang]
        items = []
        for name, key in (("heatmap", "heatmap"), ("coverage", "coverage"), ("sessions", "per_session")):
            header, rows = self.chart_data(name, "", "", lang)
            svg = {"heatmap": charts.heatmap, "coverage": charts.grouped_bars,
                   "sessions": charts.stacked_bars}[name](header, rows, words, linker.iri)
            items.append({"title": words[key], "note": words[key + "_note"], "svg": svg,
                          "href": linker.app(f"charts/{name}")})
        return self.render("charts.html", lang, linker, title=words["charts"], items=items,
                           switch=linker.switch(("charts", {}), None))

    @lru_cache(maxsize=256)  # noqa: B019
    def chart_data(self, name: str, review: str, kind: str, lang: str) -> tuple[list[str], list[list]]:
        """The rows a chart draws (`chartdata`), kept: the data does not change while it is served."""
        return chartdata.rows(self, name, review, kind, lang)

    def table_bytes(self, header: list[str], rows: list[list], fmt: str) -> bytes:
        """A chart's or a query's rows as CSV or JSON (IRIs as IRIs)."""
        plain = [[c[0] if isinstance(c, tuple) else c for c in row] for row in rows]
        if fmt == "json":
            return (json.dumps({"columns": header, "rows": plain}, ensure_ascii=False, indent=1) + "\n").encode()
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        if header and isinstance(rows[0][0] if rows else None, tuple):
            buffer.seek(0)
            buffer.truncate()
            writer.writerow([header[0], "label", *header[1:]])
            writer.writerows([[row[0][0], row[0][1], *row[1:]] for row in rows])
        else:
            writer.writerows(plain)
        return buffer.getvalue().encode()

    # -------------------------------------------------------------------------------------- errors

    def not_found(self, lang: str, path: str) -> str:
        linker = Linker(self.static, lang, "/404.html" if self.static else path)
        return self.render("error.html", lang, linker, title=STRINGS[lang]["not_found"],
                           message=STRINGS[lang]["not_found_text"], path=path,
                           switch=linker.switch(("", {}), None))

    def sparql_page(self, lang: str, text: str = "", status: int = 0, media: str = "", body: bytes = b"") -> str:
        """The endpoint's page for people: a query form, and the answer to the query sent from it as a table."""
        linker = Linker(False, lang, "/sparql")
        example = ("PREFIX gcm: <https://w3id.org/gcmkg/ontology#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                   "SELECT ?objective ?title WHERE {\n  ?objective a gcm:Objective ; skos:prefLabel ?title .\n"
                   f"  FILTER(LANG(?title) = \"{lang}\")\n}}\nORDER BY ?objective")
        header: list[str] = []
        rows: list[list[Value | None]] = []
        raw = error = ""
        if status == 200 and media == "application/sparql-results+json":
            answer = json.loads(body)
            if "boolean" in answer:
                raw = str(answer["boolean"]).lower()
            else:
                header = answer["head"]["vars"]
                for binding in answer["results"]["bindings"]:
                    row: list[Value | None] = []
                    for name in header:
                        term = binding.get(name)
                        if term is None:
                            row.append(None)
                        elif term["type"] == "uri":
                            row.append(Value(link=self.short_link(linker, term["value"], lang)))
                        else:
                            row.append(Value(text=term["value"], lang=term.get("xml:lang", "")))
                    rows.append(row)
        elif status == 200:
            raw = body.decode("utf-8", "replace")
        elif status:
            error = body.decode("utf-8", "replace")
        return self.render("sparql.html", lang, linker, title=STRINGS[lang]["sparql_title"], example=text or example,
                           graphs=self.served.graphs, header=header, rows=rows, raw=raw, error=error, ran=bool(status),
                           switch=linker.switch(("sparql", {}), None))


class _StoreAdapter:
    """The served store as a `store.Store`: the default graph is what `gcmkg query` loads (all but void.ttl)."""

    name = "oxigraph"

    def __init__(self, served: Served) -> None:
        self.served = served

    def query(self, text: str, lazy: bool = False) -> Result:
        try:
            return result_of(self.served.store.query(text, default_graph=[ox.NamedNode(g) for g in self.served.data_graphs]))
        except SyntaxError as err:  # as `store.OxigraphStore` says it: the page shows a bad query
            raise QuerySyntaxError(str(err)) from err


_fold = lru_cache(maxsize=65536)(fold)  # the search folds every label on each request: each label once


def _objective_order(link: Link) -> tuple:
    tail = link.href.rsplit("/", 1)[-1].split(".")[0]
    return (0, int(tail), "") if tail.isdigit() else (1, 0, link.label)
