"""A synthetic corpus of GCM regional-review reports (French), for the benchmark.

The generated reports follow the Markdown style of the bundled report (`graph/sources/ece-gcm-2024-review-fr.md`)
and of the three French test reports (`tests/data/reports/*-fr.md`), PDF scars included (a paragraph split by a
footnote, headings at varying levels, role labels with and without italics). What varies from one report to
the next:

- the commission (the five UN regional commissions of `ontology/reference/organisations.ttl`), its seat
  (`places.ttl`), the forum the review precedes where the reference graph has one (`forums.ttl`);
- the ordinal, the year, the date, the decision that convened the review, the IMRF edition it feeds;
- the co-chairs, the moderators, the speakers (invented names) and the co-chairs' functions;
- the states present (French prefLabels of `states.ttl`: UNECE members for ECE, a region for the others),
  the UN entities and observers present, the number of NGOs;
- 3 to 5 thematic sessions whose objectives partition 1-23 differently (printed as lists and ranges), with
  lead organisers (French acronyms from `organisations.ttl`), lead states, contributions, groups speaking on
  behalf of other states and rights of reply;
- every paragraph text: sentences of the annexes of the four reports, shuffled and recombined.

A report depends only on the seed and its index, so the corpus of size 10 is the first 10 reports of the
corpus of size 100 (the sizes measure the same kind of data, nested).

    python bench/corpus.py 10 --out bench/.corpus/10 [--seed 0] [--check]

`--check` builds the corpus with `gcmkg build` (a subprocess) and fails on any error or warning.
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "ontology" / "reference"
TEMPLATES = [ROOT / "graph" / "sources" / "ece-gcm-2024-review-fr.md",
             *sorted((ROOT / "tests" / "data" / "reports").glob("*-fr.md"))]
GCM = Namespace("https://w3id.org/gcmkg/ontology#")
ID = Namespace("https://w3id.org/gcmkg/id/")
ORG = Namespace("http://www.w3.org/ns/org#")


# ----------------------------------------------------------------------------------------------- commissions


@dataclass(frozen=True)
class Commission:
    slug: str            # id/org/<slug> in organisations.ttl
    place: str           # id/place/<place> in places.ttl
    region_title: str    # the review's title line: "dans la région de la ...", "en Asie et dans le Pacifique"
    region: str          # "la région de la CEE": the region as a noun phrase (always "la région ...")
    forum: str | None    # id/forum/<forum> the review precedes, if the reference graph has one
    states: tuple[str, ...] = ()  # ISO 3166 alpha-3 codes; empty: the commission's members in states.ttl
    network: str = "Réseau des Nations Unies sur les migrations"


# Regional membership is not in the reference graph except for UNECE; these are the commissions' members
# (a selection for the larger ones), by ISO 3166 alpha-3 code.
COMMISSIONS = (
    Commission("unece", "geneva", "dans la région de la Commission économique pour l'Europe",
               "la région de la CEE", "rfsd-ece", network="Réseau régional des Nations Unies sur les migrations"),
    Commission("escap", "bangkok", "en Asie et dans le Pacifique", "la région de l'Asie et du Pacifique", "apfsd", tuple(
        "AFG AUS BGD BTN BRN KHM CHN FJI IND IDN IRN JPN KAZ KIR KGZ LAO MYS MDV MHL FSM MNG MMR NRU NPL NZL PAK "
        "PLW PNG PHL KOR WSM SGP SLB LKA TJK THA TLS TON TUR TKM TUV UZB VUT VNM FRA GBR USA RUS NLD".split())),
    Commission("eca", "addis-ababa", "en Afrique", "la région de l'Afrique", "arfsd", tuple(
        "DZA AGO BEN BWA BFA BDI CPV CMR CAF TCD COM COG CIV COD DJI EGY GNQ ERI SWZ ETH GAB GMB GHA GIN GNB KEN "
        "LSO LBR LBY MDG MWI MLI MRT MUS MAR MOZ NAM NER NGA RWA STP SEN SYC SLE SOM ZAF SSD SDN TGO TUN UGA "
        "TZA ZMB ZWE".split())),
    Commission("eclac", "santiago", "en Amérique latine et dans les Caraïbes",
               "la région de l'Amérique latine et des Caraïbes",
               None, tuple(
                   "ATG ARG BHS BRB BLZ BOL BRA CHL COL CRI CUB DMA DOM ECU SLV GRD GTM GUY HTI HND JAM MEX NIC PAN "
                   "PRY PER KNA LCA VCT SUR TTO URY VEN CAN FRA DEU ITA NLD PRT ESP GBR USA JPN KOR".split())),
    Commission("escwa", "beirut", "dans la région arabe", "la région arabe", None, tuple(
        "DZA BHR EGY IRQ JOR KWT LBN LBY MRT MAR OMN QAT SAU SOM SDN SYR TUN ARE YEM DJI COM".split())),
)

# UN entities that attend and organise sessions, observers, and the organisations that contribute, moderate
# and speak for the stakeholders (slugs of organisations.ttl).
UN_ENTITIES = ("ilo unhcr ohchr undp unicef unfpa unodc un-women who unops world-bank fao unesco un-habitat unep "
               "wfp unctad un-desa unitar unu undrr ocha unaids ifad").split()
OBSERVERS = "oecd osce coe au icmpd gfmd eu".split()
STAKEHOLDERS = ("ituc ioe picum idc lwf caritas-internationalis icmc mmc mpi fwcc save-the-children "
                "solidarity-center ilaw mycp nogaht bwi afford ifrc icrc amnesty-international hrw").split()
EUROPEAN = "ec eeas frontex euaa coe osce caritas-europa etuc businesseurope".split()

MONTHS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
ORDINALS_M = "premier deuxième troisième quatrième cinquième sixième septième huitième neuvième dixième".split()
ORDINALS_F = ["première", *ORDINALS_M[1:]]
NUMBER_WORDS = {3: "trois", 4: "quatre", 5: "cinq"}
LETTERS = "ABCDE"

FIRST_F = ("Amina Claudia Elena Fatima Hana Ingrid Irene Julia Katarina Layla Leila Lucia Maja Mariam Marta Nadia "
           "Nour Olga Paula Priya Rosa Sara Sofia Tamara Ulla Yasmin Zeynep Ana Beatriz Chiara").split()
FIRST_M = ("Ahmed Andrés Arjun Carlos Daniel David Emil Farid Hugo Ivan Jonas Karim Lars Luis Marco Mateo Miguel "
           "Nikolai Omar Pablo Pedro Rahul Samir Tomas Viktor Yusuf Kofi Kwame Tevita Hiroshi").split()
LAST = ("Abebe Akhtar Alvarez Bianchi Castro Chen Costa Diallo Dubois Eriksen Fernandes Haddad Hansen Ibrahim "
        "Ivanova Jensen Kamau Kowalski Lindqvist Mendes Moreno Mwangi Nakamura Novak Okafor Osei Petrov Quispe "
        "Rahman Rossi Santos Silva Tanaka Torres Usman Varga Wiśniewski Yilmaz Zapata Horvat Mensah Nguyen").split()

PORTFOLIOS = ("de l'intérieur", "des migrations", "du travail et de la protection sociale", "des affaires étrangères",
              "de l'emploi et de la formation professionnelle", "de la justice et des affaires intérieures",
              "de l'intégration et des migrations", "des affaires sociales")
MODERATOR_FUNCTIONS = {  # (masculine, feminine)
    "policy": ("Directeur des politiques migratoires", "Directrice des politiques migratoires"),
    "programme": ("Directeur de programme", "Directrice de programme"),
    "economist": ("Économiste principal", "Économiste principale"),
    "adviser": ("Conseiller principal", "Conseillère principale"),
    "chief": ("Chef de la division des migrations", "Cheffe de la division des migrations"),
    "research": ("Chercheur principal", "Chercheuse principale"),
}


# ----------------------------------------------------------------------------------------------- reference data


@dataclass
class State:
    iso3: str
    name: str           # French prefLabel
    demonym_m: str | None
    demonym_f: str | None


@dataclass
class Organisation:
    slug: str
    name: str           # French prefLabel
    acronym: str | None  # French gcm:acronym


@dataclass
class Reference:
    states: dict[str, State]
    orgs: dict[str, Organisation]
    places: dict[str, str]
    forums: dict[str, str]
    ece_members: list[str]


def _fr(graph: Graph, node: URIRef, prop: URIRef) -> list[str]:
    return sorted(str(o) for o in graph.objects(node, prop) if isinstance(o, Literal) and o.language == "fr")


def _demonyms(forms: list[str]) -> tuple[str | None, str | None]:
    """Masculine and feminine singular of a state's French demonyms (None when they cannot be told)."""
    if not forms:
        return None, None
    masc = min(forms, key=len)
    if masc.endswith("e"):
        return masc, masc
    for fem in (masc + "e", masc + "ne", masc[:-1] + "que", masc + "que"):
        if fem in forms:
            return masc, fem
    return masc, None


@cache
def reference() -> Reference:
    states_graph = Graph().parse(REFERENCE / "states.ttl")
    orgs_graph = Graph().parse(REFERENCE / "organisations.ttl")
    places_graph = Graph().parse(REFERENCE / "places.ttl")
    forums_graph = Graph().parse(REFERENCE / "forums.ttl")
    states = {}
    for node in states_graph.subjects(GCM.iso3166Alpha3, None):
        iso3 = str(states_graph.value(node, GCM.iso3166Alpha3))
        masc, fem = _demonyms(_fr(states_graph, node, GCM.demonym))
        states[iso3] = State(iso3, _fr(states_graph, node, SKOS.prefLabel)[0], masc, fem)
    orgs = {}
    for node in set(orgs_graph.subjects(SKOS.prefLabel, None)):
        slug = str(node).rsplit("/", 1)[-1]
        acronyms = _fr(orgs_graph, node, GCM.acronym)
        orgs[slug] = Organisation(slug, _fr(orgs_graph, node, SKOS.prefLabel)[0], acronyms[0] if acronyms else None)
    ece = [str(states_graph.value(s, GCM.iso3166Alpha3)) for s in states_graph.subjects(ORG.memberOf, ID["org/unece"])]
    return Reference(
        states=states, orgs=orgs,
        places={str(s).rsplit("/", 1)[-1]: _fr(places_graph, s, SKOS.prefLabel)[0]
                for s in places_graph.subjects(RDF.type, GCM.Place)},
        forums={str(s).rsplit("/", 1)[-1]: _fr(forums_graph, s, SKOS.prefLabel)[0]
                for s in set(forums_graph.subjects(SKOS.prefLabel, None))},
        ece_members=sorted(ece))


# ----------------------------------------------------------------------------------------------- French grammar

PLURAL = {"Philippines", "Maldives", "Bahamas", "Comores", "Seychelles", "Fidji", "Îles Marshall", "Îles Salomon",
          "Émirats arabes unis", "États-Unis d'Amérique"}
NO_ARTICLE = {"Chypre", "Malte", "Cuba", "Madagascar", "Singapour", "Sri Lanka", "Israël", "Monaco", "Bahreïn",
              "Oman", "Haïti", "Maurice", "Nauru", "Tonga", "Samoa", "Vanuatu", "Kiribati", "Tuvalu", "Palaos",
              "Saint-Marin", "Sainte-Lucie", "Saint-Kitts-et-Nevis", "Antigua-et-Barbuda", "Trinité-et-Tobago",
              "Sao Tomé-et-Principe", "Brunéi Darussalam", "Djibouti", "Cabo Verde", "Saint-Vincent-et-les Grenadines",
              "Grenade", "Dominique", "Barbade", "Jamaïque", "El Salvador"}
FEMININE_HEADS = {"République", "Fédération", "Sierra"}
MASCULINE_E = {"Mexique", "Cambodge", "Mozambique", "Zimbabwe", "Belize", "Suriname", "Royaume-Uni de Grande-Bretagne "
               "et d'Irlande du Nord", "Timor-Leste", "Yémen", "Liechtenstein"}


def _starts_with_vowel(name: str) -> bool:
    return unicodedata.normalize("NFD", name[0])[0].lower() in "aeiouyh"


def article(name: str) -> str:
    """The definite article a French sentence puts before a state's name ("" for the names that take none)."""
    if name in NO_ARTICLE:
        return ""
    if name in PLURAL or name.startswith("Pays-Bas"):
        return "les "
    if _starts_with_vowel(name):
        return "l'"
    head = name.split()[0]
    if head in FEMININE_HEADS or head.endswith("e") and name not in MASCULINE_E and not name.startswith("Royaume"):
        return "la "
    return "le "


def of(name: str) -> str:
    """'de la France', 'du Danemark', 'des Pays-Bas', 'de l'Albanie', 'de Chypre'."""
    return {"": "de ", "les ": "des ", "l'": "de l'", "la ": "de la ", "le ": "du "}[article(name)] + name


def subject(name: str) -> str:
    """'La Fédération de Russie', "L'Arménie", 'Chypre': a state as the subject of a sentence."""
    text = article(name) + name
    return text[0].upper() + text[1:]


def join(items: list[str], last: str = " et ") -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + last + items[-1]


def collation(text: str) -> str:
    return unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode().lower()


def objective_list(numbers: list[int], rng: random.Random) -> str:
    """'2, 5, 6, 12 et 18', '1 à 3, 7, 17 et 23', '9 à 16': runs of three or more may be printed as ranges."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and runs[-1][-1] == n - 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    use_ranges = rng.random() < 0.6
    parts: list[str] = []
    for run in runs:
        if use_ranges and len(run) >= 3:
            parts.append(f"{run[0]} à {run[-1]}")
        else:
            parts.extend(str(n) for n in run)
    return join(parts)


# ----------------------------------------------------------------------------------------------- sentence pool

SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-ZÀ-Ý«])(?<![A-Z]\.\s)")


@cache
def annex_sentences() -> tuple[str, ...]:
    """The sentences of the annexes of the bundled and test reports (paragraphs mended across page breaks)."""
    sentences: list[str] = []
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        annex = text.split("## Annexe", 1)[1]
        paragraphs: list[str] = []
        for line in annex.splitlines():
            line = line.strip()
            if not line or line.startswith("#") or line.startswith("---") or line.startswith("<sup>"):
                continue
            number = re.match(r"^\d+\.\s+(.*)$", line)
            if number:
                paragraphs.append(number.group(1))
            elif paragraphs and line[0].islower():
                paragraphs[-1] += " " + line
        for paragraph in paragraphs:
            sentences.extend(s.strip() for s in SENTENCE_END.split(paragraph) if len(s.strip()) > 30)
    # Names that belong to one commission's report are not carried into another's.
    return tuple(s for s in dict.fromkeys(sentences)
                 if not re.search(r"\b(CEE|CESAP|Méditerranée|Balkans|Andaman|Bengale|Afghan|baltes|ERRIN)\b", s))


@cache
def sentences_for(commission: str) -> tuple[str, ...]:
    """The pool without what only a European report would say, for the other commissions."""
    if commission == "unece":
        return annex_sentences()
    return tuple(s for s in annex_sentences() if not re.search(r"\b(UE|Europe|européen\w*|Schengen)\b", s))


# ----------------------------------------------------------------------------------------------- one report


@dataclass
class Person:
    name: str
    feminine: bool


@dataclass
class Session:
    number: int
    objectives: list[int]
    organisers: list[str]
    moderator: Person
    moderator_affiliation: str
    lead_states: list[str]
    contributors: list[str] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)


class Writer:
    """One report, drawn from its own random stream."""

    def __init__(self, index: int, seed: int) -> None:
        self.rng = random.Random(f"gcmkg-bench-{seed}-{index}")
        self.ref = reference()
        self.commission = COMMISSIONS[index % len(COMMISSIONS)]
        k = index // len(COMMISSIONS)
        self.year = 2019 + 2 * k + (index % len(COMMISSIONS)) % 2
        self.ordinal = k % len(ORDINALS_M)
        self.org = self.ref.orgs[self.commission.slug]
        self.acr = self.org.acronym or self.org.name
        self.notation = {"unece": "ECE"}.get(self.commission.slug, self.commission.slug.upper())
        self.stem = f"{self.commission.slug.removeprefix('un')}-gcm-{self.year}-review-fr"
        self.named: set[str] = set()  # organisations already introduced with their full name
        self.sentences = list(sentences_for(self.commission.slug))
        self.rng.shuffle(self.sentences)
        self.used_people: set[str] = set()

    # --- drawing

    def person(self, feminine: bool | None = None) -> Person:
        while True:
            fem = self.rng.random() < 0.5 if feminine is None else feminine
            name = f"{self.rng.choice(FIRST_F if fem else FIRST_M)} {self.rng.choice(LAST)}"
            if name not in self.used_people:
                self.used_people.add(name)
                return Person(name, fem)

    def text(self, low: int, high: int) -> str:
        """low..high sentences of the pool, never reused within the report (the pool is reshuffled if spent)."""
        count = self.rng.randint(low, high)
        if len(self.sentences) < count:
            self.sentences = list(sentences_for(self.commission.slug))
            self.rng.shuffle(self.sentences)
        picked, self.sentences = self.sentences[:count], self.sentences[count:]
        return " ".join(picked)

    def org_name(self, slug: str) -> str:
        """First mention: the full name with its acronym; later: the acronym alone."""
        org = self.ref.orgs[slug]
        if org.acronym and len(org.acronym) >= 3 and org.acronym.isupper() and slug in self.named:
            return org.acronym
        self.named.add(slug)
        return f"{org.name} ({org.acronym})" if org.acronym and len(org.acronym) >= 3 else org.name

    def state_pool(self) -> list[str]:
        codes = self.commission.states or tuple(self.ref.ece_members)
        return [code for code in codes if code in self.ref.states]

    def cochair_function(self, state: State, feminine: bool) -> str:
        demonym = state.demonym_f if feminine else state.demonym_m
        if demonym and self.rng.random() < 0.6:
            return f"Ministre {demonym} {self.rng.choice(PORTFOLIOS)}"
        kind = self.rng.choice(["Secrétaire d'État au Ministère de l'intérieur", "Vice-Ministre des affaires étrangères",
                                "Secrétaire d'État chargé" + ("e" if feminine else "") + " des migrations"])
        return f"{kind} {of(state.name)}"

    # --- the report

    def write(self) -> str:
        rng, ref, c = self.rng, self.ref, self.commission
        place = ref.places[c.place]
        month = rng.randint(2, 5)
        day = rng.randint(1, 28)
        day_text = "1er" if day == 1 else str(day)
        date = f"{day_text} {MONTHS[month - 1]} {self.year}"
        ordinal_f = ORDINALS_F[self.ordinal]
        ordinal_m = ORDINALS_M[self.ordinal]
        imrf_year = next(y for y in range(2022, 2200, 4) if y > self.year)

        pool = self.state_pool()
        present = sorted(rng.sample(pool, min(len(pool), rng.randint(max(12, len(pool) * 2 // 3), len(pool)))),
                         key=lambda code: collation(ref.states[code].name))
        names = {code: ref.states[code].name for code in present}

        cochair_states = rng.sample(present, 2)
        cochairs = [self.person(), self.person()]
        cochair_text = [f"S.E. {'Mme ' if p.feminine else 'M. ' if rng.random() < 0.7 else ''}{p.name}, "
                        f"{self.cochair_function(ref.states[s], p.feminine)}" for p, s in zip(cochairs, cochair_states)]
        all_feminine = all(p.feminine for p in cochairs)
        cochairs_word = "coprésidentes" if all_feminine else "coprésidents"

        un_present = rng.sample(UN_ENTITIES, rng.randint(6, 12))
        observers = rng.sample(OBSERVERS, rng.randint(1, 3))

        n_sessions = rng.choice([3, 4, 4, 5])
        numbers = list(range(1, 24))
        rng.shuffle(numbers)
        cuts = sorted(rng.sample(range(3, 21), n_sessions - 1))
        while any(b - a < 3 for a, b in zip([0, *cuts], [*cuts, 23])):
            cuts = sorted(rng.sample(range(3, 21), n_sessions - 1))
        groups = [sorted(numbers[a:b]) for a, b in zip([0, *cuts], [*cuts, 23])]
        groups.sort(key=lambda g: g[0] if rng.random() < 0.5 else rng.random())

        # ------------------------------------------------------------------ title block and chapter I
        out: list[str] = ["", "", "", "", "---", "", f"**{self.org.name}**", "",
                          "Examen régional de l'application du Pacte mondial  ",
                          "pour des migrations sûres, ordonnées et régulières  ", f"{c.region_title}", "",
                          f"**{ordinal_f.capitalize()} session**  ", f"{place}, {date}", "",
                          "**Rapport de l'Examen régional de l'application du Pacte  ",
                          "mondial pour des migrations sûres, ordonnées et régulières  ",
                          f"{c.region_title}  ", f"sur sa {ordinal_f} session**", ""]
        body: list[str] = []
        para = 0

        def p(text: str) -> None:
            nonlocal para
            para += 1
            body.append(f"{para}. {text}")

        forum_clause = ""
        if c.forum and rng.random() < 0.7:
            forum_clause = f", avant le {ref.forums[c.forum]}, qui a eu lieu les {min(day + 2, 27)} et {min(day + 3, 28)} {MONTHS[month - 1]}"
        p(f"Le {ordinal_m} Examen régional de l'application du Pacte mondial pour des migrations sûres, ordonnées et "
          f"régulières (ci-après « le Pacte mondial ») {c.region_title} ({self.acr}) s'est tenu à {place} le {date}"
          f"{forum_clause}.")
        self.named.add(c.slug)
        meeting = rng.randint(60, 140)
        decision_date = f"{rng.randint(2, 28)} {MONTHS[rng.randint(0, 11)]} {self.year - 1}"
        decision = (f"en application de la décision adoptée par le Comité exécutif de la CEE à sa {meeting}<sup>e</sup> "
                    f"réunion, le {decision_date}" if c.slug == "unece" else
                    f"comme suite à la décision prise par la Commission à sa {meeting}<sup>e</sup> session, "
                    f"le {decision_date}")
        coordinator = rng.choice(["qui coordonne le Réseau des Nations Unies sur les migrations",
                                  "coordonnatrice du Réseau des Nations Unies sur les migrations",
                                  "en sa qualité de coordonnatrice du Réseau des Nations Unies sur les migrations"])
        p(f"L'Examen a été organisé conjointement par la {self.acr} et l'Organisation internationale pour les "
          f"migrations (OIM), {coordinator}, {decision}<sup>1</sup>. Il a été coprésidé par {cochair_text[0]}, et par "
          f"{cochair_text[1]}.")
        self.named.add("iom")
        words = NUMBER_WORDS[n_sessions]
        p(rng.choice([
            f"L'Examen a eu lieu dans le cadre d'une Conférence intergouvernementale et d'une concertation multipartite. "
            f"La Conférence intergouvernementale a consisté en une séance d'ouverture, {words} séances thématiques et "
            f"une séance de clôture.",
            f"L'Examen a comporté une Conférence intergouvernementale, précédée d'une concertation multipartite. La "
            f"Conférence intergouvernementale s'est articulée autour d'une séance d'ouverture, de {words} séances "
            f"thématiques et d'une séance de clôture."]) + " " + self.text(1, 2))
        p(f"Ont assisté au {ordinal_m} Examen régional des représentants des États membres de la {self.acr} "
          f"suivants : {join([names[code] for code in present])}.")
        p(f"Étaient également présents des représentants {join([of_org(self.org_name(o)) for o in observers], ' et ')}"
          f", en qualité d'observateurs.")
        p("Étaient représentés à l'Examen les organes, fonds et programmes, institutions spécialisées et organisations "
          "apparentées des Nations Unies ci-après : "
          + join([self.org_name(o) for o in ["iom", *un_present]] if rng.random() < 0.5 else
                 [self.org_name(o) for o in [*un_present, "iom"]]) + ".")
        ngo = rng.randint(20, 120)
        p(f"Des représentants de {'plus de ' if rng.random() < 0.6 else ''}{ngo} organisations non gouvernementales "
          f"(ONG) et d'autres parties prenantes ont également participé à l'Examen. La liste des participants peut "
          f"être consultée sur le site Web de la réunion.")
        chapter_1 = (1, para)

        # ------------------------------------------------------------------ chapter II
        body += ["", "## II. Ouverture de la session et adoption de l'ordre du jour", ""]
        p(f"La Conférence intergouvernementale a adopté l'ordre du jour provisoire de la réunion, publié sous la cote "
          f"{self.notation}/GCM/{self.year}/1.")
        body += ["", f"<sup>1</sup> [https://example.org/{self.notation.lower()}/decision-{meeting}.pdf]"
                     f"(https://example.org/{self.notation.lower()}/decision-{meeting}.pdf).", ""]
        p(f"Dans leur discours d'ouverture, les {cochairs_word}, {cochair_text[0]}, et {cochair_text[1]}, ont rappelé "
          f"que le Pacte mondial demeurait un cadre de coopération essentiel pour {c.region}. " + self.text(2, 5))
        body.append("")
        secretary = self.person()
        p(f"{'La Secrétaire exécutive adjointe' if secretary.feminine else 'Le Secrétaire exécutif adjoint'} de la "
          f"{self.acr}, {secretary.name}, a souligné que la migration était l'un des moteurs du développement durable. "
          + self.text(1, 4))
        body.append("")
        if rng.random() < 0.7:
            director = self.person()
            p(f"Dans son message vidéo, {'la Directrice générale adjointe' if director.feminine else 'le Directeur général adjoint'} "
              f"de l'OIM, {director.name}, a souligné que les droits humains des migrants étaient une question centrale. "
              + self.text(1, 3))
            body.append("")
        rapporteur = self.person()
        first, rest = self.text(2, 3), self.text(2, 4)
        # The paragraph goes on after the footnote at the foot of the page, as paragraph 12 of the bundled report.
        p(f"{rapporteur.name}, {'Rapporteuse' if rapporteur.feminine else 'Rapporteur'} pour les parties prenantes, a "
          f"rendu compte des principales conclusions de la concertation multipartite<sup>2</sup>. {first} "
          f"{'Elle' if rapporteur.feminine else 'Il'} a également indiqué que")
        body += ["", f"<sup>2</sup> Le rapport de la concertation multipartite est disponible à l'adresse suivante : "
                     f"<https://example.org/{self.notation.lower()}/{self.year}/stakeholders.pdf>.", ""]
        body.append(rest[0].lower() + rest[1:])
        chapter_2 = (chapter_1[1] + 1, para)

        # ------------------------------------------------------------------ chapter III
        body += ["", rng.choice(["## III. Séances thématiques", "### III. Séances thématiques"]), ""]
        sessions: list[Session] = []
        un_acronyms = [o for o in un_present if self.ref.orgs[o].acronym]
        for number, objectives in enumerate(groups, 1):
            organisers = rng.sample(un_acronyms, rng.randint(1, min(3, len(un_acronyms))))
            organiser_names = [self.ref.orgs[o].acronym for o in organisers]
            if rng.random() < 0.6:
                organiser_names.append(c.network)
            moderator = self.person()
            affiliation = rng.choice(STAKEHOLDERS + OBSERVERS[:-1] + un_present)
            lead = rng.sample(present, rng.randint(0, 3))
            contributors = sorted(rng.sample(present, rng.randint(4, min(14, len(present)))),
                                  key=lambda code: collation(names[code]))
            groups_on_behalf: dict[str, list[str]] = {}
            for speaker in rng.sample(contributors, rng.choice([0, 0, 1, 1, 2])):
                others = [code for code in present if code not in contributors and code != speaker
                          and " et " not in names[code] and "(" not in names[code]]
                if len(others) >= 2:
                    groups_on_behalf[speaker] = rng.sample(others, rng.randint(2, min(5, len(others))))
            items = []
            for code in contributors:
                if code in groups_on_behalf:
                    represented = [of(names[o]) for o in groups_on_behalf[code]]
                    comma = "," if rng.random() < 0.7 else ""
                    items.append(f"{names[code]}{comma} au nom {join(represented)}")
                else:
                    items.append(names[code])
            if c.slug == "unece" and rng.random() < 0.7:
                items.append("Commission européenne/Service européen pour l'action extérieure")
            org_contributors = rng.sample(STAKEHOLDERS, rng.randint(1, 4)) + rng.sample(organisers, 1)
            items += [self.org_name(o) for o in org_contributors]
            replies = rng.sample([s for s in present if s not in lead], rng.choice([0, 0, 0, 1, 1, 2]))
            session = Session(number, objectives, organiser_names, moderator, self.org_name(affiliation),
                              [names[s] for s in lead], items, [names[s] for s in replies])
            sessions.append(session)
            level = rng.choice(["##", "###", "####", "####"])
            body += ["", f"{level} {LETTERS[number - 1]}. {ORDINALS_F[number - 1].capitalize()} séance", ""]
            p(rng.choice([
                f"La {ORDINALS_F[number - 1]} séance de l'Examen régional pour la {self.acr} a été l'occasion "
                f"d'examiner les progrès réalisés et les défis à relever pour atteindre les objectifs "
                f"{objective_list(objectives, rng)} du Pacte mondial.",
                f"La {ORDINALS_F[number - 1]} séance a été consacrée à l'examen des progrès accomplis et des obstacles "
                f"rencontrés dans la réalisation des objectifs {objective_list(objectives, rng)} du Pacte mondial."]))
            italic = rng.random() < 0.6

            def role(label: str, value: str) -> None:
                body.extend(["", f"*{label}* : {value}" if italic else f"{label} : {value}"])

            role("Organisateurs principaux" if len(organiser_names) > 1 else "Organisateur principal",
                 join(organiser_names) if len(organiser_names) > 1 else organiser_names[0])
            forms = MODERATOR_FUNCTIONS[rng.choice(sorted(MODERATOR_FUNCTIONS))]
            function = forms[moderator.feminine] + ", " if rng.random() < 0.3 else ""
            role("Modératrice" if moderator.feminine else "Modérateur",
                 f"{moderator.name}, {function}{session.moderator_affiliation}")
            if lead:
                role("États membres intervenants" if len(lead) > 1 else "État membre intervenant",
                     join(session.lead_states))
            sentence = "Contributions de fond présentées par"
            last = " ; ".join(items) + "."
            for reply in self.replies(session.replies):
                last += " " + reply
            role(sentence, last)
        chapter_3 = (chapter_2[1] + 1, para)

        # ------------------------------------------------------------------ chapter IV
        body += ["", "## IV. Clôture", ""]
        stakeholder = self.person()
        organisation = rng.choice(STAKEHOLDERS)
        p(f"Dans son allocution de clôture, {'la représentante' if stakeholder.feminine else 'le représentant'} de "
          f"{of_org(self.ref.orgs[organisation].name)[3:]}, {stakeholder.name}, s'exprimant au nom des parties prenantes, a "
          f"rappelé que les migrants devaient être considérés comme des titulaires de droits. " + self.text(1, 3))
        body.append("")
        p(f"{'La Secrétaire exécutive adjointe' if secretary.feminine else 'Le Secrétaire exécutif adjoint'} de la "
          f"{self.acr}, {secretary.name}, a remercié les {cochairs_word}, les organisateurs et les participants. "
          + self.text(1, 2))
        body.append("")
        for person, text in zip(cochairs, cochair_text):
            word = "La coprésidente" if person.feminine else "Le coprésident"
            p(f"{word}, {text}, a remercié les participants et indiqué que le projet de rapport et le résumé des débats "
              f"seraient diffusés aux participants pour observations. La version finale constituerait la contribution "
              f"officielle de {c.region} au Forum d'examen des migrations internationales de {imrf_year}.")
            body.append("")
        chapter_4 = (chapter_3[1] + 1, para)

        # ------------------------------------------------------------------ annex
        annex: list[str] = ["", "## Annexe", "", f"{rng.choice(['##', '###'])} Résumé des débats des {cochairs_word}", ""]
        annex_number = 0
        for session in sessions:
            annex += [f"{rng.choice(['##', '###', '####'])} {ORDINALS_F[session.number - 1].capitalize()} séance", ""]
            for _ in range(rng.randint(2, 6)):
                annex_number += 1
                text = self.text(2, 5)
                words_ = text.split(" ")
                scar = rng.random() < 0.12 and len(words_) > 30
                if scar:  # a page break inside the paragraph: it goes on, lower-case, after a blank line
                    cut = next((i for i in range(len(words_) // 2, len(words_)) if words_[i][:1].islower()), None)
                    if cut is not None:
                        annex += [f"{annex_number}. " + " ".join(words_[:cut]), "", " ".join(words_[cut:]), ""]
                        continue
                annex += [f"{annex_number}. {text}", ""]
        annex += ["---", ""]

        pages = [2, 2 + chapter_2[0] // 8, 3 + chapter_3[0] // 6, 4 + chapter_4[0] // 6, 6 + chapter_4[1] // 6]
        toc = ["## Table des matières", "", "\t<i>Paragraphes</i>\t<i>Page</i>",
               f"I. Organisation et participation .....\t{chapter_1[0]}–{chapter_1[1]}\t{pages[0]}",
               f"II. Ouverture de la session et adoption de l'ordre du jour.....\t{chapter_2[0]}–{chapter_2[1]}\t{pages[1]}",
               f"III. Séances thématiques.....\t{chapter_3[0]}–{chapter_3[1]}\t{pages[2]}",
               f"IV. Clôture.....\t{chapter_4[0]}–{chapter_4[1]}\t{pages[3]}",
               "Annexe\t\t", f"Résumé des débats des {cochairs_word} .....\t\t{pages[4]}", "", "", ""]
        text = "\n".join([*out, *toc, "## I. Organisation et participation", "", *body, *annex])
        return re.sub(r"\n{3,}(?=\d+\. )", "\n\n", text)

    def replies(self, states: list[str]) -> list[str]:
        out = []
        if len(states) == 2 and self.rng.random() < 0.5:
            return [f"{subject(states[0])} et {article(states[1])}{states[1]} ont exercé leur droit de réponse."]
        for name in states:
            out.append(self.rng.choice([
                f"{subject(name)} a exercé son droit de réponse.",
                f"{subject(name)} a fait une déclaration dans l'exercice de son droit de réponse.",
                f"{subject(name)} a pris la parole dans l'exercice de son droit de réponse."]))
        return out


FEMININE_NOUNS = {"Organisation", "Commission", "Fédération", "Confédération", "Plateforme", "Fondation",
                  "Internationale", "Banque", "Entité", "Union", "Agence", "Communauté", "Direction", "Délégation",
                  "Autorité", "Université", "Conférence"}
MASCULINE_NOUNS = {"Conseil", "Centre", "Forum", "Fonds", "Bureau", "Programme", "Haut-Commissariat", "Comité",
                   "Département", "Service", "Parlement", "Réseau", "Office", "Institut"}


def of_org(name: str) -> str:
    """'de l'Organisation de coopération ...', 'du Conseil de l'Europe', 'de la Commission ...', 'de Caritas ...'."""
    first = name.split()[0]
    if first in FEMININE_NOUNS | MASCULINE_NOUNS and _starts_with_vowel(name):
        return "de l'" + name
    if first in MASCULINE_NOUNS:
        return "du " + name
    if first in FEMININE_NOUNS:
        return "de la " + name
    return ("d'" if _starts_with_vowel(name) else "de ") + name  # a proper name: "de Caritas Europa"


# ----------------------------------------------------------------------------------------------- the corpus


def report(index: int, seed: int = 0) -> tuple[str, str]:
    """(file stem, Markdown text) of report number `index` of the series drawn with `seed`."""
    writer = Writer(index, seed)
    return writer.stem, writer.write()


def generate(n: int, out: Path, seed: int = 0) -> list[Path]:
    """Write reports 0..n-1 into `out` (created) and return their paths; reports already there are rewritten."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(n):
        stem, text = report(index, seed)
        path = out / f"{stem}.md"
        path.write_text(text, encoding="utf-8", newline="\n")
        paths.append(path)
    return paths


def check(paths: list[Path], timeout: float = 1800) -> list[str]:
    """Build the reports with the gcmkg CLI; return the problems (errors, warnings), empty when clean."""
    gcmkg = Path(sys.executable).with_name("gcmkg")
    command = [str(gcmkg)] if gcmkg.exists() else [sys.executable, "-m", "gcmkg.cli"]
    with tempfile.TemporaryDirectory(prefix="gcmkg-corpus-check-") as tmp:
        done = subprocess.run([*command, "build", "-q", "--out", tmp, *map(str, paths)], capture_output=True,
                              text=True, timeout=timeout, cwd=ROOT)
    problems = [line for line in done.stderr.splitlines() if line.strip()]
    if done.returncode != 0 and not problems:
        problems.append(f"gcmkg build exited with {done.returncode}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write N synthetic GCM review reports (French).")
    parser.add_argument("n", type=int, help="number of reports")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / ".corpus", help="folder (default: bench/.corpus)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--check", action="store_true", help="build them with gcmkg and fail on any warning")
    args = parser.parse_args(argv)
    paths = generate(args.n, args.out, args.seed)
    print(f"wrote {len(paths)} reports into {args.out}")
    if args.check:
        problems = check(paths)
        for line in problems:
            print(line, file=sys.stderr)
        if problems:
            return 1
        print("all reports build without errors or warnings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
