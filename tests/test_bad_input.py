"""Broken reports: a clear message naming file and line, exit 2, nothing written; recoverable ones warn."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcmkg.cli import main

INVALID = Path(__file__).resolve().parent / "data" / "invalid"
BUNDLED = Path(__file__).resolve().parents[1] / "graph" / "sources" / "ece-gcm-2024-review-fr.md"

UNUSABLE = [
    ("empty.md", 1, "the file is empty"),
    ("not-a-report.md", 1, "not a GCM review report"),
    ("binary.md", 1, "binary file"),
    ("latin1.md", 7, "not valid UTF-8"),
    ("session-without-objectives.md", 65, "thematic session 1 ('A. Première séance') names no objectives"),
    ("objective-out-of-range.md", 65, "objective 24 does not exist"),
    ("duplicate-paragraph-numbers.md", 51, "duplicate paragraph number 9 (already used on line 49)"),
]


@pytest.mark.parametrize("name,line,message", UNUSABLE, ids=[u[0] for u in UNUSABLE])
def test_unusable_input_exits_2_with_file_and_line_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, line: int, message: str) -> None:
    out = tmp_path / "out"
    code = main(["build", str(INVALID / name), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{INVALID / name}:{line}: " in err
    assert message in err
    assert "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())


def test_one_bad_report_among_good_ones_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code = main(["build", str(BUNDLED), str(INVALID / "objective-out-of-range.md"), "--out", str(out)])
    assert code == 2
    assert not out.exists() or not any(out.iterdir())


def test_role_line_without_names_is_a_warning_and_the_rest_is_converted(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["build", str(INVALID / "role-without-names.md"), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 0
    assert f"{INVALID / 'role-without-names.md'}:69: role line 'Modératrice' names nobody" in err
    text = (tmp_path / "role-without-names.ttl").read_text(encoding="utf-8")
    assert "session/1/contribution/DEU" in text  # the session's other roles are still there
    assert "session/1/moderating/" not in text


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", str(tmp_path / "nope.md"), "--out", str(tmp_path)]) == 2
    assert "nope.md: no such file" in capsys.readouterr().err


def test_unknown_name_is_kept_as_unresolved_actor_with_closest_names(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.md"
    text = BUNDLED.read_text(encoding="utf-8").replace("Solidarity Center ;", "Solidarity Centre of Atlantis ;")
    report.write_text(text, encoding="utf-8")
    assert main(["build", str(report), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "report.md:71: unresolved name 'Solidarity Centre of Atlantis'" in err
    assert "closest known names: Solidarity Center" in err
    graph = (tmp_path / "out" / "report.ttl").read_text(encoding="utf-8")
    assert "id/unresolved/solidarity-centre-of-atlantis" in graph
    assert '"Solidarity Centre of Atlantis"@fr' in graph
