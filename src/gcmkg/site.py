"""`gcmkg site --out DIR`: the pages of `gcmkg serve` and every RDF document as static files, for hosting
without a server, with the w3id.org redirect rules that point the permanent IRIs at them.

For an IRI `https://w3id.org/gcmkg/X` the site holds `X.html` (English), `X.fr.html` (French), `X.ttl`,
`X.jsonld`, `X.nt` and `X.rdf`; every link between pages is relative, so the folder works from any host and
path, and every internal link resolves to a file (the tests crawl it). The home page, the search page (every
named resource, filtered in the browser), the charts (one file per filter), the canned queries (every row,
without parameters) with their CSV and JSON, the downloads of void.ttl and the JSON-LD context are written too.

`.htaccess` is what a pull request to https://github.com/perma-id/w3id.org puts in its `gcmkg/` folder: the
IRIs answer 303 See Other to the document the Accept header asks for on the host given with `--host`
(Cool URIs for the Semantic Web), French pages for French readers, files with an extension as they are.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import time
from pathlib import Path

from . import chartdata
from .errors import UsageError
from .linkeddata import BY_EXT, DOC_FORMATS, Served, last_segment, path_iri
from .reference import project_root

DEFAULT_HOST = "https://gcmkg.example.org/"


def site_file(out: Path, site_path: str) -> Path:
    return out / site_path.lstrip("/")


def write(out: Path, rel: str, data: bytes | str) -> None:
    path = site_file(out, rel)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def build_site(served: Served, out: Path, host: str = DEFAULT_HOST) -> int:
    """Write the site into `out` (made empty first); the number of files written."""
    from . import query
    from .pages import GCM, Pages
    from .weblinks import LANGUAGES, ONTOLOGY_PATH, Linker

    pages = Pages(served, static=True)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    count = 0

    def put(rel: str, data: bytes | str) -> None:
        nonlocal count
        write(out, rel, data)
        count += 1

    root = Linker(True, "en", "/index.html")

    def app_file(name: str, params: dict[str, str] | None = None, ext: str = "html", lang: str = "en") -> str:
        return "/" + root.app(name, params, ext, lang)

    for path in sorted(served.paths):
        if path != ONTOLOGY_PATH:
            for lang in LANGUAGES:
                put(root.page_file(path, lang), pages.resource(path, lang))
        for fmt in DOC_FORMATS.values():
            if fmt.key != "html":
                put(f"{path}.{fmt.ext}", served.document(path, fmt.key))
    docs = ontology_docs(served, pages)
    put(ONTOLOGY_PATH + ".html", docs)
    put(ONTOLOGY_PATH + ".fr.html", docs)
    for lang in LANGUAGES:
        put(app_file("", lang=lang), pages.home(lang))
        put(app_file("search", lang=lang), pages.search("", lang))
        put(app_file("charts", lang=lang), pages.charts_index(lang))
        put("/404.html" if lang == "en" else "/404.fr.html", pages.not_found(lang, "/"))
    reviews = [""] + sorted({last_segment(p) for p in served.paths if served.has_type(path_iri(p), GCM + "Review")})
    for name in chartdata.NAMES:
        for review in reviews:
            for kind in ("", *chartdata.KINDS) if name == "heatmap" else ("",):
                params = {"review": review, "type": kind}
                for lang in LANGUAGES:
                    put(app_file(f"charts/{name}", params, lang=lang), pages.chart_page(name, review, kind, lang))
                header, rows = pages.chart_data(name, review, kind, "en")
                for ext in ("csv", "json"):
                    put(app_file(f"charts/{name}", params, ext), pages.table_bytes(header, rows, ext))
    for q in pages.queries:
        result = pages.run_query(q, {})  # the data files: labels in each report's language, as `gcmkg query`
        for lang in LANGUAGES:
            put(app_file(f"query/{q.name}", lang=lang), pages.query_page(q, {}, lang, pages.run_query(q, {}, lang)))
        put(app_file(f"query/{q.name}", ext="csv"), "".join(query.csv_chunks(result)))
        put(app_file(f"query/{q.name}", ext="json"), "".join(query.json_chunks(result)))
    for path in sorted(served.downloads):
        data = served.download(path.rsplit("/", 1)[-1])
        if data is not None:
            put(path, data)
    context = served.data_dir / "context.jsonld"
    if context.is_file():
        put("/context.jsonld", context.read_bytes())
    put("/static/style.css", (Path(__file__).parent / "static" / "style.css").read_bytes())
    put("/.htaccess", htaccess(served, host))
    return count


def ontology_docs(served: Served, pages) -> str:  # noqa: ANN001 - pages.Pages
    """The ontology documentation (graph/docs/), its links to our IRIs made relative to the site's files."""
    docs = served.data_dir / "docs" / "index.html"
    if docs.is_file():
        text = docs.read_text(encoding="utf-8")
    else:
        from .docs import render_project
        text = render_project(served.root).decode("utf-8")

    def local(match: re.Match) -> str:
        path = "/" + match.group(1)
        if path in served.paths:
            return f'href="{os.path.relpath(path + ".html", "/")}'
        return match.group(0)

    return re.sub(r'href="https://w3id\.org/gcmkg/([^"#]*)', local, text)


def htaccess(served: Served, host: str) -> str:
    """The w3id.org rules: every IRI 303 to its document on `host`, by Accept and Accept-Language."""
    host = host if host.endswith("/") else host + "/"
    # IRIs whose last segment ends like one of our extensions (…/distribution/gcmkg.nt) are things, not files
    dotted = sorted(p for p in served.paths if p.rpartition(".")[2] in BY_EXT)
    lines = [
        "# https://w3id.org/gcmkg/: the GCM knowledge graph (written by `gcmkg site`; see its README)",
        f"# Every IRI answers 303 See Other to a document about it on {host} (Cool URIs for the Semantic Web):",
        "# RDF by the Accept header, else the HTML page (French for French readers).",
        "Options +FollowSymLinks",
        "RewriteEngine on",
        "",
        "# the home page",
        f"RewriteRule ^$ {host} [R=302,L]",
        "",
        "# files: downloads, the JSON-LD context, and documents asked for by their extension",
        f"RewriteRule ^(download/.+|context\\.jsonld)$ {host}$1 [R=302,L]",
    ]
    for path in dotted:
        lines.append(f"RewriteCond %{{REQUEST_URI}} !^/gcmkg{re.escape(path)}$")
    lines += [f"RewriteRule ^(.+)\\.(html|{'|'.join(f.ext for f in DOC_FORMATS.values() if f.key != 'html')})$ "
              f"{host}$1.$2 [R=302,L]", ""]
    for fmt in DOC_FORMATS.values():
        if fmt.key == "html":
            continue
        lines += [f"RewriteCond %{{HTTP_ACCEPT}} {re.escape(fmt.media_type)}",
                  f"RewriteRule ^(.+)$ {host}$1.{fmt.ext} [R=303,L]"]
    lines += ["", "# the page for people",
              "RewriteCond %{HTTP:Accept-Language} ^fr [NC]",
              f"RewriteRule ^(.+)$ {host}$1.fr.html [R=303,L]",
              f"RewriteRule ^(.+)$ {host}$1.html [R=303,L]", ""]
    return "\n".join(lines)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = ("Write every page and RDF document of `gcmkg serve` as a static site (relative links), with "
                     "the w3id.org redirect rules (.htaccess) that point https://w3id.org/gcmkg/ at it.")
    p.add_argument("--data", type=Path, metavar="DIR", help="the built graph folder (default: graph/)")
    p.add_argument("-o", "--out", type=Path, required=True, metavar="DIR",
                   help="the site folder (replaced: it is emptied first)")
    p.add_argument("--host", default=DEFAULT_HOST, metavar="URL",
                   help=f"where the site is hosted, for the redirect rules (default: {DEFAULT_HOST})")
    p.add_argument("-q", "--quiet", action="store_true", help="print only errors")


def run(args: argparse.Namespace) -> int:
    root = project_root()
    data_dir = args.data or root / "graph"
    if not re.match(r"https?://[^/\s]+", args.host):
        raise UsageError(f"--host {args.host!r}: expected an http(s) URL such as https://example.org/gcmkg/")
    if not data_dir.is_dir():
        raise UsageError(f"{data_dir}: no such folder (give the built graph folder with --data)")
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / ".htaccess").is_file():
        raise UsageError(f"{out}: not empty, and not a site gcmkg wrote (no .htaccess): give a new or empty folder")
    if out.resolve() in (data_dir.resolve(), root.resolve()) or data_dir.resolve().is_relative_to(out.resolve()):
        raise UsageError(f"{out}: would replace the data or the project; give a folder of its own")
    start = time.perf_counter()
    served = Served(data_dir, root)
    count = build_site(served, out, args.host)
    if not args.quiet:
        print(f"wrote {count} files into {out} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0

