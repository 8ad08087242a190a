"""`gcmkg site`: the static site has a page and the RDF documents of every IRI, every internal link of every page
resolves to a file, the RDF files parse, and the w3id rules point at the host given."""

from __future__ import annotations

import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox
import pytest

from gcmkg.linkeddata import BASE, Served
from webserver import GCMKG, ROOT

HOST = "https://sites.example.org/gcmkg/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    done = subprocess.run([str(GCMKG), "site", "--out", str(out), "--host", HOST], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return out


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.duplicates: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value and tag in ("a", "link", "script", "img"):
                self.links.append(value)
            if name == "id" and value:
                if value in self.ids:
                    self.duplicates.append(value)
                self.ids.add(value)


def test_every_internal_link_resolves(site: Path) -> None:
    """Every href and src of every page is a file of the site (links to ontology terms: an entry of its page),
    and no page has an id twice."""
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 2000
    broken: list[str] = []
    anchors: dict[Path, set[str]] = {}
    fragments: list[tuple[Path, str, Path]] = []
    for page in pages:
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        anchors[page] = parser.ids
        if parser.duplicates:
            broken.append(f"{page.relative_to(site)}: the id {parser.duplicates[0]} twice")
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                continue  # external
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {link}")
            elif parts.fragment and target.name.startswith("ontology."):
                fragments.append((target, parts.fragment, page))
    assert broken == []
    for target, fragment, page in fragments:  # links to ontology terms land on their entry
        assert fragment in anchors[target], f"{page.relative_to(site)}: #{fragment}"


def test_every_iri_has_its_files(site: Path) -> None:
    served = Served(ROOT / "graph", ROOT)
    missing = []
    for path in served.paths:
        for suffix in (".html", ".fr.html", ".ttl", ".jsonld", ".nt", ".rdf"):
            if not (site / (path.lstrip("/") + suffix)).is_file():
                missing.append(path + suffix)
    assert missing == []
    for path in ("/id/state/DNK", "/id/review/ece-2024/session/2", "/ontology", "/dataset"):
        for suffix, fmt in ((".ttl", ox.RdfFormat.TURTLE), (".jsonld", ox.RdfFormat.JSON_LD),
                            (".nt", ox.RdfFormat.N_TRIPLES), (".rdf", ox.RdfFormat.RDF_XML)):
            triples = list(ox.parse((site / (path.lstrip("/") + suffix)).read_bytes(), format=fmt))
            assert any(t.subject == ox.NamedNode(BASE + path.lstrip("/")) for t in triples), path + suffix
    assert "<h1>Danemark</h1>" in (site / "id/state/DNK.fr.html").read_text()
    assert "<h1>Denmark</h1>" in (site / "id/state/DNK.html").read_text()
    for name in ("gcmkg.ttl", "gcmkg.nq", "ece-gcm-2024-review-fr.ttl"):
        assert (site / "download" / name).stat().st_size > 1000


def test_w3id_rules(site: Path) -> None:
    rules = (site / ".htaccess").read_text()
    assert "RewriteEngine on" in rules
    assert f"RewriteRule ^(.+)$ {HOST}$1.ttl [R=303,L]" in rules
    assert f"RewriteRule ^(.+)$ {HOST}$1.html [R=303,L]" in rules
    assert "text/turtle" in rules and "application/ld\\+json" in rules
    # an IRI that ends like an extension is a thing, not a file
    assert "dataset/distribution/gcmkg\\.nt" in rules


@pytest.mark.parametrize("args, words", [
    (["--data", "/nonexistent/graph"], "no such folder"),
    (["--host", "not a url"], "--host"),
])
def test_bad_input_is_exit_2(tmp_path: Path, args: list[str], words: str) -> None:
    done = subprocess.run([str(GCMKG), "site", "--out", str(tmp_path / "out"), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert words in done.stderr and "Traceback" not in done.stderr


def test_refuses_to_replace_a_folder_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    done = subprocess.run([str(GCMKG), "site", "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and "not empty" in done.stderr
    assert (tmp_path / "precious.txt").read_text() == "keep me"
