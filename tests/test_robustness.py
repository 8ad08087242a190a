"""No crash, no hang, on any input: patterns in linear time, odd digits and Unicode forms, and a fuzz test.

The fuzz test mutates the bundled report (lines dropped, duplicated, swapped; random Unicode, control
characters, combining and right-to-left marks, stray Markdown markers and numbers inserted; very long lines)
and runs the converter on each, and the real command line on a sample: the only outcomes allowed are a
graph (exit 0), a graph that does not conform (exit 1) or an input error naming file and line (exit 2, nothing
written), with one-line messages and never a traceback. It is seeded (`derandomize`), so every run tries the
same inputs, and each input has a deadline. Speed goals live in bench/; the time bounds here only catch hangs.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import time
import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic
from rdflib import Literal
from rdflib.namespace import DCTERMS, XSD

from gcmkg import iris, validate
from gcmkg.cli import main
from gcmkg.dataset import to_ox
from gcmkg.convert import Converted, convert
from gcmkg.errors import InputError
from gcmkg.iris import GCM
from gcmkg.reader import plain

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "graph" / "sources" / "ece-gcm-2024-review-fr.md"
BUNDLED_TEXT = BUNDLED.read_text(encoding="utf-8")
REVIEW = iris.review("ECE", 2024)
# Generous: a hang (the quadratic patterns took minutes on 40 KB) fails it, a slow machine does not.
SECONDS = 20


def write(tmp_path: Path, text: str, name: str = "report-fr.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def replaced(old: str, new: str) -> str:
    assert old in BUNDLED_TEXT, old
    return BUNDLED_TEXT.replace(old, new, 1)


def paragraph_text(converted: Converted, part: str, number: int) -> str:
    return str(converted.graph.value(iris.paragraph(REVIEW, part, number), GCM.text))


# ---------------------------------------------------------------------------------------------- linear time

# A line with no "." or ";" is one sentence piece: each pattern that read the rest of the piece from every word
# (the right-of-reply cues, `<sup>` and links without their closing half, emphasis, the review's cue phrases)
# took quadratic time on it. Its words touch each of them: markers never closed, cue words, names, numbers.
LONG_LINE_UNIT = ("la délégation de l'Arménie *a souligné **que <sup>les [travaux](en _cours de la <http:région "
                  "avant le Forum d'examen des migrations internationales au nom de 65 organisations ")
LONG_LINE = (LONG_LINE_UNIT * (1_000_000 // len(LONG_LINE_UNIT) + 1)).strip()  # a little over 1 MB
LONG_LINE_PLACES = {  # where the line goes, and the paragraph it joins
    # a line of its own under the first thematic session's paragraph, before its role lines
    "session": ("*Organisateurs principaux* : OIT", LONG_LINE + "\n\n*Organisateurs principaux* : OIT", "body", 13),
    # a paragraph of the opening chapter, where the statements and the review's facts are read
    "paragraph": ("8. La Conférence", "90. " + LONG_LINE + "\n\n8. La Conférence", "body", 90),
    # an annex paragraph, where the objectives and themes are looked for
    "annex": ("### Résumé des débats des coprésidentes",
              "### Résumé des débats des coprésidentes\n\n99. " + LONG_LINE, "annex", 99),
}


@pytest.mark.parametrize("place", list(LONG_LINE_PLACES))
def test_a_one_megabyte_line_converts_in_seconds(tmp_path: Path, place: str) -> None:
    old, new, part, number = LONG_LINE_PLACES[place]
    path = write(tmp_path, replaced(old, new))
    convert(BUNDLED, ROOT)  # the reference graph is parsed once per process: not part of what is timed
    start = time.perf_counter()
    converted = convert(path, ROOT)
    seconds = time.perf_counter() - start
    assert seconds < SECONDS, f"{seconds:.1f} s for a 1 MB line in a {place}"
    assert len(paragraph_text(converted, part, number)) > 900_000  # all of it read, less its Markdown


# ---------------------------------------------------------------------------------------------- odd input

@pytest.mark.parametrize("digit", ["²", "⑤", "½"])
def test_a_superscript_that_is_a_digit_but_not_a_number_stays_as_text(tmp_path: Path, digit: str) -> None:
    # "²".isdigit() is True, but int("²") raises: the reader asks what int() reads (decimal digits)
    converted = convert(write(tmp_path, replaced("le 15 mai 2023<sup>1</sup>.", f"le 15 mai 2023<sup>{digit}</sup>.")),
                        ROOT)
    assert f"2023{digit}" in paragraph_text(converted, "body", 2)


def test_a_call_out_in_another_script_s_digits_is_read_as_its_number(tmp_path: Path) -> None:
    converted = convert(write(tmp_path, replaced("le 15 mai 2023<sup>1</sup>.", "le 15 mai 2023<sup>١</sup>.")), ROOT)
    paragraph = iris.paragraph(REVIEW, "body", 2)
    assert (paragraph, GCM.hasFootnote, iris.paragraph(REVIEW, "footnote", 1)) in converted.graph
    assert "2023." in paragraph_text(converted, "body", 2)


def test_a_report_saved_decomposed_converts_as_the_composed_one(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", BUNDLED_TEXT)
    assert decomposed != BUNDLED_TEXT  # "é" is "e" + U+0301 there
    converted = convert(write(tmp_path, decomposed, BUNDLED.name), ROOT)
    expected = convert(BUNDLED, ROOT)
    assert isomorphic(converted.graph, expected.graph)
    assert [w.message for w in converted.diagnostics.warnings] == [w.message for w in expected.diagnostics.warnings]


def test_a_paragraph_numbered_1000_is_a_paragraph(tmp_path: Path) -> None:
    converted = convert(write(tmp_path, replaced("## Annexe", "1000. Le Pacte mondial a été évoqué.\n\n## Annexe")),
                        ROOT)
    assert paragraph_text(converted, "body", 1000) == "Le Pacte mondial a été évoqué."
    assert "Pacte mondial a été évoqué" not in paragraph_text(converted, "body", 21)


def test_a_footnote_numbered_1000_is_a_footnote(tmp_path: Path) -> None:
    text = replaced("le 15 mai 2023<sup>1</sup>.", "le 15 mai 2023<sup>1000</sup>.")
    converted = convert(write(tmp_path, text.replace("<sup>1</sup> [https", "<sup>1000</sup> [https", 1)), ROOT)
    assert (iris.paragraph(REVIEW, "body", 2), GCM.hasFootnote, iris.paragraph(REVIEW, "footnote", 1000)) \
        in converted.graph


def test_a_paragraph_number_too_long_to_be_one_is_refused_with_file_and_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, replaced("## Annexe", "12345678901. Texte.\n\n## Annexe"))
    line = path.read_text(encoding="utf-8").split("\n").index("12345678901. Texte.") + 1
    out = tmp_path / "out"
    assert main(["build", str(path), "--out", str(out), "-q"]) == 2
    assert f"{path}:{line}: paragraph number 12345678901 has 11 digits" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("old,new", [
    ("plus de 65 organisations", "plus de " + "6" * 5000 + " organisations"),  # int() refuses 4,300 digits
    ("à sa 128<sup>e</sup> réunion", "à sa " + "1" * 5000 + "<sup>e</sup> réunion"),
], ids=["ngo-count", "decision-meeting"])
def test_a_number_of_thousands_of_digits_is_a_warning(tmp_path: Path, old: str, new: str) -> None:
    converted = convert(write(tmp_path, replaced(old, new)), ROOT)
    assert any("digits" in w.message and "not read as a number" in w.message for w in converted.diagnostics.warnings)
    review = converted.extraction.review
    assert review.ngo_count is None if "organisations" in old else review.decision is None


def test_a_character_reference_of_thousands_of_digits_is_the_replacement_character() -> None:
    assert plain("a &#" + "1" * 5000 + "; b") == "a \ufffd b"
    assert plain("&#" + "0" * 5000 + "65;") == "A"


def test_an_address_that_is_no_iri_stays_in_the_text_and_the_build_succeeds(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # found by the fuzz test: "http://a%zz" became a dcterms:references IRI that pyoxigraph refuses (a traceback)
    path = write(tmp_path, replaced("le 15 mai 2023<sup>1</sup>.", "le 15 mai 2023<sup>1</sup> (http://a%zz)."))
    assert main(["build", str(path), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert "Traceback" not in capsys.readouterr().err
    converted = convert(path, ROOT)
    assert "(http://a%zz)" in paragraph_text(converted, "body", 2)
    assert not [o for o in converted.graph.objects(iris.paragraph(REVIEW, "body", 2), DCTERMS.references)]


@pytest.mark.parametrize("name", ['Solidarity\\Centre', 'Solidarity "Centre"'], ids=["backslash", "quote"])
def test_an_unresolved_name_with_a_backslash_or_a_quote_builds(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, replaced("Solidarity Center ;", f"{name} ;"))
    assert main(["build", str(path), "--out", str(tmp_path / "out"), "-q"]) == 0


TRICKY_LITERALS = [Literal('a\\b'), Literal('say "hi"', lang="fr"), Literal('"'), Literal('x"@fr'),
                   Literal('two\nlines\r'), Literal('ends with \\'), Literal('"q"', datatype=XSD.string),
                   Literal("2", datatype=XSD.token), Literal("tab\there, bell\x07"), Literal("émoji 😀 中文", lang="fr")]


def test_pyrudof_findings_give_back_the_literal_that_failed() -> None:
    """pyrudof prints the value of a finding unescaped; `validate` must still hand back the very literal."""
    data = "".join(f"<urn:a> <urn:p> {to_ox(value)} .\n" for value in TRICKY_LITERALS)
    data += "<urn:a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <urn:C> .\n"
    shapes = ("@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
              "<urn:S> a sh:NodeShape ; sh:targetClass <urn:C> ; "
              "sh:property [ sh:path <urn:p> ; sh:datatype xsd:integer ] .")
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(data, format=pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(shapes)
    values = [validate._rudof_term(str(v.value)) for v in rudof.validate_shacl().violations]
    # compared as RDF 1.1 terms, where a plain literal is an xsd:string (rdflib tells them apart)
    assert sorted(str(to_ox(v)) for v in values) == sorted(str(to_ox(v)) for v in TRICKY_LITERALS)


def test_an_annex_section_for_a_session_the_body_lacks_is_kept_about_no_session(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # it used to be linked to a session with no other fact, and the graph then failed its shapes (exit 1)
    path = write(tmp_path, replaced("### Quatrième séance", "### Cinquième séance"))
    assert main(["build", str(path), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert ("annex paragraphs 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40 are under session 5, which the body of "
            "the report does not describe; kept with no session") in capsys.readouterr().err
    converted = convert(path, ROOT)
    orphan = iris.paragraph(REVIEW, "annex", 30)
    assert paragraph_text(converted, "annex", 30)
    assert converted.graph.value(orphan, GCM.aboutSession) is None
    assert converted.graph.value(iris.paragraph(REVIEW, "annex", 29), GCM.aboutSession) == iris.session(REVIEW, "3")


def test_a_url_closed_by_many_parentheses_keeps_what_it_opens() -> None:
    urls: list[str] = []
    plain("(voir https://example.org/a_(b)" + ")" * 100_000, urls=urls)
    assert urls == ["https://example.org/a_(b)"]


# ---------------------------------------------------------------------------------------------- fuzz

BUNDLED_LINES = BUNDLED_TEXT.split("\n")
MARKERS = ["*", "**", "***", "_", "__", "<sup>", "</sup>", "<sup>1</sup>", "<sup>2</sup>", "<sup>²</sup>", "|", "#",
           "## ", "#### ", "1. ", "24. ", "[", "](", ")", "(", "<", ">", "<b>", "<i ", "\\", "&#", "&#x110000;",
           "&amp;", "`", "~", "---", ":", " : ", ";", ".", ",", "/", "-", "'", "’", "«", "»", " ", "  ", "\t",
           "http://", "https://example.org/", "%", "%zz", "[x](http://"]
NUMBERS = ["0", "1", "2", "23", "24", "99", "999", "1000", "2024", "99999999999", "١", "²", "⑤", "２", "½"]
UNICODE = ["\x00", "\x01", "\x07", "\x0b", "\x0c", "\x1b", "\x1c", "\x7f", "\x85", "\u2028", "\u2029", "\r",
           "\u0301", "\u0308", "\u20dd", "\u200f", "\u202e", "\u2066", "\u200b", "\ufeff", "\u00a0", "\u202f",
           "é", "É", "ß", "ﬁ", "İ", "K", "😀", "中文", "עברית", "العربية"]
WORDS = ["Allemagne", "Royaume-Uni", "Atlantis", "OIM", "Modératrice", "Organisateurs principaux",
         "Contributions de fond présentées par", "État membre intervenant", "objectifs", "objectifs 2, 5 et 24",
         "séance", "Deuxième séance", "Annexe", "Table des matières", "Clôture", "Ouverture",
         "a exercé son droit de réponse", "au nom de", "Forum d'examen des migrations internationales",
         "organisée conjointement par", "était représentée par", "coprésidée par", "S.E.", "Mme", "11 mars 2024",
         "Genève, 11 mars 2024", "**Commission économique pour l'Europe**", "**Deuxième session**",
         "https://example.org/a_(b)", "<https://example.org>"]
PAIRS = [("<sup>", "</sup>"), ("*", "*"), ("**", "**"), ("_", "_"), ("[", "]("), ("](", ")"), ("<", ">"),
         ("&#", ";"), ("(", ")"), ("« ", " »")]
pieces = st.one_of(st.sampled_from(MARKERS + NUMBERS + UNICODE + WORDS), st.text(st.characters(codec="utf-8"), max_size=6))
# A piece alone, inside a pair of markers (`*Allemagne*`, `&#1234567;`): what the reader unwraps, or a number as a
# footnote call-out (`<sup>²</sup>`).
fragments = st.one_of(pieces, st.builds(lambda pair, inner: pair[0] + inner + pair[1], st.sampled_from(PAIRS),
                                        st.one_of(st.sampled_from(NUMBERS), pieces)),
                      st.sampled_from(NUMBERS).map(lambda n: f"<sup>{n}</sup>"))
lines_of_fragments = st.lists(fragments, min_size=1, max_size=8).map("".join)
MUTATIONS = ["drop", "duplicate", "swap", "insert", "edit", "long"]


@st.composite
def mutated_reports(draw: st.DrawFn) -> str:
    """The bundled report with one to eight mutations, each at a line drawn anywhere in it."""
    lines = list(BUNDLED_LINES)
    for _ in range(draw(st.integers(1, 8))):
        mutation = draw(st.sampled_from(MUTATIONS))
        i = draw(st.integers(0, len(lines) - 1)) if lines else 0
        if mutation == "drop" and lines:
            del lines[i]
        elif mutation == "duplicate" and lines:
            lines.insert(i, lines[i])
        elif mutation == "swap" and lines:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif mutation == "insert":
            lines.insert(i, draw(lines_of_fragments))
        elif mutation == "edit" and lines:
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(lines_of_fragments) + lines[i][at:]
        elif mutation == "long":
            unit = draw(lines_of_fragments) + draw(st.sampled_from(WORDS + [" ", " a "]))
            at = draw(st.integers(0, len(lines[i]))) if lines else 0
            line = lines[i] if lines else ""
            lines[i:i + 1] = [line[:at] + (unit * (60_000 // len(unit) + 1))[:60_000] + line[at:]]
    return "\n".join(lines)


FUZZ = settings(derandomize=True, database=None, deadline=timedelta(seconds=15), phases=[Phase.generate, Phase.shrink],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


def one_line_messages(stderr: str, code: int) -> None:
    """Every message on stderr is one line, `warning: FILE:LINE: ...` or `error: ...`; when a graph does not
    conform (exit 1), its validation report follows the error that says so, several lines a result."""
    assert "Traceback" not in stderr
    report = False
    for line in stderr.splitlines():
        if line.startswith("error: "):
            report = code == 1 and "does not conform" in line
        elif not report:
            assert line.startswith("warning: "), f"not a one-line message: {line[:300]!r}"


def written(folder: str, text: str) -> Path:
    """A mutated report as a file of the series (a language suffix in its name)."""
    path = Path(folder) / "report-fr.md"
    path.write_bytes(text.encode("utf-8"))
    return path


@settings(FUZZ, max_examples=150)
@given(mutated_reports())
def test_the_converter_reads_any_mutated_report_or_refuses_it_with_file_and_line(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = written(folder, text)
        try:
            converted = convert(path, ROOT)
        except InputError as err:  # the only exception allowed: unusable input, named by file and line
            assert err.problem.file == str(path) and err.problem.line >= 1
            assert "\n" not in err.problem.message and "\r" not in err.problem.message
            return
        for warning in converted.diagnostics.warnings:
            assert warning.file == str(path) and warning.line >= 1
            assert len(f"warning: {warning}".splitlines()) == 1, warning
        assert (None, None, None) in converted.graph


@settings(FUZZ, max_examples=10)
@given(mutated_reports())
def test_the_command_line_builds_any_mutated_report_with_exit_0_1_or_2(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = written(folder, text)
        out = Path(folder) / "out"
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            code = main(["build", str(path), "--out", str(out), "-q"])
        assert code in (0, 1, 2)
        one_line_messages(stderr.getvalue(), code)
        if code == 2:
            assert stderr.getvalue().count("error: ") == 1
            assert not out.exists() or not any(out.iterdir())
        if code == 0:
            assert (out / "report-fr.ttl").exists()
