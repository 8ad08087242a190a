"""A PDF report to the Markdown text `reader` reads (PDFium through pypdfium2: characters, font, position).

A UN report's PDF is laid out by a word processor: running headers and footers (the document symbol, the page
number, the `GE.24-…` job number), numbered paragraphs whose number stands apart from the text (a tab),
paragraphs that run on from one page to the next, footnotes at the foot of the page below a short rule, their
call-outs in smaller raised characters, headings in bold, role labels in italics. Here, page by page:

- the characters are grouped into lines (one baseline), each keeping its font (bold and italic by the font's
  name and flags) and size (a smaller raised character is a superscript);
- header and footer lines are dropped: a line in the top or bottom band of the page that is a document symbol,
  a page number, a job number or the Organization's name, or whose text (digits aside) is on several pages;
- footnotes are the lines below the footnote rule (or, with no rule, the smaller lines at the foot of the page
  that start with a number): each becomes a block `<sup>n</sup> text`, a footnote continued on the next page is
  joined to its start, and they are written after the paragraph the page ends in;
- the other lines make blocks: a new block where the space between lines is larger than between the lines of a
  paragraph, where the next line's first word would have fitted on the line before (in justified text: where a
  line stops short of the right margin), at a line that opens with a paragraph number set apart or with a label
  ("Moderator:") after a page break, or where bold, italics or the typeface of whole lines change. A paragraph
  runs on onto the next page unless its page ends on a short line (justified text) or a finished sentence
  (ragged text). A line ending in a hyphen or inside a web address is joined without a space;
- before the first heading (a bold line that is a chapter, a table of contents or an annex heading), blocks
  are the title block: bold lines as `**…**` items. After it, a block of at most three bold lines, or a single
  short line in italics or another typeface, that is not a sentence is a heading; between a table of contents'
  heading and the next chapter or annex heading, lines are the table of contents;
- lines side by side, set apart by more than a tab after a list label, are columns: in the title block (a
  masthead) read column by column, in the text a table, written again as a Markdown table.

Encrypted, image-only (scanned) and damaged files are refused with an InputError naming the file; the Markdown
comes with the page each of its lines was read from, so that messages can name the page.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .reader import LABELLED
from .word import Piece, render

SYMBOL = re.compile(r"^[A-Z][A-Z0-9.]*(?:/[A-Za-z0-9.\-]+)+(?<!\.)$")  # a symbol alone, not ending a sentence
JOB = re.compile(r"\bGE\.\d{2}[-‑–]\d{3,}")
PAGE_NUMBER = re.compile(r"^(?:-\s*)?\d{1,4}(?:\s*-)?$|^(?:Page|Página)\s+\d+(?:\s+(?:of|sur|de)\s+\d+)?$", re.I)
ORGANIZATION = re.compile(r"^(?:United Nations|Nations Unies|Naciones Unidas)$", re.I)
# the first page's foot of a UN document: the job number as a bar code ("*2405321*"), "Please recycle"
STAMP = re.compile(r"^\*\d{5,}\*$|^(?:please recycle|merci de recycler|sírvase reciclar)\b", re.I)
CHAPTER = re.compile(r"^(?:[IVXLC]+|[A-Z])\.\s+\S")
NUMBER_ALONE = re.compile(r"^\d{1,4}\.$")
LIST_LABEL = re.compile(r"^(?:\d{1,4}[.)]|\(?[a-zA-Z]\)|\(?[ivxlc]+\)|[•·▪◦‣\-–—])$")  # set apart by a tab
FOOTNOTE_START = re.compile(r"^(\d{1,4})\s*(.*)$")
SENTENCE_END = re.compile(r"[.!?:;»]$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BAND = 0.07  # the share of the page height at the top and at the bottom where running heads are


@dataclass
class Line:
    page: int
    x0: float
    x1: float
    top: float  # distance from the top of the page to the baseline
    size: float  # the size of most of its characters
    pieces: list[Piece]
    segments: list[str] = field(default_factory=list)  # the texts of the runs it was made of (left to right)
    first_word: float = 0.0  # the width of its first word (would it have fitted on the line before?)
    family: str = ""  # the font family of most of its characters
    table: str | None = None  # the Markdown of a table this line stands for (its rows of cells side by side)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(p.text for p in self.pieces)).strip()

    @property
    def bold(self) -> bool:
        letters = [p for p in self.pieces if p.text.strip() and not p.superscript]
        return bool(letters) and all(p.bold for p in letters)

    @property
    def italic(self) -> bool:
        letters = [p for p in self.pieces if p.text.strip() and not p.superscript]
        return bool(letters) and all(p.italic for p in letters)

    def kind(self, body_family: str) -> str:
        """How the line stands out from body text: "bold", "italic", "font" (another typeface) or ""."""
        return "bold" if self.bold else "italic" if self.italic else "font" if self.family != body_family else ""


def font_style(name: str) -> tuple[bool, bool]:
    """(bold, italic) as the font's name says ("ABCDEF+TimesNewRomanPS-BoldItalicMT")."""
    base = name.split("+", 1)[-1].lower()
    italic = "italic" in base or "oblique" in base or base.endswith("-it") or ",italic" in base
    bold = "bold" in base or "black" in base or "heavy" in base or "semibold" in base or base.endswith("-bd")
    return bold, italic


def family_of(name: str) -> str:
    """The typeface of a font without its style ("ABCDEF+TimesNewRomanPS-BoldItalicMT" -> "TimesNewRoman")."""
    base = re.split(r"[-,]", name.split("+", 1)[-1])[0]
    return re.sub(r"(?:PS|MT|PSMT)$", "", base)


def open_document(path: Path, data: bytes):
    """The PDF opened by PDFium; InputError if it is encrypted, cut short or damaged."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    if b"%%EOF" not in data[-2048:]:
        raise InputError(path, 1, "a damaged PDF: the file is cut short (no end-of-file marker); download it again")
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        if getattr(err, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD or "password" in str(err).lower():
            raise InputError(path, 1, "an encrypted PDF that needs a password to open: save an unprotected copy "
                                      "and try again") from None
        raise InputError(path, 1, f"a damaged PDF that cannot be read ({reason(err)})") from None
    # PDFium reads past a damaged file by rebuilding its index of objects, and then leaves out what it cannot
    # find: a text with holes, and a graph with holes, rather than an error
    check = getattr(pdfium_c, "FPDF_DocumentHasValidCrossReferenceTable", None)
    if check is not None and not check(document.raw):
        document.close()
        raise InputError(path, 1, "a damaged PDF: its cross-reference table is broken, so parts of its text may "
                                  "be lost; download it again, or repair it (e.g. `qpdf damaged.pdf repaired.pdf`)")
    return document


def reason(err: BaseException) -> str:
    return str(err).splitlines()[0][:200] if str(err) else type(err).__name__


@dataclass
class Char:
    text: str
    x0: float
    x1: float
    y: float  # the baseline, from the bottom of the page
    size: float
    font: str
    italic: bool
    space: bool  # a space before it (in the file, or a gap where PDFium saw the characters stand apart)


def page_chars(page) -> list[list[Char]]:
    """The page's characters in the order they are drawn, cut into runs on one baseline without a wide gap."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    handle = textpage.raw
    count = pdfium_c.FPDFText_CountChars(handle)
    text = textpage.get_text_range() if count > 0 else ""
    if len(text) != count:  # characters outside the BMP: one by one
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(handle, i)) for i in range(count))
    x, y = ctypes.c_double(), ctypes.c_double()
    box = pdfium_c.FS_RECTF()
    name = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    runs: list[list[Char]] = []
    current: list[Char] = []
    space = False  # a space before the next character: True, or "generated" where PDFium saw a gap
    for i in range(count):
        ch = text[i]
        if ch in "\r\n":  # a line end PDFium added
            if current:
                runs.append(current)
                current = []
            space = False
            continue
        if ch in "\x02\ufffe":  # PDFium's mark for a hyphen that ends a line: a hyphen (join() keeps the word whole)
            ch = "-"
        if ch.isspace():
            if current and space is not True:
                space = "generated" if pdfium_c.FPDFText_IsGenerated(handle, i) == 1 else True
            continue
        pdfium_c.FPDFText_GetCharOrigin(handle, i, ctypes.byref(x), ctypes.byref(y))
        pdfium_c.FPDFText_GetLooseCharBox(handle, i, ctypes.byref(box))
        size = pdfium_c.FPDFText_GetFontSize(handle, i)
        pdfium_c.FPDFText_GetFontInfo(handle, i, name, 256, ctypes.byref(flags))
        char = Char(ch, box.left, box.right, y.value, size, name.value.decode("latin-1"), bool(flags.value & 64),
                    space is True or (space == "generated" and not (current and near(current[-1], box.left, size))))
        if current:
            last = current[-1]
            if char.x0 < last.x0 - 1 or abs(char.y - last.y) > 0.6 * max(char.size, last.size) or \
                    char.x0 - last.x1 > max(char.size, last.size):
                runs.append(current)
                current = []
                char.space = False
        current.append(char)
        space = False
    if current:
        runs.append(current)
    return runs


def near(last: Char, x0: float, size: float) -> bool:
    """Whether a character starts right after `last`: a gap PDFium took for a space after a superscript (a
    footnote call-out before a full stop) or before one is none."""
    return x0 - last.x1 < 0.15 * max(size, last.size)


def page_rules(page) -> list[tuple[float, float, float]]:
    """The page's short horizontal rules (the footnote separator): (top, x0, x1), top from the top of the page."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    rules = []
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    for i in range(pdfium_c.FPDFPage_CountObjects(page.raw)):
        obj = pdfium_c.FPDFPage_GetObject(page.raw, i)
        if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        if pdfium_c.FPDFPageObj_GetBounds(obj, ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right),
                                          ctypes.byref(top)):
            if top.value - bottom.value < 2 and 20 < right.value - left.value < width * 0.6:
                rules.append((height - top.value, left.value, right.value))
    return rules


def page_lines(page, number: int) -> list[Line]:
    """The page's lines, top to bottom: runs on one baseline merged left to right (a paragraph number and its
    text, set apart by a tab, are one line), each character keeping its font, a smaller raised one marked as a
    superscript."""
    height = page.get_size()[1]
    lines: list[Line] = []
    for run in page_chars(page):
        size = Counter(round(c.size, 1) for c in run).most_common(1)[0][0]
        base = statistics.median(c.y for c in run if round(c.size, 1) == size)
        pieces: list[Piece] = []
        first_word = None  # where the run's first word ends
        for k, c in enumerate(run):
            bold, italic = font_style(c.font)
            sup = c.size < size * 0.8 and c.y > base + size * 0.15
            # a superscript right after its word ("128e", "2023 1") is not a new word
            if k and c.space and not (sup and c.x0 - run[k - 1].x1 < size * 0.2):
                pieces.append(Piece(" ", pieces[-1].italic, pieces[-1].bold, pieces[-1].superscript))
                first_word = run[k - 1].x1 if first_word is None else first_word
            pieces.append(Piece(c.text, italic or c.italic, bold, sup))
        family = Counter(family_of(c.font) for c in run).most_common(1)[0][0]
        x0, x1, top = run[0].x0, max(c.x1 for c in run), height - base
        text = "".join(p.text for p in pieces)
        first = (first_word if first_word is not None else x1) - x0
        # runs on one baseline are one line when they nearly touch, or when the first is a label set apart by a
        # tab ("12.", "a)", "•"); else they stand in columns (a masthead, a table) and stay apart
        same = next((l for l in reversed(lines[-6:]) if abs(l.top - top) < 2.5 and (
            max(x0 - l.x1, l.x0 - x1) <= 1.5 * max(size, l.size)
            or LIST_LABEL.match((l.segments[-1] if x0 >= l.x0 else text).strip()))), None)
        if same is None:
            lines.append(Line(number, x0, x1, top, size, pieces, [text], first, family))
        elif x0 >= same.x0:  # a space between two runs unless they touch (a full stop after a call-out)
            same.pieces = same.pieces + ([Piece(" ")] if x0 - same.x1 > 0.15 * size else []) + pieces
            same.segments.append(text)
            same.x1 = max(same.x1, x1)
            same.size = max(same.size, size)
        else:
            same.pieces = pieces + [Piece(" ")] + same.pieces
            same.segments.insert(0, text)
            same.x0, same.first_word = x0, first
            same.size = max(same.size, size)
    lines.sort(key=lambda l: (l.top, l.x0))
    return lines


def running_heads(pages: list[tuple[list[Line], float]]) -> set[int]:
    """The ids of the header and footer lines of every page."""
    def key(line: Line) -> str:
        return re.sub(r"\d+", "#", line.text)

    bands = [[l for l in lines if l.top < height * BAND or l.top > height * (1 - BAND)] for lines, height in pages]
    repeated = Counter(k for band in bands for k in {key(l) for l in band})
    drop = set()
    for band in bands:
        for line in band:
            parts = [s for s in re.split(r"\s{2,}|\t", line.text) if s.strip()] or [line.text]
            if repeated[key(line)] >= 2 and len(pages) > 1 or JOB.search(line.text) or all(
                    SYMBOL.match(p.strip()) or PAGE_NUMBER.match(p.strip()) or ORGANIZATION.match(p.strip())
                    or STAMP.match(p.strip()) or JOB.search(p) for p in line.segments or parts):
                drop.add(id(line))
    return drop


def footnote_lines(lines: list[Line], rules: list[tuple[float, float, float]], height: float,
                   body_size: float) -> list[Line]:
    """The page's footnote lines: below the lowest short rule in the lower half of the page, else the smaller
    lines at its foot that start with a number."""
    rule = max((r[0] for r in rules if r[0] > height * 0.4), default=None)
    if rule is not None:
        below = [l for l in lines if l.top > rule]
        if below and all(l.size < body_size * 0.97 for l in below):
            return below
    notes: list[Line] = []
    for line in reversed(lines):
        if line.size < body_size * 0.9 and line.top > height * 0.5:
            notes.insert(0, line)
        else:
            break
    if notes and not FOOTNOTE_START.match(notes[0].text):
        return []
    return notes


def join(left: str, right: str) -> str:
    """Two lines of one paragraph: a hyphen, a slash or a web address cut at the end of the line is joined
    without a space."""
    if not left:
        return right
    stripped = left.rstrip()
    tail = stripped.rsplit(" ", 1)[-1]
    if re.search(r"[\w)][-/‐]$", stripped) or ("://" in tail and not re.search(r"[.;,)]$", tail)):
        return stripped + right.lstrip()
    return stripped + " " + right.lstrip()


def line_markdown(line: Line) -> str:
    return re.sub(r"[ \t]{2,}", " ", render(line.pieces, keep_breaks=False).strip())


def heading_patterns(kind: str) -> list[re.Pattern[str]]:
    """The lexicons' patterns of a table of contents' ("toc") or an annex's ("annex") heading, every language."""
    from . import lexicon
    return [lexicon.load(language).pattern("headings", kind) for language in lexicon.available()]


def to_markdown(path: Path, data: bytes) -> tuple[str, list[str]]:
    """The Markdown text of a PDF report, and for each of its lines the pages it was read from ("page 3",
    "pages 3-4"); InputError naming the file if it cannot be read as one."""
    document = open_document(path, data)
    laid: list[tuple[list[Line], list, float]] = []
    try:
        for number in range(1, len(document) + 1):
            page = document[number - 1]
            laid.append((page_lines(page, number), page_rules(page), page.get_size()[1]))
    except Exception as err:  # noqa: BLE001 - PDFium failing on a page: the file is damaged
        raise InputError(path, 1, f"a damaged PDF: page {len(laid) + 1} cannot be read ({reason(err)})") from None
    finally:
        document.close()
    if not laid:
        raise InputError(path, 1, "a PDF with no pages")
    garbled = next((n for n, (lines, _, _) in enumerate(laid, start=1)
                    if any(CONTROL.search(l.text) for l in lines)), None)
    if garbled is not None:  # PDFium gives glyph codes where it finds no characters: no text to read
        raise InputError(path, 1, f"a damaged PDF, or one whose fonts do not say which characters they draw: page "
                                  f"{garbled} gives control codes instead of text")
    if sum(len(l.text) for lines, _, _ in laid for l in lines) < 200:
        raise InputError(path, 1, "a PDF with no text layer (a scanned image?): gcmkg reads the text of a PDF "
                                  "and does no character recognition; run OCR on it first, or use the Word file")
    drop = running_heads([(lines, height) for lines, _, height in laid])
    sizes = Counter(round(l.size, 1) for lines, _, _ in laid for l in lines if id(l) not in drop)
    body_size = sizes.most_common(1)[0][0]

    body: list[Line] = []
    notes: list[tuple[int, list[Line]]] = []  # (page, lines)
    for lines, rules, height in laid:
        kept = [l for l in lines if id(l) not in drop and l.text]
        foot = footnote_lines(kept, rules, height, body_size)
        ids = {id(l) for l in foot}
        body += [l for l in kept if id(l) not in ids]
        if foot:
            notes.append((foot[0].page, foot))
    if not body:
        raise InputError(path, 1, "a PDF with no text outside its running headers and footers")

    # geometry of the body text: the right margin, the line pitch of a paragraph
    long_edges = sorted(l.x1 for l in body if l.size == body_size)
    right = long_edges[int(len(long_edges) * 0.95)] if long_edges else max(l.x1 for l in body)
    gaps = [b.top - a.top for a, b in zip(body, body[1:]) if a.page == b.page and 0 < b.top - a.top < body_size * 2]
    pitch = statistics.median(gaps) if gaps else body_size * 1.2

    toc = heading_patterns("toc")
    patterns = toc + heading_patterns("annex")
    title_end = next((k for k, l in enumerate(body) if l.bold and (CHAPTER.match(l.text)
                                                                  or any(p.search(l.text) for p in patterns))),
                     len(body))
    body = (columns(body[:title_end]) if title_end else []) + tables(body[title_end:], pitch)
    footnotes = footnote_blocks(notes)
    families = Counter(l.family for l in body if l.size == body_size)
    body_family = families.most_common(1)[0][0] if families else ""
    full_lines = sum(1 for l in body if l.x1 >= right - 3)
    justified = full_lines >= 0.4 * len(body)  # most lines reach the right margin: the text is justified
    blocks: list[list[Line]] = []
    for k, line in enumerate(body):
        previous = body[k - 1] if k else None
        new = previous is None or k == title_end
        if not new:
            same_page = line.page == previous.page
            gap = line.top - previous.top if same_page else 0.0
            new = gap > pitch * 1.3 * max(1.0, line.size / body_size) or \
                line.kind(body_family) != previous.kind(body_family) or (same_page and line.top < previous.top - 1)
            if k > title_end and not new:
                full = previous.x1 >= right - max(6.0, (right - previous.x0) * 0.02)
                # a paragraph ends where the next line's first word would have fitted on its last line, or,
                # in justified text, where a line stops short of the right margin; across a page break, where
                # the page does not end on a full line (a paragraph run on is joined again by the reader)
                fits = previous.x1 + line.first_word + previous.size * 0.3 < right - 1
                if same_page:
                    ended = not full if justified else fits
                else:  # ragged text runs on onto the next page where its sentence was cut off
                    ended = not full if justified else bool(SENTENCE_END.search(previous.text))
                numbered = bool(NUMBER_ALONE.match(line.segments[0]) and len(line.segments) > 1) or \
                    bool(re.match(r"^\d{1,4}\.\s", line.text) and line.x0 < previous.x0 - 2)
                labelled = not same_page and bool(LABELLED.match(line.text))
                new = ended or numbered or labelled or (line.size != previous.size and
                                                        (line.size > body_size * 1.05 or gap > pitch))
        if line.table is not None or (previous is not None and previous.table is not None):
            new = True
        if new:
            blocks.append([line])
        else:
            blocks[-1].append(line)

    out: list[tuple[str, str]] = []  # (Markdown block, the pages it was read from)
    state = "title"
    written = 0  # footnotes are written after the paragraph their page ends in, once the report's text began
    text_started = False
    for index, block in enumerate(blocks):
        caption = " ".join(l.text for l in block)
        if title_end < len(body) and block[0] is body[title_end]:
            state = "text"
        if state == "toc" and heading(block, body_family, right) and (
                CHAPTER.match(caption) or any(p.search(caption) for p in patterns)):
            state = "text"  # the table of contents ends at the first chapter or annex heading
        if block[0].table is not None and state != "title":
            out.append((block[0].table, pages_of(block)))
        elif state == "title":
            out.append((title_block(block), pages_of(block)))
        elif state == "toc":
            out.append((" ".join(l.text for l in block), pages_of(block)))
        elif heading(block, body_family, right):
            if any(p.search(caption) for p in toc):
                state = "toc"
            level = 2 if re.match(r"^[IVXLC]+\.\s", caption) else 3 if re.match(r"^[A-Z]\.\s", caption) else 4
            out.append(("#" * level + " " + " ".join(l.text for l in block), pages_of(block)))
        else:
            markdown = ""
            for line in block:
                markdown = join(markdown, line_markdown(line))
            out.append((markdown, pages_of(block)))
            text_started = text_started or bool(re.match(r"^\d{1,4}\.\s", markdown))
        next_page = blocks[index + 1][0].page if index + 1 < len(blocks) else len(laid) + 1
        while text_started and written < len(footnotes) and footnotes[written][0] < next_page:
            out.append((footnotes[written][1], f"page {footnotes[written][0]}"))
            written += 1
    out += [(text, f"page {page}") for page, text in footnotes[written:]]
    return "\n\n".join(text for text, _ in out) + "\n", where(out)


def columns(lines: list[Line]) -> list[Line]:
    """Lines of the title block in reading order: where two columns stand side by side (a masthead: the
    Organization and the commission on the left, the distribution, symbol and date on the right), the left
    column, then the right one, then what follows below them."""
    out: list[Line] = []
    i = 0
    while i < len(lines):
        row = [l for l in lines[i:i + 4] if l.page == lines[i].page and abs(l.top - lines[i].top) < 2.5]
        if len(row) < 2:
            out.append(lines[i])
            i += 1
            continue
        split = sorted(l.x0 for l in row)[1] - 2  # where the right column starts
        end = i  # the region: up to a line across the page
        while end < len(lines) and lines[end].page == row[0].page and (lines[end].x0 >= split
                                                                       or lines[end].x1 < split):
            end += 1
        right = [l for l in lines[i:end] if l.x0 >= split]
        bottom = max(l.top for l in right) + 1.5 * max(l.size for l in right)
        left = [l for l in lines[i:end] if l.x0 < split and l.top <= bottom]
        below = [l for l in lines[i:end] if l.x0 < split and l.top > bottom]
        out += left + right + below
        i = end
    return out


def tables(lines: list[Line], pitch: float) -> list[Line]:
    """`lines` with each table (rows of cells side by side, a row's empty cells left out by the layout) replaced
    by one line that stands for its Markdown: the first row as the header, each cell in the column its left
    edge is nearest to."""
    out: list[Line] = []
    i = 0

    def row_at(k: int) -> list[Line]:
        return [l for l in lines[k:k + 8] if l.page == lines[k].page and abs(l.top - lines[k].top) < 2.5]

    while i < len(lines):
        row = row_at(i)
        if len(row) < 2:
            out.append(lines[i])
            i += 1
            continue
        starts = sorted(l.x0 for l in row)
        rows = [sorted(row, key=lambda l: l.x0)]
        j = i + len(row)
        while j < len(lines):
            nxt = row_at(j)
            if nxt[0].page != rows[-1][0].page or nxt[0].top - rows[-1][0].top > 2.5 * pitch:
                break
            if len(nxt) < 2 and not any(abs(nxt[0].x0 - x) < 3 for x in starts[1:]):
                break  # one cell in the first column, or text across the page: the table has ended
            rows.append(sorted(nxt, key=lambda l: l.x0))
            j += len(nxt)
        cells_of = []
        for cells in rows:
            texts = [""] * len(starts)
            for cell in cells:
                column = min(range(len(starts)), key=lambda c: abs(starts[c] - cell.x0))
                texts[column] = (texts[column] + " " + render(cell.pieces, False).strip().replace("**", "")).strip()
            cells_of.append(["\\|".join(t.split("|")) for t in texts])
        markdown = ["| " + " | ".join(cells_of[0]) + " |", "|" + "---|" * len(starts)]
        markdown += ["| " + " | ".join(c for c in cells) + " |" if any(cells) else "" for cells in cells_of[1:]]
        first = rows[0][0]
        out.append(Line(first.page, min(l.x0 for r in rows for l in r), max(l.x1 for r in rows for l in r),
                        first.top, first.size, [Piece(" ".join(" ".join(c) for c in cells_of))],
                        [first.text], first.first_word, first.family,
                        "\n".join(m.replace("|  |", "| |") for m in markdown if m)))
        i = j
    return out


def pages_of(block: list[Line]) -> str:
    first, last = block[0].page, block[-1].page
    return f"page {first}" if first == last else f"pages {first}-{last}"


def where(blocks: list[tuple[str, str]]) -> list[str]:
    """For each line of the blocks joined by blank lines, the pages its block was read from."""
    out: list[str] = []
    for text, pages in blocks:
        if out:
            out.append(pages)  # the blank line before the block
        out += [pages] * (text.count("\n") + 1)
    return out


def heading(block: list[Line], body_family: str, right: float) -> bool:
    """A block set apart as a heading: at most three lines in bold, or, on one line that stops short of the
    margin, in italics or another typeface; never a sentence ending in a full stop or a colon."""
    kind = block[0].kind(body_family)
    caption = " ".join(l.text for l in block)
    if not kind or re.search(r"[.:;,]$", caption) or len(caption) > 200:
        return False
    return len(block) <= 3 if kind == "bold" else len(block) == 1 and block[0].x1 < right - 20


def footnote_blocks(notes: list[tuple[int, list[Line]]]) -> list[tuple[int, str]]:
    """The footnotes as `<sup>n</sup> text` blocks, each with the page it starts on; a footnote line that does
    not start with a number continues the footnote before it (also from the page before)."""
    out: list[list] = []  # [page, number, markdown, x of the number]
    for page, lines in notes:
        for line in lines:
            pieces = list(line.pieces)
            while pieces and not pieces[0].text.strip():
                pieces.pop(0)
            head = "".join(p.text for p in pieces[:6])
            m = re.match(r"^\s*(\d{1,4})(?!\d)", head)
            starts = m is not None and (pieces[0].superscript or not out or line.x0 <= out[-1][3] + 2
                                         or int(m.group(1)) == out[-1][1] + 1)
            if starts and out and int(m.group(1)) != out[-1][1] + 1 and line.x0 > out[-1][3] + 2:
                starts = False
            if starts:
                digits = len(m.group(1))
                rest, taken = [], 0
                for p in pieces:
                    if taken < digits:
                        keep = p.text.lstrip()[digits - taken:] if p.text.strip() else ""
                        taken += len(p.text.strip())
                        if keep:
                            rest.append(Piece(keep, p.italic, p.bold, False))
                        continue
                    rest.append(p)
                out.append([page, int(m.group(1)), render(rest, False).strip(), line.x0])
            elif out:
                out[-1][2] = join(out[-1][2], render(pieces, False).strip())
    return [(page, f"<sup>{number}</sup> {text}") for page, number, text, _ in out]


def title_block(block: list[Line]) -> str:
    """A title-block block: runs of bold lines as one `**…**` item, plain lines one per line (the reader joins
    them into an item, a masthead line such as a symbol or a date apart)."""
    out: list[str] = []
    bold_run: list[str] = []
    for line in block:
        if line.bold:
            bold_run.append(line.text)
            continue
        if bold_run:
            out.append("**" + " ".join(bold_run) + "**")
            bold_run = []
        out.append(render(line.pieces, keep_breaks=True).strip())
    if bold_run:
        out.append("**" + " ".join(bold_run) + "**")
    return "\n".join(out)
