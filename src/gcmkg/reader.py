"""Read a review report (Markdown converted from a UN PDF) into a document tree.

The PDF leaves scars that are handled here, once, for every report of the series:
paragraphs split across page breaks (a block that does not start a numbered paragraph continues
the previous one), footnotes placed between paragraphs (`<sup>n</sup> text`) with their call-outs
inside paragraphs, headings whose level changes from section to section, and numbered paragraphs
written one per line without blank lines between them. Nothing is interpreted here: which heading
is a session, which line is a role, is the extractor's business.

Every pattern here runs in time linear in the length of its input, whatever the input: a pattern that
could scan ahead from each of many start positions (an unclosed `<sup>`, a `[` without its `](...)`) has an
alternative that consumes what can no longer match, so the next search starts after it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode

from .errors import InputError

# The heading's text is group 2 without its closing hashes (`heading_text`: a lazy group before `\s*#*\s*$`
# would try the whole tail at every character).
HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
# Any number of digits: a paragraph numbered 1000 is a paragraph, not the continuation of the one before.
NUMBERED = re.compile(r"^(\d+)\.\s+(\S.*)$")
FOOTNOTE = re.compile(r"^<sup>\s*(\d+)\s*</sup>\s*(.*)$")
# A number longer than this is not a paragraph or footnote number (and `int` refuses more than 4,300 digits).
MAX_DIGITS = 9
RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
# The second alternative of SUP, TAG, LINK and AUTOLINK matches where the first cannot: an opening that has no
# closing after it (so no later opening has either) is consumed whole and kept as it is.
SUP = re.compile(r"<sup>\s*(.*?)\s*</sup>|<sup>.*")
TAG = re.compile(r"</?(?:i|b|em|strong|u|span|br)\b[^>]*(>)?", re.IGNORECASE)
# A link target holds no `](`, which would start another link: every `](` is read as the target of one link.
LINK = re.compile(r"\[([^\]]*)\]\(((?:[^)\s\]]|\](?!\())*)\)|\[[^\]]*")
AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)(>)?")
# Emphasis: the text between two runs of the same markers, which holds no such run, so a search never reads
# past the next run (a search for the next run that can close, from each opening, is quadratic).
EMPHASIS = re.compile(r"(\*{1,3})(?=\S)((?:(?!\1).)+?)(?<=\S)\1")
UNDERSCORE_EMPHASIS = re.compile(r"(?<![\w\\])(_{1,2})(?=\S)((?:(?!\1).)+?)(?<=\S)\1(?!\w)")
# A decimal character reference of 8 digits or more is past U+10FFFF, so U+FFFD (HTML5); `html.unescape` would
# pass its digits to `int`, which refuses more than 4,300. Leading zeros are dropped first: they change nothing.
CHARREF_ZEROS = re.compile(r"&#0+(?=[0-9])")
CHARREF_TOO_LARGE = re.compile(r"&#[1-9][0-9]{7,}")
ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
# A web address in plain text, up to a space or a character no URL holds; a backslash is kept for `url`.
URL = re.compile(r"""\b(?:https?|ftp)://[^\s<>"{}|^`]+""", re.IGNORECASE)
# Markdown escapes left in an address, also doubled ("item%20202%20\\_EXCOM" from the PDF conversion): a
# backslash is never part of a URL (RFC 3986), so one before punctuation is an escape.
URL_ESCAPE = re.compile(r"\\+(?=[!-/:-@\[-`{-~])")
URL_TRAILING = ".,;:!?'\"»"
WHITESPACE = re.compile(r"\s+")
# A block after a page break continues the last unit unless that unit ended its sentence; a list
# broken after "Canada ;" has not ended, so ";" and ")" do not end a sentence here.
SENTENCE_END = re.compile(r"[.!?:»]\s*$")
# "Modératrice : ...", "*Organisateurs principaux* : ...": a labelled line always starts a new unit.
LABELLED = re.compile(r"^[*_]*[A-ZÀ-Ý][^:.;]{2,80}?(?:[*_]*\s?:|:[*_]+)(?:\s|$)")
# The end of a list that is complete: a capitalised last word ("Network on Migration") or a closing bracket.
LIST_COMPLETE = re.compile(r"(?:(?<![\w'’.-])[A-ZÀ-Ý][\w'’.-]*|\))\s*$")
# A line set in bold on its own, after the title block, where a heading should be ("**D. Fourth thematic
# session**"): the PDF conversion lost its heading mark. It is read as a heading; a bold sentence (ending in a
# full stop) is not.
# A masthead line of a UN document that is an item on its own even when the lines around it run on without a
# blank line: a document symbol ("E/ESCWA/GCM/2023/3"), a date ("24 avril 2023", "14 de junio de 2024") or a
# line in capitals ("GÉNÉRALE", "ORIGINAL : ANGLAIS").
MASTHEAD_LINE = re.compile(r"^(?:[A-Z][A-Z0-9.]*(?:/[A-Z0-9.]+)+|\d{1,2}\w{0,2}\s+(?:de\s+)?[^\W\d_]+\s+(?:de\s+)?\d{4}"
                           r"|(?=[^a-z\u00DF-\u00FF]*$)[^A-Z]*[A-Z].*)$")
# A list item's marker at the start of a line inside a paragraph ("- Organizers: ...", "• ..."); "*Moderator*" is
# emphasis, not a marker (no space after the star).
BULLET = re.compile(r"^(?:[-+•–]|\*(?=\s))\s+")
BOLD_HEADING = re.compile(r"^\*\*(?P<text>[^*]{2,120}?)\*\*$")


@dataclass(frozen=True)
class Line:
    number: int
    text: str


@dataclass
class Segment:
    """A sub-paragraph unit: the paragraph's opening text, a role line, or a continued block."""

    line: int
    markdown: str
    text: str


@dataclass
class Section:
    heading: str
    level: int
    line: int
    part: str  # "body" or "annex"
    index: int  # order of the heading in the report


@dataclass
class Paragraph:
    part: str  # "body", "annex" or "footnote"
    number: int
    line: int
    section: Section | None
    segments: list[Segment] = field(default_factory=list)
    footnote_calls: list[int] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)  # the web addresses (IRIs) it prints or links to, unescaped

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments if s.text)


@dataclass
class Document:
    path: Path
    lines: list[str]
    title_items: list[Line]
    toc: list[Line]
    sections: list[Section]
    paragraphs: list[Paragraph]  # body and annex paragraphs, in reading order
    footnotes: list[Paragraph]
    loose_text: list[Segment]  # text under a heading before any numbered paragraph

    def body(self) -> list[Paragraph]:
        return [p for p in self.paragraphs if p.part == "body"]

    def annex(self) -> list[Paragraph]:
        return [p for p in self.paragraphs if p.part == "annex"]


def decode(path: Path, data: bytes) -> str:
    """Bytes to text, refusing what is not a UTF-8 text file with the line where it breaks; the text is put
    in Unicode normal form C, so a report saved decomposed ("e" + U+0301) reads as one saved composed ("é")."""
    if not data.strip():
        raise InputError(path, 1, "the file is empty: expected the Markdown text of a review report")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputError(path, line, "this is a binary file, not Markdown text (it contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise InputError(
            path, line,
            f"not valid UTF-8 (byte 0x{data[err.start]:02x} at column {column}); "
            "save the report as UTF-8 and try again",
        ) from None
    return unicodedata.normalize("NFC", text)


def number(digits: str) -> int | None:
    """The value of a run of decimal digits (of any script, as `int` reads them), None if it is not one
    or has more than MAX_DIGITS digits. `str.isdigit` would admit "²" and "⑤", which `int` refuses."""
    return int(digits) if digits.isdecimal() and len(digits) <= MAX_DIGITS else None


def heading_text(markdown: str) -> str:
    """An ATX heading's text without the closing hashes and the spaces around them (`## Title ##`)."""
    return markdown.rstrip().rstrip("#").rstrip()


def unescape(text: str) -> str:
    """HTML character references to characters, as `html.unescape` does, on input of any length."""
    if "&#" in text:
        text = CHARREF_TOO_LARGE.sub("&#xFFFD", CHARREF_ZEROS.sub("&#", text))
    return html.unescape(text)


def is_iri(address: str) -> bool:
    """Whether an address is an IRI (RFC 3987) that RDF can name: "http://a%zz" or one with a control
    character is printed in the text, but is no web address the graph can point to."""
    try:
        NamedNode(address)
    except ValueError:
        return False
    return True


def url(text: str) -> str:
    """A web address without the Markdown escapes a conversion left in it; a stray backslash is encoded."""
    return URL_ESCAPE.sub("", text).replace("\\", "%5C")


def urls_in(text: str) -> list[str]:
    """The web addresses in plain text, unescaped, without the sentence's punctuation after them."""
    found: list[str] = []
    for match in URL.finditer(text):
        address = match.group(0).rstrip(URL_TRAILING)
        # A closing parenthesis the address does not open is the sentence's: drop it, and the punctuation
        # before it, as long as there are more closing than opening ones (counted once: linear time).
        excess = address.count(")") - address.count("(")
        end = len(address)
        while excess > 0 and end and address[end - 1] == ")":
            end, excess = end - 1, excess - 1
            while end and address[end - 1] in URL_TRAILING:
                end -= 1
        address = url(address[:end])
        if address not in found:
            found.append(address)
    return found


def plain(markdown: str, footnote_numbers: set[int] | frozenset[int] = frozenset(),
          calls: list[int] | None = None, urls: list[str] | None = None) -> str:
    """Markdown inline text to plain text; footnote call-outs are removed and recorded in `calls`, web
    addresses (link targets and addresses in the text) unescaped and recorded in `urls`."""

    def sup(match: re.Match[str]) -> str:
        content = match.group(1)
        if content is None:
            return match.group(0)
        call = number(content)
        if call is not None and call in footnote_numbers:
            if calls is not None:
                calls.append(call)
            return ""
        return content  # an ordinal such as 128<sup>e</sup> stays as "128e"

    # One space for any run of white space first (the result is the same): no pattern below meets a long run.
    text = SUP.sub(sup, WHITESPACE.sub(" ", markdown))
    text = TAG.sub(lambda m: "" if m.group(1) else m.group(0), text)
    targets: list[str] = []

    def link(match: re.Match[str]) -> str:
        if match.group(2) is None:
            return match.group(0)
        if URL.fullmatch(match.group(2)):
            targets.append(url(unescape(match.group(2))))
        return match.group(1) or match.group(2)

    text = LINK.sub(link, text)
    text = AUTOLINK.sub(lambda m: m.group(1) if m.group(2) else m.group(0), text)
    text = EMPHASIS.sub(r"\2", text)
    text = UNDERSCORE_EMPHASIS.sub(r"\2", text)
    text = ESCAPE.sub(r"\1", text)
    text = unescape(text)
    text = URL.sub(lambda m: url(m.group(0)), text)  # an address reads as it is, without escapes
    if urls is not None:
        for address in [*targets, *urls_in(text)]:
            if address not in urls and is_iri(address):
                urls.append(address)
    return WHITESPACE.sub(" ", text).strip()


def blocks(lines: list[str]) -> list[list[Line]]:
    """Group lines into blank-line separated blocks, keeping 1-based line numbers."""
    result: list[list[Line]] = []
    current: list[Line] = []
    for number, raw in enumerate(lines, start=1):
        if raw.strip():
            current.append(Line(number, raw.rstrip("\n")))
        elif current:
            result.append(current)
            current = []
    if current:
        result.append(current)
    return result


def complete_label_line(segment: Segment) -> bool:
    """Whether a unit is a labelled line ("Lead organizers: ILO and IOM") whose list is complete: it ends with a
    name or a closing bracket, not with a separator or a lower-case word ("... and", "... Network on"), so the
    block after it is a new unit, not the rest of its list broken by a page."""
    return bool(LABELLED.match(segment.markdown)) and bool(LIST_COMPLETE.search(segment.text))


def title_items(block: list[Line]) -> list[Line]:
    """Split a title-block block into items: a bold run is one item, consecutive plain lines another."""
    items: list[Line] = []
    buffer: list[Line] = []
    in_bold = False

    def flush() -> None:
        if buffer:
            items.append(Line(buffer[0].number, plain(" ".join(l.text.strip() for l in buffer))))
            buffer.clear()

    for line in block:
        stripped = line.text.strip()
        starts_bold = stripped.startswith("**")
        masthead = not in_bold and not starts_bold and MASTHEAD_LINE.match(plain(stripped))
        if not in_bold and (starts_bold or masthead):
            flush()
        buffer.append(line)
        if starts_bold and not in_bold:
            in_bold = not (stripped.endswith("**") and len(stripped) > 2)
        elif in_bold and stripped.endswith("**"):
            in_bold = False
        if not in_bold and (starts_bold or stripped.endswith("**") or masthead):
            flush()
    flush()
    return items


def read(path: Path, toc_heading: re.Pattern[str], annex_heading: re.Pattern[str],
         unit_start: list[re.Pattern[str]] | None = None) -> Document:
    """Parse one report; `toc_heading` and `annex_heading` come from the report language's lexicon, and so do
    the `unit_start` patterns: a block that starts so ("Interventions were made by ...") begins a new unit of
    its paragraph, as a labelled line does, instead of continuing the unit before it."""
    starts_unit = unit_start or []
    list_next: int | None = None  # the number the next item of a numbered list inside a paragraph would have

    def list_item(para: Paragraph, digits: str, expected: int | None) -> bool:
        """Whether a numbered line is an item of a list printed inside a paragraph ("The agenda was as follows:"
        then "1. Opening of the session." on its own line), not a new paragraph: a list starts at 1 right after a
        paragraph whose text ends with a colon, and goes on 2, 3, ..."""
        value = number(digits)
        if value is None or para.part == "footnote":
            return False
        if expected is not None:
            return value == expected
        return value == 1 and para.number > 1 and para.text.rstrip().endswith(":")
    text = decode(path, path.read_bytes())
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    all_blocks = blocks(lines)
    footnote_numbers = {n for b in all_blocks if (m := FOOTNOTE.match(b[0].text.strip()))
                        and (n := number(m.group(1))) is not None}

    title: list[Line] = []
    toc: list[Line] = []
    sections: list[Section] = []
    paragraphs: list[Paragraph] = []
    footnotes: list[Paragraph] = []
    loose: list[Segment] = []
    seen: dict[tuple[str, int], int] = {}
    part = "body"
    state = "title"  # title -> toc -> text
    current: Paragraph | None = None
    section: Section | None = None

    def start_paragraph(kind: str, digits: str, line: Line, rest: str) -> Paragraph:
        what = {"body": "paragraph", "annex": "annex paragraph", "footnote": "footnote"}[kind]
        value = number(digits)
        if value is None:
            raise InputError(path, line.number, f"{what} number {digits[:20]}{'...' if len(digits) > 20 else ''} "
                             f"has {len(digits)} digits: a {what} number has at most {MAX_DIGITS}")
        key = (kind, value)
        if key in seen:
            raise InputError(path, line.number,
                             f"duplicate {what} number {value} (already used on line {seen[key]})")
        seen[key] = line.number
        para = Paragraph(kind, value, line.number, section if kind != "footnote" else None)
        add_segment(para, line.number, rest, new=True)
        return para

    def add_segment(para: Paragraph, number: int, markdown: str, new: bool, wrap: bool = False) -> None:
        """`new`: always a new unit; `wrap`: a soft-wrapped line of the same block, always joined;
        otherwise a block after a blank line (often a page break) is joined to the last unit when
        that unit's sentence is unfinished, and starts a new unit (e.g. a role line) when it is."""
        calls: list[int] = []
        text = plain(markdown, footnote_numbers if para.part != "footnote" else frozenset(), calls, para.urls)
        for call in calls:
            if call not in para.footnote_calls:
                para.footnote_calls.append(call)
        if not new and para.segments and (wrap or not (SENTENCE_END.search(para.segments[-1].text)
                                                       or LABELLED.match(markdown)
                                                       or any(p.match(text) for p in starts_unit)
                                                       or complete_label_line(para.segments[-1]))):
            last = para.segments[-1]
            last.markdown += " " + markdown
            last.text = f"{last.text} {text}".strip()
        else:
            para.segments.append(Segment(number, markdown, text))

    for block in all_blocks:
        first = block[0].text.strip()
        if RULE.match(first) and len(block) == 1:
            continue
        heading = HEADING.match(first)
        bold = BOLD_HEADING.match(first) if state == "text" and len(block) == 1 else None
        if bold and bold.group("text").rstrip().endswith("."):
            bold = None
        if heading or bold:
            level = len(heading.group(1)) if heading else 6
            caption = plain(heading_text(heading.group(2))) if heading else plain(bold.group("text"))
            if toc_heading.search(caption):
                state = "toc"
                toc.extend(block[1:])
                continue
            state = "text"
            if annex_heading.search(caption):
                part = "annex"
            section = Section(caption, level, block[0].number, part, len(sections))
            sections.append(section)
            current = None
            rest = block[1:]
            if not rest:
                continue
            block = rest
            first = block[0].text.strip()
        if state == "title":
            for item in title_items(block):
                if item.text:
                    title.append(item)
            continue
        if state == "toc":
            toc.extend(block)
            continue
        footnote = FOOTNOTE.match(first)
        if footnote:
            para = start_paragraph("footnote", footnote.group(1), block[0], footnote.group(2))
            for line in block[1:]:
                add_segment(para, line.number, line.text.strip(), new=False, wrap=True)
            footnotes.append(para)
            continue  # a footnote never ends the paragraph it interrupts
        new_block = True
        for line in block:
            stripped = line.text.strip()
            numbered = NUMBERED.match(stripped)
            if numbered and current is not None and list_item(current, numbered.group(1), list_next):
                add_segment(current, line.number, stripped, new=True)  # "1. Election of officers." in paragraph 10
                list_next = int(numbered.group(1)) + 1
            elif numbered:
                current = start_paragraph(part, numbered.group(1), line, numbered.group(2))
                paragraphs.append(current)
                list_next = None
            elif current is not None:
                item = BULLET.match(stripped)
                if item:
                    stripped = stripped[item.end():]
                # a bullet or a labelled line ("Moderator: ...") starts a unit even inside a block
                starts = bool(item) or bool(LABELLED.match(stripped)) or any(p.match(plain(stripped)) for p in starts_unit)
                add_segment(current, line.number, stripped, new=not new_block and starts, wrap=not new_block and not starts)
            else:
                loose.append(Segment(line.number, stripped, plain(stripped, footnote_numbers)))
            new_block = False
    return Document(path, lines, title, toc, sections, paragraphs, footnotes, loose)

