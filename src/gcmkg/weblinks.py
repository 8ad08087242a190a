"""Where the links of a page point, and the page's language: shared by `gcmkg serve` and `gcmkg site`.

On the server a link to an IRI of ours is the IRI's own path (which negotiates: 303 to the page or the RDF);
on the static site it is the file of the page, relative to the page linking to it (`X.html`, `X.fr.html`), so the
folder works from any host. Application pages (charts, queries) take their parameters as a query string on the
server and as part of the file name on the site.
"""

from __future__ import annotations

import os
from html import escape
from dataclasses import dataclass
from urllib.parse import urlencode

from . import iris, net
from .docs import anchor
from .linkeddata import BASE, iri_path

LANGUAGES = ("en", "fr")
ONTOLOGY_PATH = iri_path(str(iris.ONTOLOGY_IRI))
DOWNLOADS = "/download/"  # the distributions' files (dcat:downloadURL), served as they are


def pick_language(query_lang: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The page language: ?lang=, else the cookie the switch set, else the first of Accept-Language we have."""
    for choice in (query_lang, cookie):
        if choice in LANGUAGES:
            return choice
    best, best_q = "en", 0.0
    for tag, q in net.accept_ranges(accept_language):
        code = tag.split("-")[0]
        if code in LANGUAGES and q > best_q:
            best, best_q = code, q
    return best


# ------------------------------------------------------------------------------------------------ links


class Linker:
    """Where the links of one page point: the server's paths (`static=False`: an IRI's own path, which
    negotiates) or the static site's files, relative to the page (`static=True`: `X.html`, `X.fr.html`)."""

    def __init__(self, static: bool, lang: str, here: str) -> None:
        self.static, self.lang, self.here = static, lang, here

    def _rel(self, target: str) -> str:
        """A site path (/x/y.html) relative to the page's own folder."""
        if not self.static:
            return target
        return os.path.relpath(target, os.path.dirname(self.here) or "/")

    def page_file(self, path: str, lang: str | None = None) -> str:
        """The site file of a page path: /id/state/DEU -> /id/state/DEU.html or /id/state/DEU.fr.html."""
        lang = lang or self.lang
        if path == "/":
            path = "/index"
        if path == ONTOLOGY_PATH:
            return path + ".html"  # the ontology documentation: one page, labels in both languages
        return path + (".fr" if lang == "fr" else "") + ".html"

    def iri(self, iri: str) -> str:
        """The link of an IRI: ours to its page; an ontology term to the documentation; others as they are."""
        if not iri.startswith(BASE):
            return iri
        path, _, fragment = iri[len(BASE) - 1:].partition("#")
        if path.startswith(DOWNLOADS):  # a file, not a thing: no page of its own
            return self._rel(path)
        if path == ONTOLOGY_PATH and fragment:
            fragment = anchor(iri)  # type: ignore[arg-type]
        target = self.page_file(path) if self.static else path
        return self._rel(target) + (f"#{fragment}" if fragment else "")

    def term(self, iri: str, documented: bool) -> str:
        """A class or property: its entry in the ontology documentation when it has one, else the IRI."""
        if documented:
            return self._rel(self.page_file(ONTOLOGY_PATH)) + "#" + anchor(iri)  # type: ignore[arg-type]
        return self.iri(iri)

    def document(self, path: str, ext: str) -> str:
        return self._rel(f"{path}.{ext}")

    def app(self, name: str, params: dict[str, str] | None = None, ext: str = "html", lang: str | None = None) -> str:
        """A page of the application (home, search, charts/heatmap, query/objectives) with its parameters: a
        query string on the server, a file per parameter set on the site (charts/heatmap--ece-2024--State.html)."""
        params = {k: v for k, v in (params or {}).items() if v}
        if self.static:
            stem = "/" + name if name else "/index"
            if params:
                stem += "--" + "--".join(params[k] for k in sorted(params))
            if ext == "html":
                stem += ".fr" if (lang or self.lang) == "fr" else ""
            return self._rel(f"{stem}.{ext}")
        path = "/" + name + ("" if ext == "html" else "." + ext)
        return path + ("?" + urlencode(params) if params else "")

    def switch(self, here_app: tuple[str, dict[str, str]] | None, path: str | None) -> str:
        """The same page in the other language."""
        other = "fr" if self.lang == "en" else "en"
        if self.static:
            if path is not None:
                return self._rel(self.page_file(path, other))
            name, params = here_app or ("", {})
            return self.app(name, params, lang=other)
        if path is not None:
            target = path + ".html"
        else:
            name, params = here_app or ("", {})
            target = "/" + name
            if params:
                target += "?" + urlencode({k: v for k, v in params.items() if v})
        return target + ("&" if "?" in target else "?") + "lang=" + other


@dataclass(frozen=True)
class Link:
    href: str
    label: str
    title: str = ""

    def __html__(self) -> str:
        """The link as HTML, escaped: what a template writes for `{{ link }}` (cheaper than a macro a page calls
        hundreds of times)."""
        title = f' title="{escape(self.title)}"' if self.title else ""
        return f'<a href="{escape(self.href)}"{title}>{escape(self.label)}</a>'


@dataclass(frozen=True)
class Value:
    link: Link | None = None
    text: str = ""
    lang: str = ""
    datatype: str = ""
