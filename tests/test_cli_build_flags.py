"""`gcmkg build --reasoner` and `--jobs`: real builds, flags over the environment, usage errors.

Both reasoners and any number of workers must give the same bytes (the build is reproducible whatever the
machine), so each flag is tested by building twice into temporary folders and comparing every file written.
The usage errors run `gcmkg` as its own process, so the exit code and stderr are what a user sees.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gcmkg import build as build_module
from gcmkg import cli

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "graph" / "sources" / "ece-gcm-2024-review-fr.md"
TWO_REPORTS = [ROOT / "tests" / "data" / "reports" / name
               for name in ("ece-gcm-2022-review-fr.md", "escap-gcm-2025-review-fr.md")]


@pytest.fixture(autouse=True)
def project(monkeypatch: pytest.MonkeyPatch) -> None:
    """Build against this checkout, with neither variable set unless a test sets it."""
    monkeypatch.setenv("GCMKG_HOME", str(ROOT))
    monkeypatch.delenv("GCMKG_REASONER", raising=False)
    monkeypatch.delenv("GCMKG_JOBS", raising=False)


def files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def built(out: Path, *argv: str) -> dict[str, bytes]:
    assert cli.main(["build", "-q", "-o", str(out), *argv]) == 0
    return files(out)


def test_owlrl_and_rules_give_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An unknown $GCMKG_REASONER would stop the build (see below): passing shows the flag overrides it.
    monkeypatch.setenv("GCMKG_REASONER", "bogus")
    owlrl = built(tmp_path / "owlrl", "--reasoner", "owlrl", str(BUNDLED))
    rules = built(tmp_path / "rules", "--reasoner", "rules", str(BUNDLED))
    assert "ece-gcm-2024-review-fr-inferred.ttl" in owlrl
    assert len(owlrl["ece-gcm-2024-review-fr-inferred.ttl"]) > 1000  # the entailments, not an empty graph
    assert owlrl == rules


def test_two_workers_give_the_same_bytes_as_one(tmp_path: Path) -> None:
    one = built(tmp_path / "one", "--jobs", "1", *map(str, TWO_REPORTS))
    two = built(tmp_path / "two", "--jobs", "2", *map(str, TWO_REPORTS))
    assert {f"{p.stem}.ttl" for p in TWO_REPORTS} <= set(one)
    assert one == two


def test_the_flags_override_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def record(reports: list[Path], out: Path | None, **options: object) -> list:
        seen.update(options)
        return []

    monkeypatch.setattr(build_module, "build", record)  # cli imports build() when the command runs
    monkeypatch.setenv("GCMKG_JOBS", "3")
    monkeypatch.setenv("GCMKG_REASONER", "rules")
    assert cli.main(["build", "-q", "-o", str(tmp_path), "--jobs", "2", "--reasoner", "owlrl"]) == 0
    assert (seen["jobs"], seen["reasoner"]) == (2, "owlrl")
    assert cli.main(["build", "-q", "-o", str(tmp_path)]) == 0  # no flag: build() reads the environment
    assert (seen["jobs"], seen["reasoner"]) == (None, None)


def gcmkg(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gcmkg.cli", *argv], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "GCMKG_HOME": str(ROOT), **(env or {})}, check=False)


@pytest.mark.parametrize(("argv", "message"), [
    (["--jobs", "0"], "gcmkg build: error: argument --jobs: '0' is not a positive number of worker processes"),
    (["--jobs", "abc"], "gcmkg build: error: argument --jobs: 'abc' is not a positive number of worker processes"),
    (["--jobs", "-2"], "gcmkg build: error: argument --jobs: '-2' is not a positive number of worker processes"),
    # how argparse quotes the choices after this varies with the Python version
    (["--reasoner", "hermit"], "gcmkg build: error: argument --reasoner: invalid choice: 'hermit'"),
], ids=["jobs-0", "jobs-abc", "jobs-negative", "unknown-reasoner"])
def test_bad_flag_values_are_usage_errors(tmp_path: Path, argv: list[str], message: str) -> None:
    done = gcmkg("build", "-o", str(tmp_path / "out"), *argv, str(BUNDLED))
    assert done.returncode == 2
    *usage, error = done.stderr.splitlines()  # argparse's usage lines, then the one error line
    assert usage[0].startswith("usage: gcmkg build") and error.startswith(message)
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert not (tmp_path / "out").exists()


def test_an_unknown_reasoner_in_the_environment_is_a_usage_error(tmp_path: Path) -> None:
    done = gcmkg("build", "-o", str(tmp_path / "out"), str(BUNDLED), env={"GCMKG_REASONER": "hermit"})
    assert done.returncode == 2
    assert done.stderr == "error: GCMKG_REASONER: unknown reasoner 'hermit' (known: rules, owlrl)\n"
    assert not (tmp_path / "out").exists()
