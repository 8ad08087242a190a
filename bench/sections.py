"""The one way a benchmark writes its results: its own marked section of bench/RESULTS.md, replaced on each run
and appended the first time, so that several benchmarks share the file without touching each other's numbers."""

from __future__ import annotations

from pathlib import Path


def replace_section(out: Path, begin: str, end: str, section: str) -> None:
    """Write `section` (which starts with `begin` and ends with `end` and a newline) in place of the one between
    those markers in `out`, or at its end."""
    current = out.read_text(encoding="utf-8") if out.is_file() else ""
    if begin in current and end in current:
        current = current[:current.index(begin)] + section + current[current.index(end) + len(end) + 1:]
    else:
        current = current.rstrip("\n") + "\n\n" + section
    out.write_text(current, encoding="utf-8")
