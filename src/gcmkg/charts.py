"""Charts drawn on the server as SVG, from the rows `pages.Pages.chart_data` computes.

Plain SVG needs no script and no library, prints, scales and can be read by a screen reader: each chart has a
`<title>` and a `<desc>`, each mark a `<title>` with its value (a tooltip), and the page beside it links the
same rows as CSV and JSON. Colours come from one sequential ramp (the heatmap) and one qualitative palette
that stays distinguishable for the common colour-vision deficiencies (Okabe–Ito).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from . import iris

#: Okabe–Ito without black, then Paul Tol's muted dark colours: distinguishable for the common colour-vision
#: deficiencies, and enough for every role without a repeat.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#332288", "#882255",
           "#44AA99", "#999999", "#117733")
FONT = "font-family:system-ui,sans-serif;font-size:12px"


def _ramp(value: int, top: int) -> str:
    """White to dark blue, by the share of the largest value."""
    if value <= 0 or top <= 0:
        return "#f4f6f8"
    t = 0.15 + 0.85 * value / top
    r, g, b = (int(255 + (c - 255) * t) for c in (8, 69, 148))
    return f"#{r:02x}{g:02x}{b:02x}"


def _svg(key: str, width: int, height: int, title: str, desc: str, body: list[str]) -> str:
    """The chart: its title and description named by ids of its own (`key`), as several charts share a page."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-labelledby="{key}-title {key}-desc" '
            f'style="{FONT};max-width:100%;height:auto"><title id="{key}-title">{escape(title)}</title>'
            f'<desc id="{key}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>")


def _name(cell: object) -> tuple[str, str]:
    """(IRI, label) of a row's first cell."""
    return cell if isinstance(cell, tuple) else ("", str(cell))  # type: ignore[return-value]


def heatmap(header: list[str], rows: list[list], words: dict[str, str], href: Callable[[str], str]) -> str:
    """Actors (rows) × objectives (columns): a cell's shade is its count."""
    cell, left, top = 22, 260, 40
    width = left + cell * (len(header) - 1) + 10
    height = top + cell * max(len(rows), 1) + 10
    peak = max((v for row in rows for v in row[1:]), default=0)
    body = []
    for j, name in enumerate(header[1:]):
        x = left + j * cell + cell / 2
        number = f'<text x="{x}" y="{top - 8}" text-anchor="middle" fill="#1a4f8b">{escape(name)}</text>'
        link = href(str(iris.objective(int(name)))) if name.isdigit() else ""  # a column: an objective's page
        body.append(f'<a href="{escape(link)}">{number}</a>' if link else number)
    body.append(f'<text x="{left}" y="14" fill="#555">{escape(words["objective"])} →</text>')
    for i, row in enumerate(rows):
        iri, label = _name(row[0])
        y = top + i * cell
        text = escape(label if len(label) <= 34 else label[:33] + "…")
        link = href(iri) if iri else ""
        name = f'<text x="{left - 6}" y="{y + cell * 0.68}" text-anchor="end" fill="#1a4f8b">{text}</text>'
        body.append(f'<a href="{escape(link)}">{name}</a>' if link else name)
        for j, value in enumerate(row[1:]):
            x = left + j * cell
            tip = f"{label} × {words['objective']} {header[j + 1]}: {value}"
            body.append(f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" rx="2" '
                        f'fill="{_ramp(value, peak)}"><title>{escape(tip)}</title></rect>')
            if value:
                colour = "#fff" if value > peak / 2 else "#123"
                body.append(f'<text x="{x + (cell - 2) / 2}" y="{y + cell * 0.66}" text-anchor="middle" '
                            f'fill="{colour}" font-size="10" aria-hidden="true">{value}</text>')
    desc = f"{len(rows)} {words['actor']} × {len(header) - 1} {words['objectives']}"
    return _svg("heatmap", width, height, words["heatmap"], desc, body)


def grouped_bars(header: list[str], rows: list[list], words: dict[str, str], href: Callable[[str], str]) -> str:
    """One row per objective; per review two bars: sessions covering it and actors engaged with it."""
    series = header[1:]
    bar, gap, left, top = 9, 8, 300, 30
    group = bar * len(series) + gap
    peak = max((v for row in rows for v in row[1:]), default=0) or 1
    plot = 420
    width = left + plot + 60
    height = top + group * len(rows) + 20
    body = []
    for k, name in enumerate(series):
        x = left + k * 240
        label = name.replace("sessions", words["sessions_covering"]).replace("actors", words["actors_engaged_short"])
        body.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{PALETTE[k % len(PALETTE)]}"/>'
                    f'<text x="{x + 16}" y="16" fill="#333">{escape(label)}</text>')
    for i, row in enumerate(rows):
        iri, label = _name(row[0])
        y = top + i * group
        text = escape(label if len(label) <= 42 else label[:41] + "…")
        name = f'<text x="{left - 6}" y="{y + group / 2}" text-anchor="end" fill="#1a4f8b">{text}</text>'
        link = href(iri) if iri else ""
        body.append(f'<a href="{escape(link)}">{name}</a>' if link else name)
        for k, value in enumerate(row[1:]):
            w = plot * value / peak
            body.append(f'<rect x="{left}" y="{y + k * bar}" width="{max(w, 0.5):.1f}" height="{bar - 1}" '
                        f'fill="{PALETTE[k % len(PALETTE)]}"><title>{escape(label)} — {escape(series[k])}: '
                        f'{value}</title></rect>')
            body.append(f'<text x="{left + w + 4:.1f}" y="{y + k * bar + bar - 2}" font-size="9" fill="#333" '
                        f'aria-hidden="true">{value}</text>')
    return _svg("coverage", width, height, words["coverage"], f"{len(rows)} {words['objectives']}", body)


def stacked_bars(header: list[str], rows: list[list], words: dict[str, str], href: Callable[[str], str]) -> str:
    """One bar per session, stacked by role."""
    roles = header[1:]
    bar, left, top = 24, 170, 30 + 18 * ((len(roles) + 2) // 3)
    plot = 480
    totals = [sum(row[1:]) for row in rows]
    peak = max(totals, default=0) or 1
    width = left + plot + 60
    height = top + (bar + 6) * len(rows) + 20
    body = []
    for k, role in enumerate(roles):
        x = left + (k % 3) * 190 - 160
        y = 6 + 18 * (k // 3)
        body.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{PALETTE[k % len(PALETTE)]}"/>'
                    f'<text x="{x + 16}" y="{y + 10}" fill="#333">{escape(role)}</text>')
    for i, row in enumerate(rows):
        iri, label = _name(row[0])
        y = top + i * (bar + 6)
        name = f'<text x="{left - 6}" y="{y + bar * 0.65}" text-anchor="end" fill="#1a4f8b">{escape(label)}</text>'
        link = href(iri) if iri else ""
        body.append(f'<a href="{escape(link)}">{name}</a>' if link else name)
        x = float(left)
        for k, value in enumerate(row[1:]):
            if not value:
                continue
            w = plot * value / peak
            body.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{PALETTE[k % len(PALETTE)]}" '
                        f'stroke="#fff"><title>{escape(label)} — {escape(roles[k])}: {value}</title></rect>')
            x += w
        body.append(f'<text x="{x + 4:.1f}" y="{y + bar * 0.65}" fill="#333">{totals[i]}</text>')
    return _svg("sessions", width, height, words["per_session"], f"{len(rows)} {words['sessions']}", body)
