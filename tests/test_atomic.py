"""`gcmkg build` replaces its output folder all or nothing, even when killed at any moment."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gcmkg import atomic

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "graph" / "sources" / "ece-gcm-2024-review-fr.md"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def build_command(report: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "gcmkg.cli", "build", "-q", "--jobs", "1", str(report), "--out", str(out)]


def writing(parent: Path, out: Path, since_ns: int) -> bool:
    """A build has started to write: a staging folder beside `out`, or a file in it newer than `since_ns`."""
    if list(parent.glob(f"{atomic.STAGING}graph-*")):
        return True
    try:
        return any(p.stat().st_mtime_ns > since_ns for p in out.iterdir())
    except OSError:  # the folder is being swapped
        return True


def build(report: Path, out: Path) -> None:
    subprocess.run(build_command(report, out), check=True, cwd=ROOT, capture_output=True)


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """An older report (one word changed) and the bundled one, each built once into a folder of its own."""
    work = tmp_path_factory.mktemp("atomic")
    older = work / "ece-gcm-2024-review-fr.md"
    text = REPORT.read_text(encoding="utf-8")
    words = "Au cours de la séance, les participants ont abordé"
    assert words in text
    older.write_text(text.replace(words, "Pendant la séance, les participants ont abordé", 1), encoding="utf-8")
    build(older, work / "old")
    build(REPORT, work / "new")
    old, new = snapshot(work / "old"), snapshot(work / "new")
    assert old != new and set(old) == set(new)
    return older, old, new


def test_a_build_killed_at_any_moment_leaves_the_old_folder_or_the_new_one(states, tmp_path: Path) -> None:
    older, old, new = states
    out = tmp_path / "graph"
    (out / "sources").mkdir(parents=True)
    (out / "sources" / "mine.md").write_text("kept across builds\n", encoding="utf-8")
    rng = random.Random(7)
    seen = set()
    for attempt in range(6):
        if snapshot(out).get("void.ttl") != old["void.ttl"]:
            build(older, out)
        process = subprocess.Popen(build_command(REPORT, out), cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        if attempt % 2:  # at a random moment of the whole build
            time.sleep(rng.uniform(0.2, 3.0))
        else:  # in the last moments: once the build starts writing, beside the folder or into it
            deadline, started = time.monotonic() + 30, time.time_ns()
            while not writing(tmp_path, out, started) and time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.0005)
            time.sleep(rng.uniform(0, 0.03))
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = snapshot(out)
        assert now.pop("sources/mine.md") == b"kept across builds\n"
        assert now in (old, new), f"attempt {attempt}: a mix of the old and new folder"
        seen.add("new" if now == new else "old")
    build(REPORT, out)  # a later build removes what the killed ones left beside the folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph"]
    assert "old" in seen, "no kill landed before the swap: the test proved nothing"


def test_the_output_folder_keeps_what_the_build_does_not_write(tmp_path: Path) -> None:
    out = tmp_path / "g"
    (out / "notes").mkdir(parents=True)
    (out / "notes" / "read-me.txt").write_text("mine", encoding="utf-8")
    os.symlink("notes/read-me.txt", out / "link")
    atomic.write_folder({"a.ttl": b"a", "docs/index.html": b"x"}, out)
    assert (out / "notes" / "read-me.txt").read_text(encoding="utf-8") == "mine"
    assert os.readlink(out / "link") == "notes/read-me.txt"
    assert (out / "a.ttl").read_bytes() == b"a" and (out / "docs" / "index.html").read_bytes() == b"x"
    atomic.write_folder({"a.ttl": b"b"}, out)
    assert (out / "a.ttl").read_bytes() == b"b" and (out / "docs" / "index.html").read_bytes() == b"x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g"]


@pytest.mark.parametrize("case", ["file", "unwritable"])
def test_an_output_that_cannot_be_a_folder_is_an_input_error(case: str, tmp_path: Path) -> None:
    if case == "file":
        out = tmp_path / "graph.ttl"
        out.write_text("not a folder", encoding="utf-8")
    else:
        (tmp_path / "blocked").write_text("a file where a folder should be", encoding="utf-8")
        out = tmp_path / "blocked" / "graph"
    done = subprocess.run(build_command(REPORT, out), cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and str(out) in done.stderr
    assert len([line for line in done.stderr.splitlines() if line.startswith("error:")]) == 1
