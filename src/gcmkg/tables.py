"""Tables for people (`--format table`): fitted to the terminal, sorted as the language sorts, numbers right.

CSV, TSV and JSON stay exact and in the query's own order; only the table is for reading:
- its width is the terminal's (`COLUMNS`, else the terminal, else 80): the widest columns give way first, and a
  cut cell ends with "…"; `--full` keeps every cell whole;
- rows are put in the order of the query's `ORDER BY` variables compared as a reader of the language expects:
  case and accents second (`Bélarus` before `Bosnie`, `États-Unis` among the E), numbers as numbers; rows that
  tie on the keys the answer shows keep the query's order. A query whose ORDER BY holds anything else than
  variables (an expression) keeps its rows as they come.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections.abc import Sequence

from rdflib import Literal, URIRef
from rdflib.term import Identifier as Term

from .iris import PREFIXES

MIN_WIDTH = 8  # a column is not cut narrower than this (nor than its header)
NUMBERS = {"integer", "decimal", "double", "float", "positiveInteger", "nonNegativeInteger", "int", "long"}


def terminal_width() -> int:
    return shutil.get_terminal_size((80, 24)).columns


def cell(term: Term | None) -> str:
    """A readable cell: IRIs shortened with the project prefixes, spaces collapsed."""
    if term is None:
        return ""
    text = str(term)
    if isinstance(term, URIRef):
        for prefix, namespace in PREFIXES.items():
            if text.startswith(str(namespace)) and len(text) > len(str(namespace)):
                return f"{prefix}:{text[len(str(namespace)):]}"
    return " ".join(text.split())


def is_number(term: Term | None) -> bool:
    return isinstance(term, Literal) and term.datatype is not None and \
        str(term.datatype).rsplit("#", 1)[-1] in NUMBERS


def collation_key(term: Term | None) -> tuple:
    """How a reader orders values: numbers by value; text by its letters, then accents, then case."""
    if term is None:
        return (0,)
    if is_number(term):
        try:
            return (1, float(term), "")
        except ValueError:
            pass
    text = str(term)
    decomposed = unicodedata.normalize("NFKD", text)
    base = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return (2, base, decomposed.casefold(), text)


def order_variables(query: str) -> list[tuple[str, bool]] | None:
    """The variables of the query's final ORDER BY, each with True for DESC; None when it orders by anything
    else than plain variables, [] when it has none."""
    body = re.sub(r"#[^\n]*", "", query)
    found = list(re.finditer(r"\bORDER\s+BY\b", body, re.IGNORECASE))
    if not found:
        return []
    clause = re.split(r"\b(?:LIMIT|OFFSET|VALUES)\b", body[found[-1].end():], flags=re.IGNORECASE)[0].strip()
    out = []
    for token in re.finditer(r"(ASC|DESC)\s*\(\s*\?(\w+)\s*\)|\?(\w+)|(\S+)", clause, re.IGNORECASE):
        if token.group(4):
            return None
        if token.group(2):
            out.append((token.group(2), token.group(1).upper() == "DESC"))
        else:
            out.append((token.group(3), False))
    return out


def collated(names: Sequence[str], rows: list[tuple], query: str) -> list[tuple]:
    """The rows in the order of the query's ORDER BY, compared with `collation_key` (stable)."""
    order = order_variables(query) or []
    shown = []
    for name, descending in order:  # the keys the answer shows, up to the first it does not: rows that tie on
        if name not in names:       # them keep the query's own order (the sort is stable)
            break
        shown.append((name, descending))
    for name, descending in reversed(shown):
        i = names.index(name)
        rows = sorted(rows, key=lambda row: collation_key(row[i]), reverse=descending)
    return rows


def widths_for(natural: list[int], header: list[str], room: int) -> list[int]:
    """Column widths within `room` characters (two between columns): the widest gives way first."""
    widths = list(natural)
    floor = [min(w, max(len(h), MIN_WIDTH)) for w, h in zip(widths, header)]
    while sum(widths) + 2 * (len(widths) - 1) > room:
        candidates = [i for i, w in enumerate(widths) if w > floor[i]]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: widths[i])
        widths[widest] -= 1
    return widths


def cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def table(header: list[str], rows: list[list[str]], numeric: list[bool] | None = None,
          width: int | None = None) -> str:
    """Rows under a header, numbers right-aligned, within `width` characters (None: every cell whole)."""
    natural = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]
    widths = natural if width is None else widths_for(natural, header, width)
    numeric = numeric or [False] * len(header)

    def line(cells: list[str]) -> str:
        return "  ".join(cut(c, w).rjust(w) if n else cut(c, w).ljust(w)
                         for c, w, n in zip(cells, widths, numeric)).rstrip()

    out = [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]
    return "\n".join(out) + "\n"


def render(names: list[str], answer: list[tuple], query: str, full: bool = False) -> str:
    """The answer as a table for people (see the module docstring), with its row count."""
    answer = collated(names, answer, query)
    rows = [[cell(v) for v in row] for row in answer]
    numeric = [bool(answer) and all(v is None or is_number(v) for v in (row[i] for row in answer))
               for i in range(len(names))]
    count = f"({len(rows)} row{'' if len(rows) == 1 else 's'})\n"
    return table(names, rows, numeric, None if full else terminal_width()) + count
