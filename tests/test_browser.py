"""The pages in a real browser: Debian's headless Chromium, driven by Playwright (pointed at /usr/bin/chromium; no
browser download), on a `gcmkg serve` on 127.0.0.1. Each step takes a screenshot the test checks (not blank,
the expected labels in the DOM): the home page, a review, a session, an actor, an objective, a chart, a canned
query run from its form, and the switch to French that the next page remembers."""

from __future__ import annotations

import shutil
import struct
import zlib
from collections import Counter
from pathlib import Path

import pytest

from webserver import running

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).is_file():
    pytest.skip("Debian chromium is not installed (.ci/install-system-packages.sh)", allow_module_level=True)


def not_blank(png: bytes) -> bool:
    """True when a screenshot shows something. Its rows, as PNG stores them (each pixel the difference from its
    neighbour), are almost all one byte on a blank page, and hold many different bytes where there is text."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    data, pos = b"", 8
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        if kind == b"IDAT":
            data += png[pos + 8:pos + 8 + length]
        pos += 12 + length
    pixels = zlib.decompress(data)
    counts = Counter(pixels)
    return len(counts) > 64 and counts.most_common(1)[0][1] / len(pixels) < 0.99


@pytest.fixture(scope="module")
def base() -> str:
    with running("--workers", "1") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, base: str, tmp_path: Path):
    context = browser.new_context(base_url=base, viewport={"width": 1200, "height": 900}, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    yield page
    context.close()
    assert errors == []


def shot(page, tmp_path: Path, name: str) -> None:
    png = page.screenshot(path=str(tmp_path / f"{name}.png"))
    assert not_blank(png), name
    # nothing wider than the window: a long IRI in a note once pushed the property table off the right edge
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name} scrolls sideways"


def test_browse_from_home_to_actor_and_objective(page, tmp_path: Path) -> None:
    page.goto("/")
    assert page.locator("h1").inner_text().startswith("Knowledge graph")
    assert page.locator("header nav").inner_text().split()[:3] == ["Home", "Search", "Charts"]
    shot(page, tmp_path, "home")
    page.locator("section >> text=Review ECE-2024").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/id/review/ece-2024.html")
    assert page.locator("#summary").is_visible()
    shot(page, tmp_path, "review")
    page.locator("#summary table td a", has_text="session 2").first.click()
    page.wait_for_load_state()
    assert "/session/" in page.url
    assert page.get_by_role("heading", name="Roles in this session").is_visible()
    shot(page, tmp_path, "session")
    page.locator("#session li a", has_text="Denmark").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Denmark"
    assert page.locator("#participations blockquote").count() >= 2  # source paragraphs, quoted
    shot(page, tmp_path, "actor")
    page.locator("#participations a", has_text="Identity").first.click()
    page.wait_for_load_state()
    assert "/id/objective/4" in page.url
    assert page.get_by_role("heading", name="Actors engaged, by review and role").is_visible()
    assert page.locator("#engaged").inner_text().count("Denmark") >= 1
    shot(page, tmp_path, "objective")


def test_chart(page, tmp_path: Path) -> None:
    page.goto("/charts/heatmap?type=states")
    svg = page.locator("figure.chart svg")
    assert svg.is_visible()
    assert svg.locator("rect").count() > 100
    assert "Denmark" in (svg.text_content() or "")
    shot(page, tmp_path, "heatmap")
    page.locator("figcaption a", has_text="CSV").is_visible()


def test_run_a_canned_query_form(page, tmp_path: Path) -> None:
    page.goto("/")
    form = page.locator("#form-actor-sessions")
    form.locator("input[name=actor]").fill("Danemark")
    form.locator("button").click()
    page.wait_for_load_state()
    assert "/query/actor-sessions" in page.url
    rows = page.locator("table.results tbody tr")
    assert rows.count() >= 3
    assert "DNK" in rows.first.inner_text()
    shot(page, tmp_path, "query")
    page.locator("a", has_text="Denmark").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Denmark"


def test_switch_language(page, tmp_path: Path) -> None:
    page.goto("/id/state/DNK")
    assert page.locator("h1").inner_text() == "Denmark"
    page.locator("#switch-language").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Danemark"
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", name="Participations").is_visible()
    shot(page, tmp_path, "actor-fr")
    page.locator("header nav a", has_text="Graphiques").click()  # the choice is kept on the next page
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Graphiques"
    page.locator("#switch-language").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Charts"


def test_sparql_page(page, tmp_path: Path) -> None:
    page.goto("/sparql")
    page.locator("form.sparql button").click()  # the example query, answered as a table
    page.wait_for_load_state()
    rows = page.locator("table.results tbody tr")
    assert rows.count() >= 23
    assert "Ensure" in rows.first.inner_text() or "Collect" in rows.first.inner_text()
    shot(page, tmp_path, "sparql")
