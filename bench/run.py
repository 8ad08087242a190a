"""The gcmkg benchmark: cost of each stage against the number of reports, against its peers, in one run.

    python bench/run.py --sizes 1,10,100 [--out bench/RESULTS.md] [--repeat 3]

For each size N (the first N reports of one synthetic corpus, `bench/corpus.py`), on the same files:
- `gcmkg build` of the N reports as one process (wall time, peak RSS, warnings);
- gcmkg's stages, each in a fresh process (`bench/stages.py`): read/extract/emit, reasoning, validation,
  exports + dataset description; total and per report;
- the naive pipeline with the same libraries (owlrl full closure, then pySHACL with RDFS inference);
- Jena's SHACL command on the same shapes and data (ontology + reference graph + the N asserted graphs);
- `gcmkg validate` (the CLI) on the N asserted graphs together.
On the largest N: each canned query's median latency on gcmkg's embedded store (Oxigraph, as `gcmkg query` opens
it), on rdflib and on an Oxigraph server over HTTP; `gcmkg query actor-objectives --data DIR` as a whole process.
On the bundled report: `gcmkg build` and `gcmkg query session-actors` as whole processes, and the naive pipeline
on the same report as a process.
Then `RESULTS.md` (tables, ratios, verdicts on the issue's goals) and `cost.png`.

Every process runs with a timeout; one that runs out is reported as "timeout after X s". Wall times are medians
of --repeat runs for N <= --repeat-max-n, single runs above. Peak memory is the max RSS of each process
(os.wait4), so it is the process's own, interpreter included.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
import corpus  # noqa: E402

# The Jena launcher lives with the tests (gcmkg itself never runs Jena); tests/test_export.py uses it too.
sys.path.insert(0, str(ROOT / "tests"))
import jena  # noqa: E402

PYTHON = sys.executable
BUNDLED = ROOT / "graph" / "sources" / "ece-gcm-2024-review-fr.md"
SHAPES = ROOT / "ontology" / "gcm.shacl.ttl"
GOAL_GB = 1.0  # the goals of the simplified core (issue "Simplify the core onto the libraries")
QUERY_GOAL = 0.3  # seconds, every canned query evaluated on the 100-report union
#: Environment variables that choose gcmkg's engines and workers: recorded with the results.
SETTINGS = ("GCMKG_SHACL", "GCMKG_REASONER", "GCMKG_JOBS")


# ----------------------------------------------------------------------------------------------- processes


@dataclass
class Run:
    command: list[str]
    wall: float = 0.0
    rss_mb: float = 0.0
    rc: int | None = None
    timed_out: bool = False
    timeout: float = 0.0
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.rc == 0 and not self.timed_out

    def events(self) -> list[dict]:
        out = []
        for line in self.stdout.splitlines():
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
        return out

    def event(self, name: str) -> dict | None:
        return next((e for e in self.events() if e.get("event") == name), None)


def run(command: list[str], timeout: float, cwd: Path = ROOT) -> Run:
    """Run a command in its own process group; wall time, peak RSS (wait4), output; killed after `timeout`."""
    result = Run([str(c) for c in command], timeout=timeout)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(result.command, stdout=out, stderr=err, cwd=cwd, start_new_session=True)
        waited: list = []
        waiter = threading.Thread(target=lambda: waited.append(os.wait4(process.pid, 0)), daemon=True)
        waiter.start()
        waiter.join(timeout)
        if waiter.is_alive():
            result.timed_out = True
            os.killpg(process.pid, signal.SIGKILL)  # the group we started, by its id
            waiter.join()
        result.wall = time.perf_counter() - start
        _, status, usage = waited[0]
        process.returncode = os.waitstatus_to_exitcode(status)
        result.rc = process.returncode
        result.rss_mb = usage.ru_maxrss / 1024
        out.seek(0)
        err.seek(0)
        result.stdout = out.read().decode("utf-8", "replace")
        result.stderr = err.read().decode("utf-8", "replace")
    return result


def repeated(command: list[str], times: int, timeout: float, before=None) -> list[Run]:  # noqa: ANN001
    runs = []
    for _ in range(times):
        if before:
            before()
        runs.append(run(command, timeout))
        if not runs[-1].ok:
            break
    return runs


def median(runs: list[Run]) -> tuple[float, float]:
    """(median wall, max peak RSS) of the runs that finished."""
    done = [r for r in runs if r.ok]
    if not done:
        return float("nan"), float("nan")
    return statistics.median(r.wall for r in done), max(r.rss_mb for r in done)


def gcmkg_command() -> list[str]:
    script = Path(PYTHON).with_name("gcmkg")
    return [str(script)] if script.exists() else [PYTHON, "-m", "gcmkg.cli"]


def stages_command(*args: object) -> list[str]:
    return [PYTHON, str(BENCH / "stages.py"), *map(str, args)]


def failure(r: Run) -> str:
    if r.timed_out:
        return f"timeout after {r.timeout:.0f} s"
    errors = [e for e in r.events() if e.get("event") == "error"]
    if errors:
        return f"error: {errors[0]['error'][:200]}"
    tail = r.stderr.strip().splitlines()[-1:] or [f"exit {r.rc}"]
    return f"failed: {tail[0][:200]}"


# ----------------------------------------------------------------------------------------------- peers


def jena_command(work: Path) -> list[str] | None:
    """Jena's `shacl validate` (`tests/jena.py`: Debian ships no launcher), or None when Jena is not installed."""
    try:
        command = jena.command("shacl", work / "jena-xerces-messages")
    except jena.MissingJars as err:  # a partial install would fail every run: report it once, skip Jena
        print(f"bench: {err}; Jena not run", file=sys.stderr)
        return None
    return None if command is None else [*command, "validate"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OxigraphServer:
    """`oxigraph serve` on 127.0.0.1, a free port and a temporary folder; stopped (by its id) on exit."""

    def __init__(self, work: Path) -> None:
        self.binary = shutil.which("oxigraph") or str(Path(PYTHON).with_name("oxigraph"))
        self.location = Path(tempfile.mkdtemp(prefix="oxigraph-", dir=work))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "OxigraphServer":
        self.process = subprocess.Popen([self.binary, "serve", "--location", str(self.location),
                                         "--bind", f"127.0.0.1:{self.port}"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/query?query=ASK%7B%7D", timeout=2):
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("oxigraph serve did not answer within 30 s")

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.location, ignore_errors=True)


# ----------------------------------------------------------------------------------------------- the benchmark


@dataclass
class Size:
    n: int
    build: list[Run] = field(default_factory=list)
    build_warnings: list[str] = field(default_factory=list)
    stages: dict[str, Run] = field(default_factory=dict)
    stage_runs: dict[str, list[Run]] = field(default_factory=dict)
    naive: Run | None = None
    naive_note: str = ""
    jena: list[Run] = field(default_factory=list)
    validate_cli: list[Run] = field(default_factory=list)
    triples: int = 0


STAGES = {"convert": "read / extract / emit", "reason": "OWL RL reasoning", "validate": "validation (SHACL + queries)",
          "describe": "exports + dataset description"}


def stage_time(runs: list[Run], stage: str) -> tuple[float, float, list[float]] | None:
    """(median total seconds inside the stage, max RSS MB, per-report times of the median run)."""
    done = [(r, r.event("done")) for r in runs if r.ok and r.event("done")]
    if not done:
        return None
    done.sort(key=lambda pair: sum(pair[1]["times"]))
    r, event = done[len(done) // 2]
    return sum(event["times"]), max(x.rss_mb for x, _ in done), event["times"]


def measure_size(n: int, reports: list[Path], work: Path, args: argparse.Namespace, shacl: list[str] | None,
                 log) -> Size:  # noqa: ANN001
    size = Size(n)
    times = args.repeat if n <= args.repeat_max_n else 1
    graph = work / f"n{n}" / "graph"

    def fresh() -> None:
        shutil.rmtree(graph, ignore_errors=True)

    log(f"N={n}: gcmkg build ({times}x)")
    size.build = repeated([*gcmkg_command(), "build", "-q", "--out", graph, *reports], times, args.timeout, fresh)
    size.build_warnings = [line for r in size.build[-1:] for line in r.stderr.splitlines() if line.strip()]
    if not size.build[-1].ok:
        log(f"  build failed: {failure(size.build[-1])}")
        return size
    for stage in STAGES:
        log(f"N={n}: stage {stage} ({times}x)")
        command = stages_command(stage, *reports) if stage == "convert" else stages_command(stage, "--graph", graph)
        size.stage_runs[stage] = repeated(command, times, args.timeout)
    union = work / f"n{n}" / "union.nt"
    u = run(stages_command("union", "--graph", graph, "--out", union), args.timeout)
    size.triples = (u.event("done") or {}).get("triples", 0)
    if shacl and u.ok:
        log(f"N={n}: Jena SHACL ({times}x)")
        size.jena = repeated([*shacl, "--shapes", SHAPES, "--data", union], times, args.timeout)
    log(f"N={n}: gcmkg validate, the N graphs together ({times}x)")
    asserted = sorted(p for p in graph.glob("*.ttl") if not p.name.endswith("-inferred.ttl") and p.name != "void.ttl")
    size.validate_cli = repeated([*gcmkg_command(), "validate", *asserted], times, args.validate_timeout)
    if n <= args.naive_max:
        # At least 6x gcmkg's own reasoning + validation (plus a minute to load): a naive run cut by its
        # timeout then still proves the ">= 5x" goal either way.
        fast = [stage_time(size.stage_runs.get(s, []), s) for s in ("reason", "validate")]
        timeout = max(args.naive_timeout, 6 * sum(f[0] for f in fast) + 60 if all(fast) else 0)
        log(f"N={n}: naive pipeline (timeout {timeout:.0f} s)")
        size.naive = run(stages_command("naive", "--graph", graph), timeout)
    else:
        size.naive_note = f"not run (N > --naive-max {args.naive_max}; pass --naive-max {n} to try)"
    union.unlink(missing_ok=True)
    return size


def measure_queries(n: int, data: Path, work: Path, args: argparse.Namespace, log) -> Run | None:  # noqa: ANN001
    """Each canned query on the union of the N built graphs (asserted + inferred), the built folder read as
    `gcmkg query --data DIR` reads it (its report graphs, not void.ttl)."""
    log(f"N={n}: canned queries on embedded Oxigraph, rdflib and an Oxigraph server")
    command = stages_command("queries", "--data", data, "--repeat", args.query_repeat, "--budget", args.query_budget,
                             "--query-timeout", args.query_timeout)
    try:
        with OxigraphServer(work) as server:
            return run([*command, "--endpoint", server.url], args.timeout)
    except (RuntimeError, OSError) as err:
        log(f"  no Oxigraph server ({err}); embedded stores only")
        return run([*command, "--stores", "oxigraph,rdflib"], args.timeout)


#: The query run as a whole process on the largest N: one of the largest answers (about 150 rows per report).
LARGE_QUERY = "actor-objectives"


def query_command(name: str, data: Path) -> list[str]:
    return [*gcmkg_command(), "query", name, "--data", data]


def measure_processes(work: Path, largest: tuple[int, Path] | None, args: argparse.Namespace,
                      log) -> dict[str, list[Run]]:  # noqa: ANN001
    """Whole processes, as a user runs them: on the bundled report, and `gcmkg query` on the largest N."""
    out = work / "bundled"
    times = max(args.repeat, 5)
    log(f"bundled report: gcmkg build and gcmkg query session-actors as processes ({times}x)")
    build = repeated([*gcmkg_command(), "build", "-q", "--out", out, BUNDLED], times, args.timeout,
                     lambda: shutil.rmtree(out, ignore_errors=True))
    built = bool(build) and build[-1].ok
    query = repeated([*query_command("session-actors", out), "--format", "csv"], times, args.timeout) if built else []
    # The naive pipeline on the same report (the asserted graph the build wrote), as one process: the bundled
    # build against what one would write first, each as a whole process (the naive one does not even convert).
    naive = []
    if built:
        log(f"bundled report: naive pipeline as a process (timeout {args.naive_timeout:.0f} s)")
        naive = [run(stages_command("naive", "--graph", out), args.naive_timeout)]
    large = []
    if largest:
        n, graph = largest
        log(f"N={n}: gcmkg query {LARGE_QUERY} as a process ({times}x)")
        large = repeated(query_command(LARGE_QUERY, graph), times, args.timeout)
    return {"build": build, "query": query, "naive": naive, "query-largest": large}


# ----------------------------------------------------------------------------------------------- the report


def machine() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    mem_kb = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    versions = {}
    for dist in ("gcmkg", "rdflib", "owlrl", "pyshacl", "pyrudof", "pyoxigraph", "oxigraph", "SPARQLWrapper",
                 "matplotlib"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    java = subprocess.run(["java", "-version"], capture_output=True, text=True) if shutil.which("java") else None
    jars = sorted(p.name for p in jena.JAVA_LIBS.glob("jena-shacl-*.jar"))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "src", "ontology", "queries"],
                           capture_output=True, text=True, cwd=ROOT)
    return {
        "CPU": f"{cpu}, {os.cpu_count()} logical cores",
        "RAM": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "libraries": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "Java": java.stderr.splitlines()[0] if java and java.stderr else "not installed",
        "Jena": jars[0].removesuffix(".jar") if jars else "not installed",
        "gcmkg source": f"commit {commit.stdout.strip()}" + (" + uncommitted changes in src/ontology/queries"
                                                             if dirty.stdout.strip() else ""),
        # The engines and workers gcmkg picks from the environment (defaults when unset) change every time.
        "gcmkg settings": ", ".join(f"{k}={os.environ.get(k) or '(unset)'}" for k in SETTINGS),
    }


def source_fingerprint() -> str:
    """A hash of gcmkg's code and data files: tells whether they changed while the benchmark ran."""
    import hashlib
    digest = hashlib.sha256()
    for folder, pattern in (("src/gcmkg", "**/*.py"), ("src/gcmkg", "**/*.toml"), ("ontology", "**/*.ttl"),
                            ("queries", "*.rq")):
        for path in sorted((ROOT / folder).glob(pattern)):
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def fmt_s(seconds: float | None) -> str:
    if seconds is None or seconds != seconds:
        return "–"
    if seconds < 0.1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def fmt_mb(mb: float | None) -> str:
    return "–" if mb is None or mb != mb else f"{mb:.0f} MB"


def ratio(a: float | None, b: float | None) -> str:
    if not a or not b or a != a or b != b:
        return "–"
    return f"{a / b:.1f}x"


def verdict(ok: bool | None, text: str) -> str:
    mark = {True: "**met**", False: "**not met**", None: "**not measured**"}[ok]
    return f"- {mark} — {text}"


def naive_parts(size: Size) -> dict:
    if size.naive is None:
        return {}
    return {e["event"]: e for e in size.naive.events() if e.get("event") in ("load", "reason", "validate")}


def report(sizes: list[Size], queries: Run | None, processes: dict[str, list[Run]], info: dict[str, str],
           args: argparse.Namespace, elapsed: float, load: tuple[str, str], corpus_check: str,
           fingerprints: tuple[str, str]) -> str:
    lines: list[str] = ["# gcmkg benchmark results", "",
                        "Generated by `bench/run.py` (see `bench/README.md`); numbers are from one run on the "
                        "machine below, while gcmkg's source was being optimised: rerun to update them.", "",
                        "## Machine", ""]
    lines += [f"- **{k}**: {v}" for k, v in info.items()]
    same = fingerprints[0] == fingerprints[1]
    lines += [f"- **gcmkg code and data fingerprint** (sha256 of src/gcmkg, ontology, queries): {fingerprints[0]} at "
              f"start, {fingerprints[1]} at end" + ("" if same else " — **they changed during the run: the sizes "
                                                   "may have measured different code**")]
    busy = max(float(x) for x in (*load[0].split(), *load[1].split())) > (os.cpu_count() or 1)
    lines += [f"- **load average** (1/5/15 min) at start: {load[0]}; at end: {load[1]}"
              + (" — **more runnable processes than cores: other work shared the machine, the times are "
                 "inflated and noisy**" if busy else ""),
              f"- **run time** of the whole benchmark: {elapsed / 60:.1f} min", "",
              "## Reproduce", "", "```sh", f"{shlex.join(['python', 'bench/run.py', *args.argv])}", "```", "",
              f"Corpus: `bench/corpus.py`, seed {args.seed}; size N is reports 0..N-1 of the same series "
              f"(5 commissions, 3-5 thematic sessions each). {corpus_check}", "",
              f"Wall times are medians of {args.repeat} runs for N ≤ {args.repeat_max_n}, one run above; memory "
              "is the peak RSS of the process (interpreter and libraries included). Each stage runs in a fresh "
              "process that first imports gcmkg and loads the ontology and reference graph (not counted in the "
              "stage time; counted in its memory).", ""]

    # --- sizes
    lines += ["## Cost against the number of reports", "",
              "| N | triples (asserted + ontology + reference) | `gcmkg build` (process) | per report | peak RSS | "
              + " | ".join(f"{label}" for label in STAGES.values()) + " |",
              "|---|---|---|---|---|" + "---|" * len(STAGES)]
    per_report: dict[str, dict[int, float]] = {"build": {}, **{s: {} for s in STAGES}}
    totals: dict[str, dict[int, float]] = {"build": {}, **{s: {} for s in STAGES}}
    for size in sizes:
        wall, rss = median(size.build)
        row = [str(size.n), f"{size.triples:,}" if size.triples else "–"]
        if size.build and size.build[-1].ok:
            row += [fmt_s(wall), fmt_s(wall / size.n), fmt_mb(rss)]
            per_report["build"][size.n] = wall / size.n
            totals["build"][size.n] = wall
        else:
            row += [failure(size.build[-1]) if size.build else "–", "–", "–"]
        for stage in STAGES:
            measured = stage_time(size.stage_runs.get(stage, []), stage)
            if measured:
                total, srss, _ = measured
                row.append(f"{fmt_s(total)} ({fmt_s(total / size.n)}/report, {fmt_mb(srss)})")
                per_report[stage][size.n] = total / size.n
                totals[stage][size.n] = total
            else:
                runs = size.stage_runs.get(stage)
                row.append(failure(runs[-1]) if runs else "–")
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "Stage cells: total time inside the stage (per report, peak RSS of the stage's process). "
              "`gcmkg build` also renders the ontology documentation and writes the files; it does not write the "
              "exports, which the last stage includes (what `gcmkg export` does for each format).", ""]
    # Where the whole-dataset stage goes at the largest N it ran at (load, description, each export format).
    described = [(s.n, e) for s in sizes for r in s.stage_runs.get("describe", [])[-1:]
                 if r.ok and (e := r.event("done")) and e.get("parts")]
    if described:
        n, event = described[-1]
        lines += [f"{STAGES['describe']} at N={n}, by part: "
                  + ", ".join(f"{k} {fmt_s(v)}" for k, v in event["parts"].items()) + ".", ""]
    warned = [(s.n, s.build_warnings) for s in sizes if s.build_warnings]
    if warned:
        lines += ["Warnings printed by `gcmkg build`:", ""]
        for n, warnings in warned:
            lines += [f"- N={n}: " + "; ".join(w[:160] for w in warnings[:5])
                      + (f" (and {len(warnings) - 5} more)" if len(warnings) > 5 else "")]
        lines.append("")

    # --- linearity
    big = [s.n for s in sizes if s.n >= 10]
    linear: dict[str, float] = {}
    if len(big) >= 2 or (10 in big and max(big) > 10):
        a, b = (10 if 10 in big else big[0]), max(big)
        lines += [f"### Linearity: cost per report at N={b} against N={a}", "",
                  "| what | per report at N=" + str(a) + f" | per report at N={b} | ratio |", "|---|---|---|---|"]
        for name, values in per_report.items():
            if a in values and b in values:
                linear[name] = values[b] / values[a]
                label = "`gcmkg build`" if name == "build" else STAGES[name]
                lines.append(f"| {label} | {fmt_s(values[a])} | {fmt_s(values[b])} | {linear[name]:.2f} |")
        lines.append("")

    # --- peers
    lines += ["## Against the peers", "",
              "The naive pipeline: owlrl's full OWL RL closure over ontology + reference graph + the N asserted "
              "graphs, then pySHACL with RDFS inference on the whole graph (same libraries as gcmkg). gcmkg's "
              "counterpart is its reasoning + validation stages. Jena: `shacl validate` (Jena's command, a JVM "
              "process) with `ontology/gcm.shacl.ttl` on ontology + reference graph + the N asserted graphs in "
              "one N-Triples file (JVM start-up included). `gcmkg validate` on the N files together is the same "
              "data as one process, Jena's counterpart (it also runs the `*-violation.rq` queries); it and the "
              "validation stage use gcmkg's default SHACL engine (rudof unless GCMKG_SHACL says otherwise).", "",
              "| N | gcmkg reasoning + validation | naive: closure | naive: pySHACL (RDFS) | naive total | "
              "naive / gcmkg | gcmkg validation stage | `gcmkg validate` (process) | Jena SHACL (process) | "
              "validation stage / Jena | `gcmkg validate` / Jena |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    naive_ratio: dict[int, tuple[float, bool]] = {}
    jena_ratio: dict[int, float] = {}  # the validation stage against Jena
    cli_jena_ratio: dict[int, float] = {}  # `gcmkg validate` (a process, like Jena's) against Jena: the goal
    for size in sizes:
        fast = None
        if size.n in totals["reason"] and size.n in totals["validate"]:
            fast = totals["reason"][size.n] + totals["validate"][size.n]
        parts = naive_parts(size)
        if size.naive is None:
            naive_cells = [size.naive_note or "–", "–", "–", "–"]
        else:
            reason_t = parts.get("reason", {}).get("seconds")
            valid_t = parts.get("validate", {}).get("seconds")
            if size.naive.ok and reason_t is not None and valid_t is not None:
                total = reason_t + valid_t
                naive_ratio[size.n] = (total / fast, True) if fast else (float("nan"), True)
                conforms = "" if parts["validate"].get("conforms") else ", does not conform"
                naive_cells = [fmt_s(reason_t), fmt_s(valid_t),
                               f"{fmt_s(total)} ({fmt_mb(size.naive.rss_mb)}{conforms})", ratio(total, fast)]
            else:
                spent = size.naive.wall - parts.get("load", {}).get("seconds", 0)
                where = "closure" if reason_t is None else "pySHACL"
                lower = spent / fast if fast else float("nan")
                naive_ratio[size.n] = (lower, False)
                naive_cells = [fmt_s(reason_t) if reason_t is not None else failure(size.naive),
                               failure(size.naive) if reason_t is not None else "not reached",
                               f"> {fmt_s(spent)} ({where} cut)", f"> {lower:.1f}x" if fast else "–"]
        val = totals["validate"].get(size.n)
        cli_wall, cli_rss = median(size.validate_cli)
        jena_wall, jena_rss = median(size.jena)
        if val and jena_wall == jena_wall:
            jena_ratio[size.n] = val / jena_wall
        if cli_wall == cli_wall and jena_wall == jena_wall:
            cli_jena_ratio[size.n] = cli_wall / jena_wall
        cli_cell = (f"{fmt_s(cli_wall)} ({fmt_mb(cli_rss)})" if size.validate_cli and size.validate_cli[-1].ok
                    else failure(size.validate_cli[-1]) if size.validate_cli else "–")
        jena_cell = (f"{fmt_s(jena_wall)} ({fmt_mb(jena_rss)})" if size.jena and size.jena[-1].ok
                     else failure(size.jena[-1]) if size.jena else "not run (no Java/Jena)")
        conform = ""
        if size.jena and size.jena[-1].ok:
            conform = "" if "sh:conforms  true" in size.jena[-1].stdout or "conforms true" in size.jena[-1].stdout \
                else " (Jena: does not conform)"
        lines.append(f"| {size.n} | {fmt_s(fast)} | " + " | ".join(naive_cells)
                     + f" | {fmt_s(val)} | {cli_cell} | {jena_cell}{conform} | {ratio(val, jena_wall)} | "
                     f"{ratio(cli_wall, jena_wall)} |")
    lines.append("")

    # --- queries
    query_rows: dict[str, dict[str, dict]] = {}
    loads: dict[str, float] = {}
    errors: list[str] = []
    if queries is not None:
        for e in queries.events():
            if e.get("event") == "query":
                query_rows.setdefault(e["query"], {})[e["store"]] = e
            elif e.get("event") == "load":
                loads[e["store"]] = e["seconds"]
            elif e.get("event") == "error":
                errors.append(f"{e['stage']}: {e['error'][:200]}")
    qn = max(s.n for s in sizes)
    query_ok: list[bool] = []
    rdflib_ratio: list[float] = []  # both finished
    rdflib_lower: list[float] = []  # rdflib cut by the timeout: a lower bound
    if query_rows:
        lines += [f"## Canned queries on the N={qn} union", "",
                  f"Data: ontology + reference graph + the {qn} built graphs (asserted and inferred), loaded once "
                  "per store (load time in the header). Each cell: median latency of up to "
                  f"{args.query_repeat} runs (fewer when a query's {args.query_budget:.0f} s budget is spent), "
                  f"rows returned. Embedded = gcmkg's default store through `gcmkg.store` (Oxigraph in process), as "
                  "`gcmkg query` opens it (`store.open_store(\"oxigraph\", files)`), evaluating each query; "
                  "rdflib = `--store rdflib`; server = `oxigraph serve` on 127.0.0.1, queried over HTTP with "
                  "SPARQLWrapper (`--endpoint`). The ratios are against the embedded store.", "",
                  f"| query | embedded (load {fmt_s(loads.get('oxigraph'))}) | rdflib (load "
                  f"{fmt_s(loads.get('rdflib'))}) | server (load {fmt_s(loads.get('endpoint'))}) | rdflib / embedded "
                  "| server / embedded |", "|---|---|---|---|---|---|"]

        def cell(e: dict | None) -> str:
            if not e:
                return "–"
            if "timeout" in e:
                return f"timeout after {e['timeout']:.0f} s"
            return f"{fmt_s(e['median'])} ({e['rows']} rows)"

        for name in sorted(query_rows):
            stores = query_rows[name]
            emb, rdf, srv = stores.get("oxigraph"), stores.get("rdflib"), stores.get("endpoint")
            if emb is not None and ("median" in emb or "timeout" in emb):
                query_ok.append(emb.get("median") is not None and emb["median"] <= QUERY_GOAL)
            e_m = emb.get("median") if emb else None
            s_m = srv.get("median") if srv else None
            if e_m and rdf:
                if "median" in rdf:
                    rdflib_ratio.append(rdf["median"] / e_m)
                else:
                    rdflib_lower.append(rdf["timeout"] / e_m)
            r_cell = ratio(rdf["median"], e_m) if rdf and "median" in rdf else (
                f"> {rdf['timeout'] / e_m:.0f}x" if rdf and e_m else "–")
            lines.append(f"| {name} | {cell(emb)} | {cell(rdf)} | {cell(srv)} | {r_cell} | {ratio(s_m, e_m)} |")
        lines.append("")
    if errors:
        lines += ["Query errors: " + "; ".join(errors), ""]
    if queries is not None and not queries.ok:
        lines += [f"The query process stopped: {failure(queries)}.", ""]

    # --- processes
    def process_cell(runs: list[Run]) -> tuple[str, str]:
        if not runs:
            return "not run", "–"
        if not runs[-1].ok:
            return failure(runs[-1]), "–"
        wall, rss = median(runs)
        return fmt_s(wall), fmt_mb(rss)

    bw, brss = median(processes.get("build", []))
    qw, _ = median(processes.get("query", []))
    lw, _ = median(processes.get("query-largest", []))
    naive_runs = processes.get("naive", [])
    naive_run = naive_runs[-1] if naive_runs else None
    nw = naive_run.wall if naive_run and naive_run.ok else float("nan")
    bundled_naive = nw / bw if nw == nw and bw == bw else float("nan")
    if naive_run is None:
        naive_row = ("not run", "–")
    elif naive_run.ok:
        parts = {e["event"]: e["seconds"] for e in naive_run.events() if e.get("event") in ("load", "reason",
                                                                                              "validate")}
        naive_row = (f"{fmt_s(nw)} (load {fmt_s(parts.get('load'))}, closure {fmt_s(parts.get('reason'))}, "
                     f"pySHACL {fmt_s(parts.get('validate'))}); {ratio(nw, bw)} `gcmkg build`",
                     fmt_mb(naive_run.rss_mb))
    else:
        # Cut by its timeout: what it spent is a lower bound of its time.
        bundled_naive = naive_run.wall / bw if naive_run.timed_out and bw == bw else float("nan")
        naive_row = (failure(naive_run) + (f" (> {bundled_naive:.1f}x `gcmkg build`)" if bundled_naive == bundled_naive
                                           else ""), "–")
    lines += ["## Whole processes", "",
              f"Median of {len(processes.get('build', []))} runs each (the naive pipeline: one run). On the bundled "
              "report, and `gcmkg query` on the largest N's built folder. The naive pipeline (owlrl's full closure, "
              "then pySHACL with RDFS inference) runs on ontology + reference graph + the bundled report's "
              "asserted graph as `gcmkg build` wrote it: it does not convert the report, gcmkg's build does.", "",
              "| command | wall time | peak RSS |", "|---|---|---|",
              "| `gcmkg build -q --out DIR {}` | {} | {} |".format(BUNDLED.relative_to(ROOT),
                                                               *process_cell(processes.get("build", []))),
              "| naive pipeline on the same report (`bench/stages.py naive --graph DIR`) | {} | {} |".format(
                  *naive_row),
              "| `gcmkg query session-actors --data DIR --format csv` | {} | {} |".format(
                  *process_cell(processes.get("query", []))),
              f"| `gcmkg query {LARGE_QUERY} --data DIR` on the N={qn} build | {{}} | {{}} |".format(
                  *process_cell(processes.get("query-largest", []))), ""]

    # --- verdicts
    lines += ["## Verdicts on the issue's goals (as measured)", ""]
    lines.append(verdict(None if bw != bw else bw <= 1.5, f"`gcmkg build` of the bundled report ≤ 1.5 s: {fmt_s(bw)}"))
    done_naive = {n: v for n, v in naive_ratio.items() if v[0] == v[0]}
    if done_naive:
        n = max(done_naive)
        value, complete = done_naive[n]
        lines.append(verdict(value >= 5 if complete or value >= 5 else None,
                             f"≥ 5x faster than the naive pipeline (reasoning + validation): "
                             f"{'' if complete else 'more than '}{value:.1f}x at N={n}; "
                             + ", ".join(f"N={k}: {'' if c else '> '}{v:.1f}x" for k, (v, c) in sorted(done_naive.items()))))
    else:
        lines.append(verdict(None, "≥ 5x faster than the naive pipeline: naive not measured"))
    if bundled_naive == bundled_naive:
        cut = naive_run is not None and not naive_run.ok
        lines.append(verdict(bundled_naive >= 5 if not cut or bundled_naive >= 5 else None,
                             f"`gcmkg build` of the bundled report (whole process) ≥ 5x faster than the naive pipeline "
                             f"on it (whole process): {'more than ' if cut else ''}{bundled_naive:.1f}x "
                             f"({fmt_s(bw)} against {fmt_s(nw) if not cut else failure(naive_run)})"))
    else:
        lines.append(verdict(None, "`gcmkg build` of the bundled report ≥ 5x faster than the naive pipeline on it: "
                                   + (failure(naive_run) if naive_run else "not measured")))
    if 100 in totals["build"]:
        lines.append(verdict(totals["build"][100] <= 20, f"100 reports ≤ 20 s (`gcmkg build`, one process): "
                                                          f"{fmt_s(totals['build'][100])}"))
    else:
        hundred = next((s for s in sizes if s.n == 100), None)
        lines.append(verdict(False if hundred and hundred.build and hundred.build[-1].timed_out else None,
                             "100 reports ≤ 20 s: " + (failure(hundred.build[-1]) if hundred and hundred.build
                                                        else "N=100 not run")))
    if "build" in linear:
        worst = max(linear.values())
        lines.append(verdict(linear["build"] <= 1.3,
                             f"linear within 1.3x (per-report cost of `gcmkg build`, N={max(big)} vs N=10): "
                             f"{linear['build']:.2f}; stages: " + ", ".join(
                                 f"{STAGES[k] if k in STAGES else k} {v:.2f}" for k, v in linear.items() if k != "build")
                             + (f" (worst {worst:.2f})" if worst > 1.3 else "")))
    else:
        lines.append(verdict(None, "linear within 1.3x: needs N=10 and a larger N"))
    peak = max([median(s.build)[1] for s in sizes if s.build and s.build[-1].ok] or [float("nan")])
    lines.append(verdict(None if peak != peak else peak <= GOAL_GB * 1024,
                         f"≤ 1 GB: peak RSS of `gcmkg build` at N={max(s.n for s in sizes)}: {fmt_mb(peak)}"))
    if cli_jena_ratio:
        n = max(cli_jena_ratio)
        lines.append(verdict(cli_jena_ratio[n] <= 1,
                             f"validation ≤ Jena: `gcmkg validate` on the N files (one process) / Jena SHACL "
                             f"(one process) at N={n}: {cli_jena_ratio[n]:.1f}x; "
                             + ", ".join(f"N={k}: {v:.1f}x" for k, v in sorted(cli_jena_ratio.items()))
                             + ("; gcmkg's validation stage / Jena: " + ", ".join(
                                 f"N={k}: {v:.1f}x" for k, v in sorted(jena_ratio.items())) if jena_ratio else "")))
    else:
        lines.append(verdict(None, "validation ≤ Jena: Jena or `gcmkg validate` did not run"))
    if query_ok:
        slow = [name for name, stores in query_rows.items()
                if stores.get("oxigraph", {}).get("median", 1) > QUERY_GOAL]
        lines.append(verdict(all(query_ok), f"queries ≤ 300 ms (embedded, evaluated, N={qn}): "
                                            f"{sum(query_ok)}/{len(query_ok)} canned queries"
                             + (f"; slower: {', '.join(sorted(slow))}" if slow else "")))
    else:
        lines.append(verdict(None, "queries ≤ 300 ms: not measured"))
    if rdflib_ratio or rdflib_lower:
        below = sum(r < 10 for r in rdflib_ratio)
        cut = (f"; {len(rdflib_lower)} more where rdflib ran out of time (> "
               + ", > ".join(f"{r:.1f}x" for r in sorted(rdflib_lower)) + ")") if rdflib_lower else ""
        met = False if below else True if all(r >= 10 for r in rdflib_lower) else None
        finished = (f": {min(rdflib_ratio):.1f}x to {max(rdflib_ratio):.0f}x (median "
                    f"{statistics.median(rdflib_ratio):.0f}x), {below} below 10x") if rdflib_ratio else ": none"
        lines.append(verdict(met, f"queries ≥ 10x rdflib: rdflib / embedded on the {len(rdflib_ratio)} queries "
                                  f"both finished{finished}{cut}"))
    else:
        lines.append(verdict(None, "queries ≥ 10x rdflib: not measured"))
    lines.append(verdict(None if lw != lw else lw <= 1,
                         f"query process ≤ 1 s (`gcmkg query {LARGE_QUERY} --data DIR` on the N={qn} build): "
                         f"{fmt_s(lw) if lw == lw else process_cell(processes.get('query-largest', []))[0]}; "
                         f"`gcmkg query session-actors` on the bundled graph: {fmt_s(qw)}"))
    modules = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in (ROOT / "src" / "gcmkg").glob("*.py")}
    biggest = max(modules, key=modules.get)
    lines.append(verdict(sum(modules.values()) <= 5000 and modules[biggest] <= 600,
                         f"`src/gcmkg` ≤ 5,000 lines, no module over 600: {sum(modules.values()):,} lines in "
                         f"{len(modules)} modules, the largest {biggest} ({modules[biggest]})"))
    lines += ["", "![cost against N](cost.png)", ""]
    return "\n".join(lines)


def plot(sizes: list[Size], path: Path) -> str:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed: no plot (pip install matplotlib)"
    series: dict[str, dict[int, float]] = {"gcmkg build (process)": {}}
    for size in sizes:
        if size.build and size.build[-1].ok:
            series["gcmkg build (process)"][size.n] = median(size.build)[0]
        for stage, label in STAGES.items():
            measured = stage_time(size.stage_runs.get(stage, []), stage)
            if measured:
                series.setdefault(label, {})[size.n] = measured[0]
        parts = naive_parts(size)
        if size.naive and size.naive.ok and "reason" in parts and "validate" in parts:
            series.setdefault("naive closure + pySHACL", {})[size.n] = parts["reason"]["seconds"] + \
                parts["validate"]["seconds"]
        if size.jena and size.jena[-1].ok:
            series.setdefault("Jena SHACL (process)", {})[size.n] = median(size.jena)[0]
        if size.validate_cli and size.validate_cli[-1].ok:  # Jena's counterpart: both whole processes
            series.setdefault("gcmkg validate (process)", {})[size.n] = median(size.validate_cli)[0]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 5))
    for label, values in series.items():
        if not values:
            continue
        ns = sorted(values)
        style = "--" if label.startswith(("naive", "Jena")) else "-"
        ax1.plot(ns, [values[n] for n in ns], style, marker="o", label=label)
        ax2.plot(ns, [values[n] / n for n in ns], style, marker="o", label=label)
    build = series["gcmkg build (process)"]
    if build:
        n0 = max(build)
        ns = sorted({s.n for s in sizes})
        ax1.plot(ns, [build[n0] * n / n0 for n in ns], ":", color="black", label=f"linear (through build at N={n0})")
        ax2.plot(ns, [build[n0] / n0 for _ in ns], ":", color="black", label="linear")
    ax1.set(xscale="log", yscale="log", xlabel="reports N", ylabel="seconds (total)",
            title="Cost against N (log-log: slope 1 = linear)")
    ax2.set(xscale="log", yscale="log", xlabel="reports N", ylabel="seconds per report",
            title="Cost per report (flat = linear)")
    for ax in (ax1, ax2):
        ax.grid(True, which="both", alpha=0.3)
    ax1.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return ""


# ----------------------------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Benchmark gcmkg against N synthetic reports and its peers.")
    p.add_argument("--sizes", default="1,10,100", help="comma-separated report counts (default: 1,10,100)")
    p.add_argument("--out", type=Path, default=BENCH / "RESULTS.md", help="results file (default: bench/RESULTS.md);"
                   " cost.png is written beside it")
    p.add_argument("--repeat", type=int, default=3, help="runs per measurement, median (default: 3)")
    p.add_argument("--repeat-max-n", type=int, default=10, help="repeat only for N up to this (default: 10)")
    p.add_argument("--seed", type=int, default=0, help="corpus seed (default: 0)")
    p.add_argument("--work", type=Path, default=BENCH / ".corpus",
                   help="folder for the corpus and the built graphs (default: bench/.corpus, not committed)")
    p.add_argument("--timeout", type=float, default=1800, help="seconds allowed to any one process (default: 1800)")
    p.add_argument("--naive-max", type=int, default=10,
                   help="largest N the naive pipeline runs at (default: 10; e.g. 100 to try it there too, "
                        "within --naive-timeout)")
    p.add_argument("--naive-timeout", type=float, default=300, help="seconds allowed to the naive pipeline on "
                   "the bundled report, and at one N, there at least 6x gcmkg's reasoning + validation at that N "
                   "plus 60 s (default: 300)")
    p.add_argument("--validate-timeout", type=float, default=600,
                   help="seconds allowed to `gcmkg validate` on the N graphs together (default: 600)")
    p.add_argument("--query-repeat", type=int, default=7, help="runs per query and store (default: 7)")
    p.add_argument("--query-budget", type=float, default=10, help="seconds of repeats per query and store (default: 10)")
    p.add_argument("--query-timeout", type=float, default=30, help="seconds allowed to one query run (default: 30)")
    p.add_argument("--no-jena", action="store_true", help="skip Jena even if Java is installed")
    args = p.parse_args(argv)
    args.argv = list(argv if argv is not None else sys.argv[1:])
    sizes = sorted({int(x) for x in args.sizes.split(",") if x.strip()})
    started = time.perf_counter()
    fingerprint_start = source_fingerprint()
    load_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    args.work.mkdir(parents=True, exist_ok=True)

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {message}", file=sys.stderr, flush=True)

    reports_dir = args.work / f"reports-seed{args.seed}"
    shutil.rmtree(reports_dir, ignore_errors=True)
    reports = corpus.generate(max(sizes), reports_dir, args.seed)
    log(f"corpus: {len(reports)} reports in {reports_dir}")
    shacl = None if args.no_jena else jena_command(args.work)
    results = []
    for n in sizes:
        results.append(measure_size(n, reports[:n], args.work, args, shacl, log))
    largest = max(sizes)
    graph = args.work / f"n{largest}" / "graph"
    built = graph.is_dir()
    queries = measure_queries(largest, graph, args.work, args, log) if built else None
    processes = measure_processes(args.work, (largest, graph) if built else None, args, log)
    warned = [s for s in results if s.build_warnings]
    corpus_check = ("Every size built without errors or warnings." if not warned and all(
        s.build and s.build[-1].ok for s in results) else "**Some builds failed or warned: see below.**")
    elapsed = time.perf_counter() - started
    load_end = " ".join(f"{x:.2f}" for x in os.getloadavg())
    text = report(results, queries, processes, machine(), args, elapsed, (load_start, load_end), corpus_check,
                  (fingerprint_start, source_fingerprint()))
    note = plot(results, args.out.with_name("cost.png"))
    if note:
        text = text.replace("![cost against N](cost.png)", note)
    # the other benchmarks' marked sections (serve_load.py, read_office.py: bench/sections.py) stay as they are
    current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
    others = current[current.index("\n<!-- "):] if "\n<!-- " in current else ""
    args.out.write_text(text + "\n" + others, encoding="utf-8")
    raw = {"sizes": [{"n": s.n, "build": [vars(r) | {"stdout": "", "stderr": r.stderr[-2000:]} for r in s.build],
                      "stages": {k: [vars(r) | {"stderr": r.stderr[-2000:]} for r in v]
                                 for k, v in s.stage_runs.items()},
                      "naive": vars(s.naive) if s.naive else None,
                      "jena": [vars(r) | {"stdout": r.stdout[-2000:]} for r in s.jena],
                      "validate_cli": [vars(r) | {"stdout": r.stdout[-2000:]} for r in s.validate_cli]}
                     for s in results],
           "queries": vars(queries) if queries else None,
           "processes": {k: [vars(r) for r in v] for k, v in processes.items()}}
    (args.work / "results.json").write_text(json.dumps(raw, indent=1, default=str), encoding="utf-8")
    log(f"wrote {args.out} and {args.out.with_name('cost.png')} ({elapsed / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
