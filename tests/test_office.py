"""Reports as the UN publishes them: the Word and PDF forms of a report give the graph its Markdown gives.

The fixtures in tests/data/office/ are made by tests/data/office/make.py from our Markdown reports, the way the
UN makes its files: a Word document with a UN-like template (running header with the symbol, footer with the
page number and the job number, list-numbered paragraphs, real footnotes), and a PDF of it made by LibreOffice.
Each graph is compared with the Markdown's, triple by triple: only the name of the file read, where a footnote
is printed (the `gcm:sequence` of the reading order) and the white space inside texts may differ. One report in
another layout (pandoc's default template) checks that the PDF reader does not depend on the UN's; broken,
encrypted and image-only files must exit 2 with one line naming the file.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from gcmkg import iris, word
from gcmkg.build import build_one
from gcmkg.cli import main
from gcmkg.convert import Converted, convert
from gcmkg.ingest import ingest, sniff
from gcmkg.iris import GCM

ROOT = Path(__file__).resolve().parents[1]
OFFICE = ROOT / "tests" / "data" / "office"
REPORTS = {
    "ece-gcm-2024-review-fr": ROOT / "graph" / "sources" / "ece-gcm-2024-review-fr.md",
    "ece-gcm-2024-review-en-var": ROOT / "tests" / "data" / "unseen" / "ece-gcm-2024-review-en-var.md",
    "escwa-gcm-2023-review-fr": ROOT / "tests" / "data" / "unseen" / "escwa-gcm-2023-review-fr.md",
    "eclac-gcm-2024-review-es": ROOT / "tests" / "data" / "unseen" / "eclac-gcm-2024-review-es.md",
}
FORMS = [(stem, form) for stem in REPORTS for form in ("docx", "pdf")]


@functools.cache
def converted(path: Path) -> Converted:
    """Each file converted once for the module's tests (none changes what it gets)."""
    return convert(path, ROOT)


def report_iri(c: Converted) -> URIRef:
    return iris.report(iris.review(c.extraction.review.notation, c.extraction.review.date.year))


def facts(c: Converted) -> set[tuple]:
    """Every triple of the report's graph, texts with their white space collapsed; left out: the graph's own
    header (which names the file read), the report's file name, and the place in the reading order
    (`gcm:sequence`), which counts the footnotes, printed where each form's pages end (`reading_order`)."""
    header = iris.report_graph(c.stem)
    out = set()
    for s, p, o in c.graph:
        if s == header or (p == DCTERMS.source and s == report_iri(c)) or p == GCM.sequence:
            continue
        if isinstance(o, Literal) and isinstance(o.value, str):
            o = Literal(" ".join(str(o).split()), lang=o.language, datatype=o.datatype)
        out.add((s, p, o))
    return out


def reading_order(c: Converted) -> list[URIRef]:
    """The body and annex paragraphs in reading order (footnotes apart: each form prints them elsewhere)."""
    ranked = [(int(o), s) for s, o in c.graph.subject_objects(GCM.sequence) if "/footnote/" not in str(s)
              and ("/paragraph/" in str(s) or "/annex-paragraph/" in str(s))]
    return [s for _, s in sorted(ranked)]


def participations(c: Converted) -> set[tuple]:
    return {(p.role, p.event, p.order, tuple(a.iris for a in p.actors), tuple(a.iris for a in p.on_behalf),
             p.function, p.affiliation.iris if p.affiliation else None, p.source.part, p.source.number)
            for p in c.extraction.participations}


def texts(c: Converted) -> dict[tuple[str, int], str]:
    """Every paragraph's and footnote's text, white space collapsed."""
    out = {}
    for s, o in c.graph.subject_objects(GCM.text):
        m = re.search(r"/(paragraph|annex-paragraph|footnote)/(\d+)$", str(s))
        if m:
            out[(m.group(1), int(m.group(2)))] = " ".join(str(o).split())
    return out


@pytest.mark.parametrize("stem,form", FORMS, ids=[f"{s}.{f}" for s, f in FORMS])
def test_word_and_pdf_give_the_markdown_graph(stem: str, form: str) -> None:
    markdown, other = converted(REPORTS[stem]), converted(OFFICE / f"{stem}.{form}")
    assert participations(other) == participations(markdown)
    assert [(s.key, s.kind, s.objectives) for s in other.extraction.sessions] == \
        [(s.key, s.kind, s.objectives) for s in markdown.extraction.sessions]
    persons = set(markdown.graph.subjects(RDF.type, GCM.Person))
    assert persons and set(other.graph.subjects(RDF.type, GCM.Person)) == persons
    assert texts(other) == texts(markdown)
    assert reading_order(other) == reading_order(markdown)
    assert facts(other) == facts(markdown)
    assert [w.message for w in other.diagnostics.warnings] == [w.message for w in markdown.diagnostics.warnings]
    if form == "pdf":  # said by page: a line of the Markdown read from a PDF means nothing to its reader
        assert all(re.match(rf"{re.escape(str(OFFICE / stem))}\.pdf, pages? \d+(-\d+)?: ", str(w))
                   for w in other.diagnostics.warnings)


def test_a_pdf_in_another_layout_gives_its_word_files_graph() -> None:
    """pandoc's default template: ragged right, headings in another typeface (one level in italics), no space
    between paragraphs; the PDF LibreOffice made of it gives the graph of the Word file."""
    docx, pdf = (converted(OFFICE / f"ece-gcm-2026-review-fr-pandoc.{form}") for form in ("docx", "pdf"))
    assert participations(pdf) == participations(docx) and len(participations(pdf)) > 100
    assert texts(pdf) == texts(docx)
    assert reading_order(pdf) == reading_order(docx)
    assert facts(pdf) == facts(docx)


def test_typed_paragraph_numbers_and_formatting_from_styles_in_word(tmp_path: Path) -> None:
    """A Word file as some UN offices type it: the number typed before a tab, a label in a character style
    that is italic, a superscript ordinal that is no footnote, two role lines in one paragraph."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    document.add_paragraph("Examen régional")
    document.add_heading("I. Organisation", level=1)
    document.add_paragraph("1.\tLe deuxième Examen s'est tenu le 1")
    document.paragraphs[-1].add_run("er").font.superscript = True
    document.paragraphs[-1].add_run(" mars.")
    style = document.styles.add_style("RoleLabel", WD_STYLE_TYPE.CHARACTER)
    style.font.italic = True  # italic by its character style, not by the run
    document.add_paragraph().add_run("Modératrice", style="RoleLabel")
    document.paragraphs[-1].add_run(" : Susan Fratzke")
    document.paragraphs[-1].add_run().add_break()  # two role lines in one paragraph, a line break between
    document.paragraphs[-1].add_run("État membre intervenant : Suède")
    path = tmp_path / "typed.docx"
    document.save(str(path))
    text = word.to_markdown(path, path.read_bytes())
    assert text.strip().split("\n\n") == ["Examen régional", "# I. Organisation",
                                   "1. Le deuxième Examen s'est tenu le 1<sup>er</sup> mars.",
                                   "*Modératrice* : Susan Fratzke", "État membre intervenant : Suède"]


@pytest.mark.parametrize("form", ["md", "docx", "pdf"])
def test_the_graph_file_names_the_file_read_its_format_and_its_sha256(form: str) -> None:
    stem = "ece-gcm-2024-review-fr"
    path = REPORTS[stem] if form == "md" else OFFICE / f"{stem}.{form}"
    built = build_one(path, ROOT, check=False)
    graph = Graph().parse(data=built.files[f"{stem}.ttl"].decode("utf-8"), format="turtle")
    digest = hashlib.sha256(path.read_bytes()).digest()
    media = {"md": "text/markdown", "pdf": "application/pdf",
             "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}[form]
    ni = URIRef(f"ni:///sha-256;{base64.urlsafe_b64encode(digest).decode().rstrip('=')}?ct={media}")
    header = iris.report_graph(stem)
    assert set(graph.objects(header, DCTERMS.source)) == {ni}
    comments = {str(o) for o in graph.objects(header, RDFS.comment)}
    assert len(comments) == 2 and all(path.name in t and digest.hex() in t and media in t for t in comments)
    c = converted(path)
    assert c.origin.name == path.name and c.origin.sha256 == digest.hex()
    assert set(graph.objects(report_iri(c), DCTERMS.source)) == {Literal(path.name)}


def test_format_is_told_by_content_not_by_name(tmp_path: Path) -> None:
    pdf = tmp_path / "ece-gcm-2024-review-fr.txt"
    shutil.copy(OFFICE / "ece-gcm-2024-review-fr.pdf", pdf)
    docx = tmp_path / "ece-gcm-2024-review-fr.bin"
    shutil.copy(OFFICE / "ece-gcm-2024-review-fr.docx", docx)
    markdown = tmp_path / "ece-gcm-2024-review-fr.pdf"
    shutil.copy(REPORTS["ece-gcm-2024-review-fr"], markdown)
    assert [ingest(p).origin.format for p in (pdf, docx, markdown)] == ["pdf", "docx", "markdown"]
    assert facts(convert(pdf, ROOT)) == facts(converted(REPORTS["ece-gcm-2024-review-fr"]))


def test_pdf_reading_removes_running_heads_and_keeps_italics_and_footnotes() -> None:
    text = ingest(OFFICE / "ece-gcm-2024-review-fr.pdf").read_bytes().decode("utf-8")
    assert "GE.24-05321" not in text
    assert "ECE/GCM/2024/2" not in text
    assert not re.search(r"^(\*\*)?Nations Unies", text, re.M)
    assert not re.search(r"^\d{1,3}$", text, re.M)  # no page number left on a line of its own
    assert "*Organisateurs principaux* :" in text and "*Modératrice* :" in text
    assert re.search(r"^<sup>1</sup> https://unece\.org/", text, re.M)
    assert "2023<sup>1</sup>. Il a été coprésidé" in text and "128<sup>e</sup> réunion" in text
    # paragraph 4 runs on from page 1 to page 2: one paragraph again
    assert re.search(r"^4\. Ont assisté .* République de Moldova, République tchèque, .* et Ukraine\.$", text, re.M)


def test_word_numbering_is_computed_as_word_counts() -> None:
    """List numbers are not in a Word paragraph's text: one counter per list, across the w:num that share it,
    restarted by a startOverride; letters and roman numerals as the level's format says."""
    numbering = word.Numbering(levels={"1": {0: (1, "decimal", "%1."), 1: (1, "lowerLetter", "%2)")}},
                               nums={"5": ("1", {}), "6": ("1", {}), "7": ("1", {0: 1})})
    labels = [numbering.label(n, lvl) for n, lvl in [("5", 0), ("5", 1), ("5", 1), ("6", 0), ("7", 0), ("7", 0)]]
    assert [l[0] for l in labels] == ["1.", "a)", "b)", "2.", "1.", "2."]
    assert word.formatted(14, "upperRoman") == "XIV" and word.formatted(28, "lowerLetter") == "ab"


BROKEN = [
    ("encrypted.pdf", "an encrypted PDF that needs a password"),
    ("scanned.pdf", "a PDF with no text layer (a scanned image?)"),
    ("corrupt.pdf", "a damaged PDF"),
    ("corrupt.docx", "not a readable Word document (.docx)"),
    ("badxml.docx", "not a readable Word document (.docx)"),
]


@pytest.mark.parametrize("name,message", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_files_exit_2_naming_the_file_and_write_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, message: str) -> None:
    out = tmp_path / "out"
    code = main(["build", str(OFFICE / name), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"error: {OFFICE / name}:1: {message}" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_a_pdf_whose_objects_are_not_where_its_index_says_is_refused(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """PDFium would rebuild the index and read what it finds, leaving out the rest without a word."""
    data = (OFFICE / "ece-gcm-2024-review-fr.pdf").read_bytes()
    cut = data.index(b"\n", data.index(b"obj")) + 1
    path = tmp_path / "shifted-fr.pdf"
    path.write_bytes(data[:cut] + b"%" + b"x" * 300 + b"\n" + data[cut:])
    assert main(["build", str(path), "--out", str(tmp_path / "out")]) == 2
    assert f"{path}:1: a damaged PDF: its cross-reference table is broken" in capsys.readouterr().err


def test_other_binary_files_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "report-fr.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("content.xml", "<x/>")
    legacy = tmp_path / "report-fr.doc"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    for path, message in ((archive, "a ZIP archive that is not a Word document"),
                          (legacy, "a legacy binary Word or Office file (.doc)")):
        assert main(["build", str(path), "--out", str(tmp_path / "out")]) == 2
        assert f"{path}:1: {message}" in capsys.readouterr().err
        with pytest.raises(Exception):
            sniff(path, path.read_bytes())


def test_a_word_file_that_is_no_report_is_refused_like_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Minutes of a meeting that is not a GCM review.")
    path = tmp_path / "minutes.docx"
    document.save(str(path))
    assert main(["build", str(path), "--out", str(tmp_path / "out")]) == 2
    assert f"{path}:1: not a GCM review report" in capsys.readouterr().err


def test_two_forms_of_one_report_in_one_build_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code = main(["build", str(REPORTS["ece-gcm-2024-review-fr"]), str(OFFICE / "ece-gcm-2024-review-fr.pdf"),
                 "--out", str(out)])
    assert code == 2
    assert "both would be graph/ece-gcm-2024-review-fr.ttl" in capsys.readouterr().err
    assert not out.exists()
