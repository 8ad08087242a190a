"""The rules every request gcmkg makes follows, in one place.

- Requests go only to the origin (scheme, host, port) the user named: a redirect elsewhere is refused, so the
  credentials of `GCMKG_ENDPOINT_USER`/`GCMKG_ENDPOINT_PASSWORD` and the query never reach a server the user did
  not name (urllib resends every header, Authorization included, to wherever a 301/302/303/307 points).
- Every request has a total deadline, not only a timeout per read: a server that trickles one byte at a time
  is stopped when the deadline passes.
- What is read from a server is capped in size.
- Text a server or a file sends is printed without its control characters (no terminal escapes).
"""

from __future__ import annotations

import os
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")

#: The most gcmkg reads from a server in one answer (a SPARQL result, a count): a larger one is an error.
#: $GCMKG_MAX_ANSWER_BYTES overrides it.
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
MAX_BYTES_VARIABLE = "GCMKG_MAX_ANSWER_BYTES"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class RedirectRefused(urllib.error.URLError):
    """A server sent the request to another origin."""

    def __init__(self, origin: str, target: str) -> None:
        super().__init__(f"redirected from {origin} to {target}, another origin: refused (credentials and queries "
                         "go only to the server named; give the final URL)")


class DeadlineExceeded(TimeoutError):
    """The whole exchange took longer than its deadline."""


class TooLarge(ValueError):
    """A server's answer is larger than the cap."""


def origin(url: str) -> str:
    """scheme://host:port of a URL, with no user, password, path or query (safe to print)."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    return f"{parts.scheme}://{parts.hostname}:{port}"


class SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only within the origin of the request."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201, PLR0913 - urllib's API
        if origin(newurl) != origin(req.full_url):
            raise RedirectRefused(origin(req.full_url), origin(newurl))
        return super().redirect_request(req, fp, code, msg, headers, newurl)


#: The opener of every request gcmkg makes (installed as urllib's default, which SPARQLWrapper uses).
OPENER = urllib.request.build_opener(SameOriginRedirects())
urllib.request.install_opener(OPENER)


def within(deadline: float | None, work: Callable[[], T]) -> T:
    """`work()` if it finishes within `deadline` seconds, else DeadlineExceeded (the work is left to die with the
    process: neither urllib nor pyoxigraph can be interrupted from outside). Ctrl-C interrupts the wait."""
    if deadline is None:
        return work()
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as err:  # noqa: BLE001 - handed to the waiting thread
            outcome["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(deadline)
    if thread.is_alive():
        raise DeadlineExceeded(f"no complete answer within {deadline:g} s (--timeout)")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def max_bytes() -> int:
    """The cap on an answer's size: $GCMKG_MAX_ANSWER_BYTES when it is a positive integer, else the default."""
    try:
        value = int(os.environ.get(MAX_BYTES_VARIABLE, ""))
    except ValueError:
        return DEFAULT_MAX_BYTES
    return value if value > 0 else DEFAULT_MAX_BYTES


def read_capped(response, limit: int | None = None) -> bytes:  # noqa: ANN001 - an HTTP response
    """The body of a response, or TooLarge once more than `limit` (default: `max_bytes()`) have come."""
    max_bytes_ = limit or max_bytes()
    chunks, size = [], 0
    while chunk := response.read(1 << 16):
        size += len(chunk)
        if size > max_bytes_:
            raise TooLarge(f"the answer is larger than {max_bytes_:,} bytes (${MAX_BYTES_VARIABLE}; or ask for "
                           "less, e.g. with LIMIT)")
        chunks.append(chunk)
    return b"".join(chunks)


def printable(text: str) -> str:
    """`text` without control characters (terminal escapes, bidirectional overrides), safe to print."""
    return _CONTROL.sub("", text)


# SPARQL's lexical tokens, enough to find the SERVICE keyword where it is one: comments, strings (four quotings)
# and IRIs are skipped whole, so a SERVICE inside them is not the keyword, nor is ?service or ex:SERVICE. Every
# alternative consumes what the others cannot, so the scan is linear in the query's length.
_TOKEN = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<word>[?$]?[^\W\d][\w\-.\u00b7]*(?::[\w\-.:%\u00b7]*)?|:[\w\-.:%\u00b7]*)
  | (?P<other>\S)
""", re.VERBOSE | re.DOTALL)


def services(query: str) -> list[str]:
    """The endpoints a SPARQL query names with SERVICE: each an IRI, or the variable or prefixed name written
    (which cannot be checked before the query runs)."""
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(query) if m.lastgroup != "comment"]
    found = []
    for i, (kind, text) in enumerate(tokens):
        if kind == "word" and text.upper() == "SERVICE":
            rest = tokens[i + 1:i + 3]
            if rest and rest[0][0] == "word" and rest[0][1].upper() == "SILENT":
                rest = rest[1:]
            found.append(rest[0][1].strip("<>") if rest else "")
    return found


def refuse_services(query: str, allowed: list[str]) -> None:
    """ServiceRefused unless every SERVICE of the query names an endpoint in `allowed` (full IRIs)."""
    for target in services(query):
        if target not in allowed:
            hint = ("add --allow-service " + target) if target.startswith(("http://", "https://")) else \
                "write the endpoint's full IRI after SERVICE and name it with --allow-service"
            raise ServiceRefused(f"the query calls SERVICE {target or '(nothing)'}: an embedded store makes no request "
                                 f"but to the endpoints you allow ({hint})")


class ServiceRefused(ValueError):
    """A query would make the embedded store call a remote endpoint the user did not allow."""


def accept_ranges(accept: str | None) -> list[tuple[str, float]]:
    """The media ranges of an HTTP Accept header with their q-values, in the client's order (a q that is no
    number counts as 0, as if refused)."""
    ranges: list[tuple[str, float]] = []
    for part in (accept or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        ranges.append((fields[0].lower(), q))
    return ranges
