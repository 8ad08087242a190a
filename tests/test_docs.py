"""`gcmkg docs`: the HTML page documents every gcm: class and property with its English and French labels."""

from __future__ import annotations

from gcmkg import cli

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS


ROOT = Path(__file__).resolve().parents[1]
GCM = "https://w3id.org/gcmkg/ontology#"


class Sections(HTMLParser):
    """Collects, per <section id=...>, its text, and the text of its elements marked lang="fr"."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, dict[str, str]] = {}
        self.current: str | None = None
        self.stack: list[str | None] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section" and a.get("id"):
            self.current = a["id"]
            self.sections[self.current] = {"text": "", "fr": ""}
        for key in ("src", "href"):
            if tag in ("script", "link", "img") and a.get(key):
                self.links.append(a[key] or "")
        self.stack.append(a.get("lang"))

    def handle_endtag(self, tag: str) -> None:
        if self.stack:
            self.stack.pop()
        if tag == "section":
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.current is None:
            return
        self.sections[self.current]["text"] += data
        if "fr" in self.stack:
            self.sections[self.current]["fr"] += data


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    assert cli.main(["docs", "--out", str(out), "--quiet"]) == 0
    return out / "index.html"


@pytest.fixture(scope="module")
def sections(page: Path) -> Sections:
    parser = Sections()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "gcm.owl.ttl", format="turtle")


def label(graph: Graph, term: URIRef, lang: str) -> str:
    found = [str(o) for o in graph.objects(term, RDFS.label) if isinstance(o, Literal) and o.language == lang]
    assert found, f"{term} has no @{lang} label"
    return sorted(found)[0]


@pytest.mark.parametrize("kind", [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty])
def test_every_gcm_term_has_its_section_with_both_labels(sections: Sections, kind: URIRef) -> None:
    g = ontology()
    gcm_terms = sorted(t for t in g.subjects(RDF.type, kind) if str(t).startswith(GCM))
    assert gcm_terms
    for term in gcm_terms:
        local = str(term)[len(GCM):]
        assert local in sections.sections, f"no section for gcm:{local}"
        section = sections.sections[local]
        assert label(g, term, "en") in section["text"], f"gcm:{local}: English label missing"
        assert label(g, term, "fr") in section["fr"], f"gcm:{local}: French label missing (or not marked lang=fr)"
        assert str(term) in section["text"]


def test_definitions_and_axioms_are_shown(sections: Sections) -> None:
    g = ontology()
    attendance = sections.sections["Attendance"]["text"]
    definition = next(str(o) for o in g.objects(URIRef(GCM + "Attendance"), SKOS.definition) if o.language == "en")
    assert definition in attendance
    assert "Super-classes" in attendance and "Participation" in attendance
    engaged = sections.sections["engagedWithObjective"]["text"]
    assert "Domain" in engaged and "Range" in engaged and "Property chain" in engaged
    review = sections.sections["Review"]["text"]
    assert "some" in review  # the restriction on gcm:convenedBy, in Manchester syntax


def test_the_page_stands_alone(sections: Sections) -> None:
    assert sections.links == [], "the page should load nothing from elsewhere"


def test_same_bytes_in_another_process(page: Path, tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "gcmkg.cli", "docs", "-q", "--out", str(tmp_path)], cwd=ROOT, check=True,
                   env={"PYTHONHASHSEED": "5", "PATH": "/usr/bin:/bin"})
    assert (tmp_path / "index.html").read_bytes() == page.read_bytes()


def test_a_broken_ontology_is_an_input_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ontology").mkdir()
    (tmp_path / "ontology" / "gcm.owl.ttl").write_text("@prefix : <x#> .\n:a :b", encoding="utf-8")
    monkeypatch.setenv("GCMKG_HOME", str(tmp_path))
    assert cli.main(["docs", "--out", str(tmp_path / "out")]) == 2
    assert "not valid Turtle" in capsys.readouterr().err
    assert not (tmp_path / "out" / "index.html").exists()


def test_committed_page_is_fresh(page: Path) -> None:
    committed = ROOT / "graph" / "docs" / "index.html"
    assert committed.read_bytes() == page.read_bytes(), "graph/docs/index.html is stale: run `gcmkg docs`"


def test_the_readme_and_docs_point_only_to_what_a_clone_holds() -> None:
    """Every local path a README or docs/ page names (a Markdown link, or a path in backticks with a folder) is in
    the repository; nothing points outside it (../shared/...)."""
    repo = Path(__file__).resolve().parents[1]
    problems = []
    for page in [repo / "README.md", *sorted((repo / "docs").glob("*.md"))]:
        text = page.read_text(encoding="utf-8")
        if page.name != "reference-sources.md":  # the sources' own text names the team's original
            problems += [f"{page.name}: {m}" for m in re.findall(r"\.\./shared/\S*", text)]
        for target in re.findall(r"\]\(([^)#\s]+)\)", text):
            if not re.match(r"[a-z]+:", target) and not (page.parent / target).exists():
                problems.append(f"{page.name}: link to {target}, which the repository lacks")
        for path in re.findall(r"`((?:docs|ontology|graph|queries|tests|src|bench)/[\w./-]+\.\w+)`", text):
            if "<" not in path and "*" not in path and not (repo / path).exists():
                problems.append(f"{page.name}: names {path}, which the repository lacks")
    assert not problems, "\n".join(problems)
