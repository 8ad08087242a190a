"""`gcmkg build` validates what it converts and refuses to write a non-conforming graph unless told."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcmkg.cli import main

BUNDLED = Path(__file__).resolve().parents[1] / "graph" / "sources" / "ece-gcm-2024-review-fr.md"


@pytest.fixture()
def on_behalf_of_an_organisation(tmp_path: Path) -> Path:
    # Speaking "on behalf of" an organisation is not what a group statement is: the shapes say a state.
    text = BUNDLED.read_text(encoding="utf-8").replace(
        "Danemark, au nom de Chypre, de la France", "Danemark, au nom de l'OIM, de la France")
    path = tmp_path / "report-fr.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_non_conforming_graph_is_not_written(on_behalf_of_an_organisation: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["build", str(on_behalf_of_an_organisation), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "does not conform; nothing written" in err
    assert "session/2/contribution/DNK" in err
    assert not out.exists() or not any(out.iterdir())


def test_allow_invalid_writes_it_with_a_warning(on_behalf_of_an_organisation: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["build", str(on_behalf_of_an_organisation), "--out", str(out), "--allow-invalid"]) == 0
    assert "written anyway (--allow-invalid)" in capsys.readouterr().err
    assert (out / "report-fr.ttl").is_file()
