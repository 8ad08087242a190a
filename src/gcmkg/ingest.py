"""The front step: a report file as the UN publishes it (PDF, Word) or as Markdown, to the Markdown `reader` reads.

The format is told by the content, not the name: `%PDF-` near the start is a PDF, a ZIP holding
`word/document.xml` a Word document, anything else is read as UTF-8 text (Markdown). A Word file goes through
`word`, a PDF through `pdf`; each gives the same kind of Markdown the bundled reports are written in, so the
reader, the extractor and the rest are the same for every format.

The result is a `Source`: a path that is the original file (its name, its stem, what messages name) but whose
`read_bytes` gives the Markdown, plus what the graph records of the file it came from (format, media type,
SHA-256).
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from .errors import InputError, Problem

MEDIA_TYPES = {
    "markdown": "text/markdown",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
NAMES = {"markdown": "Markdown", "docx": "Word (.docx)", "pdf": "PDF"}
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a legacy binary Office file (.doc)


@dataclass(frozen=True)
class Origin:
    """What the graph records of the file a report was read from."""

    name: str
    format: str  # "markdown", "docx" or "pdf"
    sha256: str

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]

    @property
    def format_name(self) -> str:
        return NAMES[self.format]

    @property
    def ni(self) -> str:
        """The file named by its content (RFC 6920): its SHA-256 in base64url, its media type as `ct`."""
        digest = base64.urlsafe_b64encode(bytes.fromhex(self.sha256)).decode("ascii").rstrip("=")
        return f"ni:///sha-256;{digest}?ct={self.media_type}"


def sniff(path: Path, data: bytes) -> str:
    """The format of a file by its content: "pdf", "docx" or "markdown" (InputError for other binary formats)."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            if path.suffix.lower() in (".docx", ".docm", ".dotx"):
                return "docx"  # a Word file cut short: `word` says so
            raise InputError(path, 1, "a damaged ZIP archive, not a report: expected a PDF, a Word (.docx) "
                                      "or a Markdown file") from None
        if "word/document.xml" in names:
            return "docx"
        raise InputError(path, 1, "a ZIP archive that is not a Word document (no word/document.xml): "
                                  "expected a PDF, a Word (.docx) or a Markdown file")
    if data.startswith(OLE):
        raise InputError(path, 1, "a legacy binary Word or Office file (.doc): save it as .docx or PDF and try again")
    return "markdown"


@dataclass(frozen=True)
class Located(Problem):
    """A problem in a PDF, said by page ("report.pdf, page 3: ..."): a line of the Markdown read from it means
    nothing to whoever has the PDF."""

    where: str = ""

    def __str__(self) -> str:
        return f"{self.file}, {self.where}: {self.message}"


class Source(type(Path())):
    """The report's own path (name, stem and messages are the file's), reading as its Markdown text."""

    markdown: bytes | None = None
    origin: Origin | None = None
    where: list[str] | None = None  # for each line of the Markdown, where it is in the file ("page 3")

    def locate(self, problem: Problem) -> Problem:
        """`problem`, which names a line of the Markdown, said by where that line is in the file read."""
        if not self.where or problem.file != str(self):
            return problem
        place = self.where[min(max(problem.line, 1), len(self.where)) - 1]
        return Located(problem.file, problem.line, problem.message, place)

    def read_bytes(self) -> bytes:
        return self.markdown if self.markdown is not None else super().read_bytes()

    def read_text(self, encoding: str | None = None, errors: str | None = None) -> str:
        return self.read_bytes().decode(encoding or "utf-8", errors or "strict")


def ingest(path: Path) -> Source:
    """`path` read, its format told by content and converted to Markdown if it is a PDF or a Word file."""
    data = Path(path).read_bytes()
    fmt = sniff(Path(path), data)
    where = None
    if fmt == "pdf":
        from . import pdf
        text, where = pdf.to_markdown(Path(path), data)
        markdown = text.encode("utf-8")
    elif fmt == "docx":
        from . import word
        markdown = word.to_markdown(Path(path), data).encode("utf-8")
    else:
        markdown = data
    source = Source(path)
    source.markdown = markdown
    source.where = where
    source.origin = Origin(Path(path).name, fmt, hashlib.sha256(data).hexdigest())
    return source
