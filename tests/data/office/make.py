"""Make the Word and PDF fixtures of tests/test_office.py the way the UN makes its reports.

    .venv/bin/python tests/data/office/make.py

Needs python-docx and Pillow (`pip install python-docx pillow`), and from Debian LibreOffice
(`libreoffice-writer-nogui`, with `fonts-liberation` for Times New Roman's metrics), `pandoc`, `qpdf` and
`poppler-utils` (pdftoppm). Not run by the tests, which read the files it made (committed).

For each Markdown report below, a Word file (`<stem>.docx`) with a UN-like template: A4, Times New Roman,
justified body text indented as the UN's `SingleTxtG`, chapter headings `HChG`/`H1G`/`H23G` (bold, with an
outline level), numbered paragraphs as Word *list numbering* (numbering.xml; the annex restarts at 1), the
document symbol as running header, the page number in the footer and the job number (`GE.24-…`) in the
first page's footer, footnotes as real Word footnotes at the foot of the page (their call-outs superscript),
role labels in italics, web addresses as hyperlinks, a Markdown table as a Word table; the ESCWA report's
masthead in two columns (a table). The Markdown is read with gcmkg's own reader, so the
conversion's scars (a paragraph split by a page break, a footnote printed between paragraphs) are healed:
the Word file is the clean document the UN edited. Then a PDF of each (`<stem>.pdf`) made by LibreOffice
headless, as the UN's PDFs are made by a word processor, and the broken files: `encrypted.pdf` (a user
password), `scanned.pdf` (pages as images, no text layer), `corrupt.pdf` (cut short), `corrupt.docx` (a ZIP
cut short) and `badxml.docx` (a Word file whose document.xml is not well-formed). And one report in another
layout (`*-pandoc.docx`, `*-pandoc.pdf`: pandoc's default Word template), to show the PDF reader does not depend
on the UN's.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt
from lxml import etree

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT / "src"))

from gcmkg import convert, reader  # noqa: E402

#: report -> (document symbol for the running header, job number for the first page's footer, masthead: how
#: many title-block items stand in the left and the right column of a table, as ESCWA lays its first page out)
REPORTS = {
    ROOT / "graph" / "sources" / "ece-gcm-2024-review-fr.md": ("ECE/GCM/2024/2", "GE.24-05321  (F)", None),
    ROOT / "tests" / "data" / "unseen" / "ece-gcm-2024-review-en-var.md": ("ECE/GCM/2024/2", "GE.24-05318  (E)", None),
    ROOT / "tests" / "data" / "unseen" / "escwa-gcm-2023-review-fr.md": ("E/ESCWA/GCM/2023/3", "GE.23-07712  (F)",
                                                                         (2, 6)),
    ROOT / "tests" / "data" / "unseen" / "eclac-gcm-2024-review-es.md": ("LC/MDCAR.2024/3", "GE.24-08805  (S)", None),
}
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
# Inline Markdown, in the order tried: a superscript, a link, an autolink, bold, italics.
INLINE = re.compile(r"<sup>\s*(?P<sup>.*?)\s*</sup>|\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]*)\)|<(?P<auto>https?://[^>\s]+)>"
                    r"|\*\*(?P<bold>\S(?:.*?\S)?)\*\*|(?<![\w*])[*_](?P<italic>\S(?:[^*_]*?\S)?)[*_](?![\w*])")


def text_of(markdown: str) -> str:
    """Markdown without its marks, the spaces at either end kept (they separate the runs)."""
    core = markdown.strip()
    if not core:
        return " " if markdown else ""
    lead = " " if markdown[:1].isspace() else ""
    tail = " " if markdown[-1:].isspace() else ""
    return lead + reader.plain(core) + tail


class Writer:
    def __init__(self, symbol: str, job: str, language: str) -> None:
        self.doc = Document()
        self.language = language
        self.footnote_xml: list[str] = []
        self.template(symbol, job)
        self.abstract, self.nums = 10, []
        self.numbering_next = 1

    # ------------------------------------------------------------------ template

    def template(self, symbol: str, job: str) -> None:
        doc = self.doc
        normal = doc.styles["Normal"]
        normal.font.name, normal.font.size = "Times New Roman", Pt(10)
        normal.paragraph_format.space_after = Pt(0)
        lang = {"fr": "fr-FR", "en": "en-GB", "es": "es-ES"}[self.language]
        normal.element.get_or_add_rPr().append(parse_xml(f'<w:lang {nsdecls("w")} w:val="{lang}"/>'))
        styles = doc.styles
        body = styles.add_style("SingleTxtG", 1)
        body.base_style = normal
        fmt = body.paragraph_format
        fmt.left_indent, fmt.right_indent, fmt.space_after = Cm(2), Cm(2), Pt(6)
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        for name, size, level, before in (("HChG", 12, 0, 18), ("H1G", 10, 1, 12), ("H23G", 10, 2, 12)):
            style = styles.add_style(name, 1)
            style.base_style = normal
            style.font.bold, style.font.size = True, Pt(size)
            style.paragraph_format.left_indent = Cm(2)
            style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(before), Pt(6)
            style.paragraph_format.keep_with_next = True
            style.element.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="{level}"/>'))
        note = styles.add_style("FootnoteTextG", 1)
        note.base_style = normal
        note.font.size = Pt(8.5)
        note.paragraph_format.left_indent, note.paragraph_format.right_indent = Cm(2), Cm(2)
        section = doc.sections[0]
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.5)
        section.left_margin, section.right_margin = Cm(1.9), Cm(1.9)
        section.header_distance, section.footer_distance = Cm(1.3), Cm(1.3)
        section.different_first_page_header_footer = True
        first = section.first_page_header.paragraphs[0]
        first.text = f"Nations Unies\t\t{symbol}" if self.language == "fr" else f"United Nations\t\t{symbol}"
        if self.language == "es":
            first.text = f"Naciones Unidas\t\t{symbol}"
        section.header.paragraphs[0].text = symbol
        section.header.paragraphs[0].runs[0].bold = True
        section.first_page_footer.paragraphs[0].text = job
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        footer._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
        numbering = doc.part.numbering_part.element
        numbering.append(parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{10}"><w:multiLevelType w:val="singleLevel"/>'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/>'
            '<w:lvlJc w:val="left"/><w:pPr><w:tabs><w:tab w:val="num" w:pos="1701"/></w:tabs>'
            '<w:ind w:left="1134" w:firstLine="0"/></w:pPr></w:lvl></w:abstractNum>'))

    def new_list(self, start: int) -> int:
        """A w:num of the paragraph-number list that starts at `start` (Word counts on across nums of one list)."""
        numbering = self.doc.part.numbering_part.element
        num_id = 100 + len(self.nums)
        override = (f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride>'
                    if self.nums else "")
        numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="10"/>'
                                   f'{override}</w:num>'))
        self.nums.append(num_id)
        return num_id

    # ------------------------------------------------------------------ content

    def runs(self, paragraph, markdown: str, footnotes: dict[int, str], notes: set[int], links: bool = True) -> None:
        """Inline Markdown as Word runs: italics, bold, superscripts, hyperlinks (plain runs in a footnote, whose
        part has no relationships of its own here), footnote references."""
        position = 0
        for match in INLINE.finditer(markdown):
            self.run(paragraph, text_of(markdown[position:match.start()]))
            position = match.end()
            if match.group("sup") is not None:
                call = reader.number(match.group("sup"))
                if call is not None and call in footnotes:
                    self.footnote(paragraph, call, footnotes[call], notes)
                else:
                    self.run(paragraph, reader.plain(match.group("sup")), superscript=True)
            elif match.group("target") is not None and not links:
                self.run(paragraph, reader.plain(match.group("text")) or reader.url(match.group("target")))
            elif match.group("auto") is not None and not links:
                self.run(paragraph, reader.url(match.group("auto")))
            elif match.group("target") is not None:
                self.hyperlink(paragraph, reader.plain(match.group("text")) or match.group("target"),
                               reader.url(match.group("target")))
            elif match.group("auto") is not None:
                self.hyperlink(paragraph, reader.url(match.group("auto")), reader.url(match.group("auto")))
            elif match.group("bold") is not None:
                self.run(paragraph, reader.plain(match.group("bold")), bold=True)
            else:
                self.run(paragraph, reader.plain(match.group("italic")), italic=True)
        self.run(paragraph, text_of(markdown[position:]))

    def run(self, paragraph, text: str, italic=False, bold=False, superscript=False) -> None:
        if text:
            run = paragraph.add_run(text)
            run.italic = italic or None
            run.bold = bold or None
            run.font.superscript = superscript or None

    def hyperlink(self, paragraph, text: str, target: str) -> None:
        rid = paragraph.part.relate_to(target, RT.HYPERLINK, is_external=True)
        escaped = text.replace("&", "&amp;").replace("<", "&lt;")
        paragraph._p.append(parse_xml(
            f'<w:hyperlink {nsdecls("w", "r")} r:id="{rid}"><w:r><w:rPr><w:color w:val="0000FF"/></w:rPr>'
            f'<w:t xml:space="preserve">{escaped}</w:t></w:r></w:hyperlink>'))

    def footnote(self, paragraph, number: int, markdown: str, notes: set[int]) -> None:
        """A footnote reference here, and the footnote's text in footnotes.xml (Word numbers them in order)."""
        notes.add(number)
        note_id = len(self.footnote_xml) + 1
        paragraph._p.append(parse_xml(
            f'<w:r {nsdecls("w")}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
            f'<w:footnoteReference w:id="{note_id}"/></w:r>'))
        holder = self.doc.add_paragraph()  # a scratch paragraph: its runs go into footnotes.xml
        self.runs(holder, markdown, {}, set(), links=False)
        holder._p.getparent().remove(holder._p)
        body = "".join(etree.tostring(r, encoding="unicode") for r in holder._p.iterchildren(qn("w:r")))
        self.footnote_xml.append(
            f'<w:footnote w:id="{note_id}"><w:p><w:pPr><w:pStyle w:val="FootnoteTextG"/></w:pPr>'
            '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
            f'<w:r><w:t xml:space="preserve"> </w:t></w:r>{body}</w:p></w:footnote>')

    def paragraph(self, style: str, markdown: str = "", footnotes=None, notes=None, num: int | None = None):
        p = self.doc.add_paragraph(style=style)
        if num is not None:
            p._p.get_or_add_pPr().append(parse_xml(
                f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num}"/></w:numPr>'))
        self.runs(p, markdown, footnotes or {}, notes if notes is not None else set())
        return p

    def table(self, lines: list[str], first: int) -> None:
        """The Markdown table whose first row is on line `first` as a Word table (its first row in bold)."""
        rows = []
        for line in lines[first - 1:]:
            if not line.strip().startswith("|"):
                break
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                rows.append(cells)
        table = self.doc.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        table.style = self.doc.styles["Table Grid"]
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells):
                paragraph = table.cell(r, c).paragraphs[0]
                self.run(paragraph, reader.plain(text), bold=r == 0)
        table._tbl.tblPr.append(parse_xml(f'<w:tblInd {nsdecls("w")} w:w="1134" w:type="dxa"/>'))
        self.doc.add_paragraph(style="SingleTxtG")  # the space after the table

    def save(self, path: Path) -> None:
        part = self.doc.part
        if self.footnote_xml:
            xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes {nsdecls("w", "r")}>'
                   '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
                   '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r>'
                   '</w:p></w:footnote>' + "".join(self.footnote_xml) + "</w:footnotes>")
            notes = Part(PackURI("/word/footnotes.xml"), FOOTNOTES_TYPE, xml.encode("utf-8"), part.package)
            part.relate_to(notes, RT.FOOTNOTES)
        self.doc.core_properties.title = ""
        self.doc.core_properties.author = "United Nations"
        path.write_bytes(deterministic(self.doc))


def deterministic(doc) -> bytes:
    """The .docx bytes with fixed ZIP timestamps and dates, so remaking a fixture changes nothing."""
    doc.core_properties.created = doc.core_properties.modified = __import__("datetime").datetime(2024, 4, 1)
    doc.core_properties.revision = 1
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 4, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def make_docx(source: Path, symbol: str, job: str, out: Path, masthead: tuple[int, int] | None = None) -> None:
    lex = convert.detect_language(source)
    toc_heading = lex.pattern("headings", "toc")
    doc = reader.read(source, toc_heading, lex.pattern("headings", "annex"), lex.patterns("role_lines", "sentence"))
    w = Writer(symbol, job, lex.language)
    lines = doc.lines
    footnotes = {f.number: " ".join(s.markdown for s in f.segments) for f in doc.footnotes}
    notes: set[int] = set()

    # the title block: the lines before the first heading, one Word paragraph per item
    first_heading = next(i for i, line in enumerate(lines) if reader.HEADING.match(line.strip()))
    for block in reader.blocks(lines[:first_heading]):
        if len(block) == 1 and reader.RULE.match(block[0].text):
            continue
        items = reader.title_items(block)
        for k, item in enumerate(items):
            end = items[k + 1].number if k + 1 < len(items) else block[-1].number + 1
            raw = [lines[n - 1].strip() for n in range(item.number, end)]
            bold = raw[0].startswith("**")
            text = " ".join(r.strip("*").strip() if bold else r for r in raw)
            p = w.paragraph("Normal", text)
            if bold:
                for run in p.runs:
                    run.bold = True
            p.paragraph_format.space_after = Pt(8)
            p.paragraph_format.left_indent = Cm(2)
    # the table of contents, if any
    toc_line = next((i for i, line in enumerate(lines) if (h := reader.HEADING.match(line.strip()))
                     and toc_heading.search(reader.plain(reader.heading_text(h.group(2))))), None)
    if toc_line is not None:
        w.paragraph("HChG", reader.plain(reader.heading_text(reader.HEADING.match(lines[toc_line].strip()).group(2))))
        for line in doc.toc:
            p = w.paragraph("Normal", line.text.strip().replace("\t", " \t "))
            p.paragraph_format.left_indent = Cm(2)

    # sections, numbered paragraphs (with their units), loose text, in the order of the Markdown
    events = [(s.line, "section", s) for s in doc.sections] + [(p.line, "paragraph", p) for p in doc.paragraphs]
    events += [(s.line, "loose", s) for s in doc.loose_text]
    expected: dict[str, int] = {}
    num = None
    for _, kind, item in sorted(events, key=lambda e: e[0]):
        if kind == "section":
            style = "HChG" if item.level <= 2 else "H1G" if item.level == 3 else "H23G"
            w.paragraph(style, reader.plain(item.heading))
        elif kind == "loose":
            w.paragraph("SingleTxtG", item.markdown, footnotes, notes)
        else:
            if expected.get(item.part) != item.number:  # a new list (the annex restarts at 1), or a gap
                num = w.new_list(item.number)
            expected[item.part] = item.number + 1
            w.paragraph("SingleTxtG", item.segments[0].markdown, footnotes, notes, num=num)
            for segment in item.segments[1:]:
                if segment.markdown.startswith("|"):  # a Markdown table: a Word table
                    w.table(lines, segment.line)
                else:
                    w.paragraph("SingleTxtG", segment.markdown, footnotes, notes)
    missing = sorted(set(footnotes) - notes)
    if missing:
        raise SystemExit(f"{source}: footnotes {missing} are called nowhere")
    if masthead:
        columns(w.doc, *masthead)
    w.save(out)


def columns(doc, left: int, right: int) -> None:
    """The first `left` + `right` paragraphs moved into a borderless two-column table at the top (a masthead)."""
    paragraphs = doc.paragraphs[:left + right]
    table = doc.add_table(rows=1, cols=2)
    body = doc.element.body
    body.remove(table._tbl)
    body.insert(0, table._tbl)
    for k, (cell, part) in enumerate(zip(table.rows[0].cells, (paragraphs[:left], paragraphs[left:]))):
        cell._tc.remove(cell.paragraphs[0]._p)
        for paragraph in part:
            paragraph.paragraph_format.left_indent = Cm(2) if k == 0 else Cm(0)
            cell._tc.append(paragraph._p)


def soffice(docx: Path, outdir: Path) -> Path:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(outdir), str(docx)], check=True, capture_output=True, timeout=300)
    return outdir / (docx.stem + ".pdf")


def broken(pdf: Path, docx: Path) -> None:
    """The unusable inputs, made from a good PDF and a good Word file."""
    # the first two pages, opened only with a password
    subprocess.run(["qpdf", "--encrypt", "secret", "owner", "256", "--", "--pages", str(pdf), "1-2", "--",
                    str(pdf), str(HERE / "encrypted.pdf")], check=True)
    with tempfile.TemporaryDirectory() as tmp:  # page images only, as a scanner makes them
        subprocess.run(["pdftoppm", "-r", "40", "-gray", "-png", "-l", "2", str(pdf), f"{tmp}/page"], check=True)
        from PIL import Image
        pages = [Image.open(p).convert("L") for p in sorted(Path(tmp).glob("page*.png"))]
        pages[0].save(HERE / "scanned.pdf", save_all=True, append_images=pages[1:], resolution=50)
    data = pdf.read_bytes()
    (HERE / "corrupt.pdf").write_bytes(data[:12000])  # cut short, as an interrupted download
    raw = docx.read_bytes()
    (HERE / "corrupt.docx").write_bytes(raw[:6000])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = data[: len(data) // 2]
            dst.writestr(info, data)
    (HERE / "badxml.docx").write_bytes(out.getvalue())


def other_layout(source: Path) -> None:
    """A report in another layout than the UN's: pandoc's default Word template (ragged right, headings in
    another typeface, no space between paragraphs, list-numbered paragraphs) and the PDF LibreOffice makes of it.
    Pandoc drops the Markdown's `<sup>` call-outs, so its footnotes are plain text: the PDF is compared with the
    Word file, not with the Markdown."""
    docx = HERE / f"{source.stem}-pandoc.docx"
    subprocess.run(["pandoc", "-f", "markdown-smart", str(source), "-o", str(docx)], check=True)
    soffice(docx, HERE)
    print(f"made {docx.name} and {docx.stem}.pdf")


def main() -> int:
    made = []
    for source, (symbol, job, masthead) in REPORTS.items():
        docx = HERE / f"{source.stem}.docx"
        make_docx(source, symbol, job, docx, masthead)
        made.append(soffice(docx, HERE))
        print(f"made {docx.name} and {made[-1].name}")
    other_layout(ROOT / "tests" / "data" / "reports" / "ece-gcm-2026-review-fr.md")
    broken(made[0], HERE / "ece-gcm-2026-review-fr-pandoc.docx")  # the smallest Word file
    print("made encrypted.pdf, scanned.pdf, corrupt.pdf, corrupt.docx, badxml.docx")
    return 0


if __name__ == "__main__":
    sys.exit(main())
