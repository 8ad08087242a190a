"""How fast gcmkg reads a report as the UN publishes it: a 30-page PDF in at most 3 s.

    python bench/read_office.py [--pages 30] [--repeat 3] [--out bench/RESULTS.md]

The PDF is the bundled report's PDF fixture (tests/data/office/ece-gcm-2024-review-fr.pdf, 14 pages, made by
LibreOffice from the Word fixture) looped until it has `--pages` pages, written to bench/.corpus/office/. Measured, each the median of `--repeat` runs in this process
after one warm-up run (imports and the lexicons loaded): the PDF to Markdown (`gcmkg.pdf.to_markdown`, what
`gcmkg build` adds to a Markdown report's cost), the Word fixture to Markdown (`gcmkg.word.to_markdown`), and the
whole `gcmkg.convert.convert` of the report as Markdown, Word and PDF. The results replace this script's own
section of RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from sections import replace_section  # bench/sections.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
OFFICE = ROOT / "tests" / "data" / "office"
STEM = "ece-gcm-2024-review-fr"
BEGIN = "<!-- read_office.py: begin -->"
END = "<!-- read_office.py: end -->"
GOAL = 3.0  # seconds for a 30-page PDF


def looped_pdf(source: Path, pages: int, out: Path) -> Path:
    """`source` repeated (the last copy cut short) until the PDF has `pages` pages (pypdfium2 copies the pages)."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(source.read_bytes())
    have = len(src)
    doc = pdfium.PdfDocument.new()
    while len(doc) < pages:
        doc.import_pages(src, list(range(min(have, pages - len(doc)))))
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def timed(fn, repeat: int) -> float:
    fn()  # warm-up: imports, lexicons, reference graph
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    sys.path.insert(0, str(ROOT / "src"))
    import pypdfium2 as pdfium

    from gcmkg import pdf, word
    from gcmkg.convert import convert

    big = looped_pdf(OFFICE / f"{STEM}.pdf", args.pages, ROOT / "bench" / ".corpus" / "office" / f"{args.pages}-pages.pdf")
    pages = len(pdfium.PdfDocument(big.read_bytes()))
    data = big.read_bytes()
    docx = OFFICE / f"{STEM}.docx"
    rows = [
        (f"PDF to Markdown, {pages} pages ({big.stat().st_size // 1024} KiB)",
         timed(lambda: pdf.to_markdown(big, data), args.repeat)),
        ("PDF to Markdown, the report alone (14 pages)",
         timed(lambda: pdf.to_markdown(OFFICE / f"{STEM}.pdf", (OFFICE / f"{STEM}.pdf").read_bytes()), args.repeat)),
        ("Word to Markdown, the report", timed(lambda: word.to_markdown(docx, docx.read_bytes()), args.repeat)),
    ]
    for label, path in (("Markdown", ROOT / "graph" / "sources" / f"{STEM}.md"), ("Word", docx),
                        ("PDF", OFFICE / f"{STEM}.pdf")):
        rows.append((f"`convert` of the report from {label}", timed(lambda p=path: convert(p, ROOT), args.repeat)))
    verdict = "met" if rows[0][1] <= GOAL * pages / 30 else "NOT met"
    from importlib.metadata import version

    versions = f"pypdfium2 {version('pypdfium2')}, python-docx {version('python-docx')}"
    text = [BEGIN, "", "## Reading PDF and Word reports (bench/read_office.py)", "",
            f"Machine: {platform.machine()}, {os.cpu_count()} logical cores, load average {load:.2f} "
            f"at start; Python {platform.python_version()}, {versions}. Median of {args.repeat} runs after a "
            "warm-up, in one process.", "",
            "| what | time |", "|---|---|"]
    text += [f"| {label} | {seconds:.2f} s |" for label, seconds in rows]
    text += ["", f"Verdict: **{verdict}** — a {pages}-page PDF read in {rows[0][1]:.2f} s (goal ≤ {GOAL:.0f} s for 30 pages).",
             "", END]
    section = "\n".join(text) + "\n"
    replace_section(args.out, BEGIN, END, section)
    print(section)
    return 0 if verdict == "met" else 1


if __name__ == "__main__":
    sys.exit(main())
