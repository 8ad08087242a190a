"""A Word report (.docx, Office Open XML) to the Markdown text `reader` reads.

python-docx opens the package and gives the parts (document, styles, numbering, footnotes); what it has no API
for is read from the parts' XML: list numbering (a numbered paragraph's number is not in its text but
computed by Word from numbering.xml: here as Word counts, one counter per list across the w:num that share
it, restarted by a `startOverride`), footnotes (footnotes.xml, numbered in the order of their references),
outline levels and the formatting a run inherits from its character and paragraph styles.

What comes out is what the reader expects of a converted report: the title block (before the first heading)
as lines, bold items in `**`; headings as `#` lines; one block per Word paragraph, a numbered one as
"N. text"; italics in `*`, superscripts in `<sup>`, footnote call-outs `<sup>n</sup>`; each footnote as a
block `<sup>n</sup> text` after the paragraph that calls it; tables as Markdown tables.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
FOOTNOTES_REL = "/footnotes"
# Heading styles known by name when they carry no outline level: Word's built-in ones (in the languages of the
# reports) and the UN's templates (HMG title, HChG chapter, H1G, H23G, H4G, H56G sub-headings).
HEADING_NAMES = re.compile(r"^(?:heading|titre|título|titulo)\s*(\d)$", re.IGNORECASE)
UN_HEADINGS = {"hchg": 1, "h1g": 2, "h23g": 3, "h4g": 4, "h56g": 5}
ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
         (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
# Characters the reader would take for Markdown: escaped (the reader removes the escapes).
SPECIAL = re.compile(r"([\\*_\[\]`])")
NUMBERED_START = re.compile(r"^\d+\.\s")


def on(element) -> bool:
    """A toggle property (w:b, w:i) is on unless its w:val says false."""
    return element is not None and element.get(W + "val", "true").lower() not in ("0", "false", "off", "none")


@dataclass
class Style:
    based_on: str | None = None
    outline: int | None = None
    num: tuple[str, int] | None = None
    italic: bool | None = None
    bold: bool | None = None
    superscript: bool | None = None
    name: str = ""


@dataclass
class Piece:
    text: str
    italic: bool = False
    bold: bool = False
    superscript: bool = False
    link: str | None = None
    footnote: int | None = None  # a footnote call-out (its number)


@dataclass
class Numbering:
    """Word's list numbering: abstract lists (levels: start, format, text) and the w:num that use them."""

    levels: dict[str, dict[int, tuple[int, str, str]]] = field(default_factory=dict)
    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)

    def label(self, num_id: str, ilvl: int) -> tuple[str, int, str] | None:
        """The label Word prints for the next paragraph of list `num_id` at level `ilvl`: (text, number, format)."""
        if num_id not in self.nums:
            return None
        abstract, overrides = self.nums[num_id]
        levels = self.levels.get(abstract, {})
        if ilvl not in levels:
            return None
        counter = self.counters.setdefault(abstract, {})
        if num_id not in self.started:  # a w:num that restarts the list where it is first used
            self.started.add(num_id)
            for level, start in overrides.items():
                counter[level] = start - 1
        start, fmt, _ = levels[ilvl]
        counter[ilvl] = counter.get(ilvl, start - 1) + 1
        for deeper in [k for k in counter if k > ilvl]:
            del counter[deeper]
        text = levels[ilvl][2]
        for level in range(ilvl + 1):
            value = counter.get(level, levels.get(level, (1, "decimal", ""))[0])
            text = text.replace(f"%{level + 1}", formatted(value, levels.get(level, (1, "decimal", ""))[1]))
        return text, counter[ilvl], fmt


def formatted(value: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letters = ""
        while value > 0:
            value, rest = divmod(value - 1, 26)
            letters = chr(ord("a") + rest) + letters
        return letters.upper() if fmt == "upperLetter" else letters
    if fmt in ("lowerRoman", "upperRoman"):
        roman = ""
        for size, digits in ROMAN:
            while value >= size:
                roman, value = roman + digits, value - size
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "bullet":
        return "•"
    return str(value)


def styles_of(document) -> dict[str, Style]:
    out: dict[str, Style] = {}
    for element in document.styles.element.iterchildren(W + "style"):
        sid = element.get(W + "styleId")
        style = Style()
        name = element.find(W + "name")
        style.name = name.get(W + "val", "") if name is not None else ""
        based = element.find(W + "basedOn")
        style.based_on = based.get(W + "val") if based is not None else None
        ppr = element.find(W + "pPr")
        if ppr is not None:
            outline = ppr.find(W + "outlineLvl")
            if outline is not None and outline.get(W + "val", "").isdigit():
                style.outline = int(outline.get(W + "val"))
            style.num = num_pr(ppr)
        rpr = element.find(W + "rPr")
        if rpr is not None:
            style.italic = on(rpr.find(W + "i")) if rpr.find(W + "i") is not None else None
            style.bold = on(rpr.find(W + "b")) if rpr.find(W + "b") is not None else None
            vert = rpr.find(W + "vertAlign")
            style.superscript = vert.get(W + "val") == "superscript" if vert is not None else None
        out[sid] = style
    return out


def num_pr(ppr) -> tuple[str, int] | None:
    numpr = ppr.find(W + "numPr")
    if numpr is None:
        return None
    num = numpr.find(W + "numId")
    level = numpr.find(W + "ilvl")
    if num is None:
        return None
    ilvl = level.get(W + "val", "0") if level is not None else "0"
    return num.get(W + "val", "0"), int(ilvl) if ilvl.isdigit() else 0


def numbering_of(document) -> Numbering:
    numbering = Numbering()
    part = next((rel.target_part for rel in document.part.rels.values()
                 if rel.reltype.endswith("/numbering") and not rel.is_external), None)
    if part is None:
        return numbering
    root = part.element
    links: dict[str, str] = {}  # abstract list -> the list style whose numbering it uses (w:numStyleLink)
    for abstract in root.iterchildren(W + "abstractNum"):
        link = abstract.find(W + "numStyleLink")
        if link is not None:
            links[abstract.get(W + "abstractNumId")] = link.get(W + "val", "")
        levels: dict[int, tuple[int, str, str]] = {}
        for lvl in abstract.iterchildren(W + "lvl"):
            ilvl = int(lvl.get(W + "ilvl", "0"))
            start = lvl.find(W + "start")
            fmt = lvl.find(W + "numFmt")
            text = lvl.find(W + "lvlText")
            levels[ilvl] = (int(start.get(W + "val", "1")) if start is not None else 1,
                            fmt.get(W + "val", "decimal") if fmt is not None else "decimal",
                            text.get(W + "val", "") if text is not None else "")
        numbering.levels[abstract.get(W + "abstractNumId")] = levels
    for num in root.iterchildren(W + "num"):
        abstract = num.find(W + "abstractNumId")
        overrides = {}
        for override in num.iterchildren(W + "lvlOverride"):
            start = override.find(W + "startOverride")
            if start is not None:
                overrides[int(override.get(W + "ilvl", "0"))] = int(start.get(W + "val", "1"))
        if abstract is not None:
            numbering.nums[num.get(W + "numId")] = (abstract.get(W + "val"), overrides)
    styles = styles_of(document)
    for num_id, (abstract, overrides) in list(numbering.nums.items()):
        style = styles.get(links.get(abstract, ""))  # a list defined by a list style: that style's list
        if style is not None and style.num is not None and style.num[0] in numbering.nums:
            numbering.nums[num_id] = (numbering.nums[style.num[0]][0], overrides)
    return numbering


class Converter:
    def __init__(self, document) -> None:
        self.document = document
        self.styles = styles_of(document)
        self.numbering = numbering_of(document)
        self.footnotes = footnotes_of(document)
        self.links = {rid: rel.target_ref for rid, rel in document.part.rels.items() if rel.is_external}
        self.calls: dict[str, int] = {}  # footnote id -> its number (the order of the references)
        self.pending: list[int] = []  # footnotes called in the paragraph being written
        self.deferred: list[str] = []  # footnotes called in the title block: printed before the first paragraph
        self.blocks: list[str] = []
        self.in_title = True

    def style_chain(self, sid: str | None):
        seen = set()
        while sid and sid in self.styles and sid not in seen:
            seen.add(sid)
            yield self.styles[sid]
            sid = self.styles[sid].based_on

    def inherited(self, sid: str | None, attribute: str):
        return next((value for s in self.style_chain(sid) if (value := getattr(s, attribute)) is not None), None)

    # ------------------------------------------------------------------ runs

    def pieces(self, element, base: dict, link: str | None = None) -> list[Piece]:
        out: list[Piece] = []
        for child in element.iterchildren():
            tag = child.tag
            if tag == W + "r":
                out.extend(self.run(child, base, link))
            elif tag == W + "hyperlink":
                target = self.links.get(child.get(R + "id"))
                out.extend(self.pieces(child, base, target or link))
            elif tag in (W + "ins", W + "smartTag", W + "customXml", W + "sdt", W + "sdtContent", W + "fldSimple",
                         W + "moveTo", W + "bdo", W + "dir"):
                out.extend(self.pieces(child, base, link))
        return out

    def run(self, run, base: dict, link: str | None) -> list[Piece]:
        rpr = run.find(W + "rPr")
        fmt = dict(base)
        if rpr is not None:
            rstyle = rpr.find(W + "rStyle")
            if rstyle is not None:
                for attribute in ("italic", "bold", "superscript"):
                    value = self.inherited(rstyle.get(W + "val"), attribute)
                    if value is not None:
                        fmt[attribute] = value
            for attribute, tag in (("italic", "i"), ("bold", "b")):
                if rpr.find(W + tag) is not None:
                    fmt[attribute] = on(rpr.find(W + tag))
            vert = rpr.find(W + "vertAlign")
            if vert is not None:
                fmt["superscript"] = vert.get(W + "val") == "superscript"
        out: list[Piece] = []
        for child in run.iterchildren():
            tag = child.tag
            text = None
            if tag == W + "t":
                text = child.text or ""
            elif tag == W + "tab":
                text = "\t"
            elif tag in (W + "br", W + "cr"):
                text = "" if child.get(W + "type") == "page" else "\n"
            elif tag == W + "noBreakHyphen":
                text = "-"
            elif tag == W + "sym":
                code = child.get(W + "char", "")
                text = chr(int(code, 16)) if re.fullmatch(r"[0-9A-Fa-f]{1,6}", code) and int(code, 16) < 0xF000 else ""
            elif tag == W + "footnoteReference":
                fid = child.get(W + "id")
                if fid in self.footnotes:
                    number = self.calls.setdefault(fid, len(self.calls) + 1)
                    out.append(Piece("", footnote=number))
                    self.pending.append(number)
                continue
            if text:
                out.append(Piece(text, fmt["italic"], fmt["bold"], fmt["superscript"], link))
        return out

    # ------------------------------------------------------------------ paragraphs

    def paragraph(self, p) -> None:
        ppr = p.find(W + "pPr")
        sid = None
        outline = None
        num = None
        if ppr is not None:
            pstyle = ppr.find(W + "pStyle")
            sid = pstyle.get(W + "val") if pstyle is not None else None
            level = ppr.find(W + "outlineLvl")
            if level is not None and level.get(W + "val", "").isdigit():
                outline = int(level.get(W + "val"))
            num = num_pr(ppr)
        if outline is None:
            outline = self.inherited(sid, "outline")
        if num is None:
            num = self.inherited(sid, "num")
        name = next((s.name for s in self.style_chain(sid) if s.name), "")
        if outline is None or outline > 8:
            outline = None
            if m := HEADING_NAMES.match(name):
                outline = int(m.group(1)) - 1
            elif name.lower() in UN_HEADINGS:
                outline = UN_HEADINGS[name.lower()] - 1
            elif name.lower().replace(" ", "") == "tocheading":  # Word's "Contents" heading (outline level 9)
                outline = 0
        # a heading's text is read without its style's bold or italics (the `#` says it is a heading)
        base = {"italic": outline is None and bool(self.inherited(sid, "italic")),
                "bold": outline is None and bool(self.inherited(sid, "bold")), "superscript": False}
        pieces = self.pieces(p, base)
        label = None
        if num is not None and num[0] != "0":
            label = self.numbering.label(*num)
        text = render(pieces, keep_breaks=True) if self.in_title or outline is not None else body_lines(pieces)
        if outline is not None and text.strip():
            self.in_title = False
            prefix = f"{label[0]} " if label else ""
            self.blocks.append("#" * min(outline + 1, 6) + " " + prefix + text.replace("\n", " ").strip())
        elif text.strip():
            if label and label[2] == "decimal" and num[1] == 0 and re.fullmatch(r"\d+\.", label[0].strip()):
                text = f"{label[1]}. {text.strip()}"
            elif label:
                text = f"{label[0].strip()} {text.strip()}"
            if self.in_title:
                text = title_lines(pieces, f"{label[0].strip()} " if label else "")
            elif self.deferred and re.match(r"\d+\.\s", text.strip()):
                self.blocks.extend(self.deferred)
                self.deferred = []
            self.blocks.append(text.strip())
        self.flush_notes()

    def flush_notes(self) -> None:
        for number in self.pending:
            fid = next(k for k, v in self.calls.items() if v == number)
            block = f"<sup>{number}</sup> " + render(self.footnote_pieces(fid), keep_breaks=False).strip()
            (self.deferred if self.in_title else self.blocks).append(block)
        self.pending = []

    def footnote_pieces(self, fid: str) -> list[Piece]:
        pieces: list[Piece] = []
        for p in self.footnotes[fid].iterchildren(W + "p"):
            if pieces:
                pieces.append(Piece(" "))
            for run in p.iter(W + "footnoteRef"):
                run.getparent().getparent().remove(run.getparent())
            pieces.extend(self.pieces(p, {"italic": False, "bold": False, "superscript": False}))
        return pieces

    def table(self, tbl) -> None:
        if self.in_title:  # a masthead laid out as a table (symbol, distribution, date): each cell's paragraphs
            for tc in tbl.iter(W + "tc"):
                for p in tc.iterchildren(W + "p"):
                    self.paragraph(p)
            return
        rows = []
        for tr in tbl.iterchildren(W + "tr"):
            cells = []
            for tc in tr.iterchildren(W + "tc"):
                texts = [render(self.pieces(p, {"italic": False, "bold": False, "superscript": False}), False).strip()
                         for p in tc.iterchildren(W + "p")]
                cells.append(" ".join(t for t in texts if t).replace("|", "\\|"))
            rows.append("| " + " | ".join(cells) + " |")
        if rows:
            rows.insert(1, "|" + "---|" * rows[0].count(" | ") + "---|")
            self.blocks.append("\n".join(rows))
        self.flush_notes()

    def body(self, element) -> None:
        for child in element.iterchildren():
            if child.tag == W + "p":
                self.paragraph(child)
            elif child.tag == W + "tbl":
                self.table(child)
            elif child.tag in (W + "sdt", W + "sdtContent", W + "customXml", W + "ins"):
                self.body(child)

    def markdown(self) -> str:
        self.body(self.document.element.body)
        self.blocks.extend(self.deferred)
        return "\n\n".join(self.blocks) + "\n"


def render(pieces: list[Piece], keep_breaks: bool) -> str:
    """Pieces as inline Markdown: runs of one formatting merged, the marks inside the spaces around them."""
    out: list[str] = []
    merged: list[Piece] = []
    for piece in pieces:
        text = piece.text.replace("\t", " ")
        if not keep_breaks:
            text = text.replace("\n", " ")
        if merged and piece.footnote is None and merged[-1].footnote is None and \
                (merged[-1].italic, merged[-1].bold, merged[-1].superscript, merged[-1].link) == \
                (piece.italic, piece.bold, piece.superscript, piece.link):
            merged[-1].text += text
        else:
            merged.append(Piece(text, piece.italic, piece.bold, piece.superscript, piece.link, piece.footnote))
    for piece in merged:
        if piece.footnote is not None:
            out.append(f"<sup>{piece.footnote}</sup>")
            continue
        text = escape(piece.text)
        core = text.strip()
        if not core:
            out.append(text)
            continue
        lead, tail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
        if piece.superscript:
            core = f"<sup>{core}</sup>"
        if piece.italic and not keep_breaks:
            core = "\n".join(f"*{c}*" if c.strip() else c for c in core.split("\n"))
        if piece.bold and not keep_breaks:
            core = f"**{core}**"
        # a link whose text is not its address keeps the address; spaces in it (a word processor may save it
        # decoded) are encoded, and an address shown as text needs no link
        if piece.link and piece.link.strip() != piece.text.strip() and not re.match(r"(?i)https?://", core):
            target = re.sub(r"\s", "%20", piece.link.strip()).replace(")", "%29")
            core = f"[{core}]({target})"
        out.append(lead + core + tail)
    return "".join(out)


def split_lines(pieces: list[Piece]) -> list[list[Piece]]:
    """A paragraph's pieces cut at its line breaks."""
    lines: list[list[Piece]] = [[]]
    for piece in pieces:
        parts = piece.text.split("\n")
        for k, part in enumerate(parts):
            if k:
                lines.append([])
            if part or piece.footnote is not None:
                lines[-1].append(Piece(part, piece.italic, piece.bold, piece.superscript, piece.link, piece.footnote))
    return lines


def body_lines(pieces: list[Piece]) -> str:
    """A body paragraph: a line break ("Moderator: …" under "Lead organizers: …" in one paragraph) starts a new
    block, which the reader joins to the one before if its sentence is unfinished; a line that would read as a
    numbered paragraph is joined here."""
    out = ""
    for line in split_lines(pieces):
        text = render(line, keep_breaks=False).strip()
        if not text:
            continue
        out = text if not out else out + (" " if NUMBERED_START.match(text) else "\n\n") + text
    return out


def title_lines(pieces: list[Piece], label: str = "") -> str:
    """A title-block paragraph as the reader's title lines: its lines (split at line breaks) one per line, a
    run of bold lines as one `**…**` item ("**Rapport de l'Examen … sur sa deuxième session**")."""
    lines = split_lines(pieces)
    out: list[str] = []
    bold_run: list[str] = []
    for line in lines:
        text = render(line, keep_breaks=True).strip()
        if not text:
            continue
        if all(p.bold for p in line if p.text.strip()):
            bold_run.append(text)
            continue
        if bold_run:
            out.append("**" + " ".join(bold_run) + "**")
            bold_run = []
        out.append(text)
    if bold_run:
        out.append("**" + " ".join(bold_run) + "**")
    if out and label:
        out[0] = label + out[0]
    return "\n".join(out)


def escape(text: str) -> str:
    return SPECIAL.sub(r"\\\1", text.replace("&", "&amp;").replace("<", "&lt;"))


def footnotes_of(document) -> dict[str, object]:
    from lxml import etree

    part = next((rel.target_part for rel in document.part.rels.values()
                 if rel.reltype.endswith(FOOTNOTES_REL) and not rel.is_external), None)
    if part is None:
        return {}
    root = part.element if hasattr(part, "element") else etree.fromstring(part.blob)
    return {n.get(W + "id"): n for n in root.iterchildren(W + "footnote")
            if n.get(W + "type") in (None, "normal")}


def to_markdown(path: Path, data: bytes) -> str:
    """The Markdown text of a Word report; InputError naming the file if it is not a readable Word document."""
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    try:
        document = docx.Document(io.BytesIO(data))
        return Converter(document).markdown()
    except (zipfile.BadZipFile, PackageNotFoundError, etree.XMLSyntaxError, zlib.error, KeyError, ValueError,
            EOFError, OSError) as err:
        reason = str(err).splitlines()[0][:200] if str(err) else type(err).__name__
        raise InputError(path, 1, f"not a readable Word document (.docx): the file is damaged or incomplete "
                                  f"({reason})") from None
    except Exception as err:  # noqa: BLE001 - whatever a damaged package makes python-docx raise
        raise InputError(path, 1, f"not a readable Word document (.docx): the file is damaged "
                                  f"({type(err).__name__})") from None
