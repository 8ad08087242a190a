"""The committed graph/ is what a fresh build produces, byte for byte, and builds are deterministic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gcmkg import owlfiles
from gcmkg.build import build, sources

ROOT = Path(__file__).resolve().parents[1]


def test_committed_graph_equals_a_fresh_build(tmp_path: Path) -> None:
    converted = build([], tmp_path, ROOT, quiet=True)
    assert converted, "graph/sources/ holds no report"
    graph = ROOT / "graph"
    produced = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(str(p.relative_to(graph)) for p in graph.rglob("*") if p.is_file()
                       and p.relative_to(graph).parts[0] != "sources")  # the input reports, not built
    assert produced == committed, "graph/ lacks or has extra files: run `gcmkg build` and commit"
    for name in produced:
        fresh = (tmp_path / name).read_bytes()
        if name == owlfiles.CATALOG_FILE:  # its paths to ontology/ are relative to the folder it is written in
            fresh = owlfiles.catalog([p.name for p in tmp_path.glob("*.ttl")], graph, ROOT)
        assert fresh == (ROOT / "graph" / name).read_bytes(), \
            f"graph/{name} is stale: run `gcmkg build` and commit the result"


def test_two_builds_in_separate_processes_give_identical_bytes(tmp_path: Path) -> None:
    # Separate processes, so hash seeds and set orders differ between the two runs.
    outs = []
    for n, seed in enumerate(("1", "2")):
        out = tmp_path / str(n)
        subprocess.run([sys.executable, "-m", "gcmkg.cli", "build", "-q", "--out", str(out)],
                       check=True, cwd=ROOT, env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"})
        outs.append({str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert outs[0] == outs[1]
    assert len(outs[0]) >= len(sources(ROOT))
