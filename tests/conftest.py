"""Fixtures shared by several test modules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gcmkg.convert import Converted, convert

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def convert_variant(tmp_path: Path) -> Callable[..., Converted]:
    """`convert_variant(report, (old, new), ...)`: convert a copy of `report` with each `old` text replaced by
    `new`, so a test states one wording other reports of the series use. Each `old` must occur in the report:
    a replacement that silently matches nothing would test the unchanged report."""

    def write_and_convert(report: Path, *replacements: tuple[str, str]) -> Converted:
        text = report.read_text(encoding="utf-8")
        for old, new in replacements:
            assert old in text, old
            text = text.replace(old, new)
        # The copy keeps the report's language suffix (-fr, -en), as every report of the series is named.
        path = tmp_path / f"variant-{report.stem.rsplit('-', 1)[-1]}.md"
        path.write_text(text, encoding="utf-8")
        return convert(path, ROOT)

    return write_and_convert
