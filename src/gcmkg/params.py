"""`--param KEY=VALUE`: a value as people write it, made an RDF term, resolved, and bound to the query.

A value is an IRI (`<...>` or `https://...`), a prefixed name of the project's prefixes (`id:state/DNK`), an
integer, a literal (`"text"@lang`, `"text"^^<datatype>`, or plain text). Parameters whose `#+ kinds:` header
says they name a thing of the graph (`actor`, `review`, `code`) are then resolved through the data the query
runs on (the embedded store or the endpoint): a code (`DNK`, `IOM`, `OIM`), a label in any language
(`Danemark`, `Denmark`) or a local key (`ece-2024`) becomes the IRI, or for `code` every code of the actor it
names; an unknown or ambiguous value is a UsageError that names the closest candidates, never 0 silent rows.

Terms are bound as N-Triples terms through one trailing VALUES clause, never pasted into the query text: see
`bind_parameters`.

The label language (`gcmkg query --lang`) cannot be a trailing VALUES clause: the canned queries choose labels
inside subqueries, which a trailing clause joins only after they are evaluated. A query that takes it names a
variable in its header (`#+ lang: ?wantedLang`) and binds it, inside each subquery that picks labels, with
`VALUES ?wantedLang { "" }` ("": the report's language); `bind_language` puts the language tag, one of
`LANGUAGES`, in place of that "" and of nothing else. The query stays self-contained SPARQL 1.1, the same text
for the embedded stores and any endpoint.
"""

from __future__ import annotations

import difflib
import itertools
import logging
import re
import unicodedata
from collections import defaultdict

from typing import TYPE_CHECKING

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier as Term

from .errors import UsageError
from .iris import PREFIXES
from .store import QuerySyntaxError

if TYPE_CHECKING:
    from .query import QueryFile
    from .store import Store

VARNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# SPARQL IRIREF: no space, control character or any of <>"{}|^`\\
IRI_CHARS = re.compile(r'[^\x00-\x20<>"{}|^`\\]+')
IRI_LIKE = re.compile(r"(?:https?|urn|mailto|file|ftp|tag):\S+", re.IGNORECASE)
LANGTAG = re.compile(r"[A-Za-z]+(?:-[A-Za-z0-9]+)*")
TYPED = re.compile(r'"(.*)"(?:@([^@"]+)|\^\^<([^<>]*)>)?', re.DOTALL)
INTEGER = re.compile(r"[+-]?[0-9]+")


def parameter_term(value: str) -> Term:
    """The RDF term a --param value stands for: <iri> or an http(s)/urn/... IRI, an integer, "text"@lang,
    "text"^^<datatype>, "text", or else the text itself as a plain literal."""
    if value.startswith("<") and value.endswith(">"):
        return URIRef(value[1:-1])
    if IRI_LIKE.fullmatch(value):
        return URIRef(value)
    if INTEGER.fullmatch(value):
        return Literal(int(value))  # normalised lexical form: 02 -> "2"^^xsd:integer
    if value.startswith('"') and (m := TYPED.fullmatch(value)):
        text, lang, datatype = m.groups()
        if lang is not None:
            if not LANGTAG.fullmatch(lang):
                raise UsageError(f"bad language tag {lang!r} in a parameter")
            return Literal(text, lang=lang)
        if datatype is not None:
            return typed_literal(text, datatype)
        return Literal(text)
    return Literal(value)


def typed_literal(text: str, datatype: str) -> Literal:
    """A typed --param literal, or UsageError when its text is not of its datatype ("x"^^xsd:integer): rdflib
    logs such a literal with a traceback and keeps it, so its log is silenced here and its verdict read."""
    log = logging.getLogger("rdflib.term")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        term = Literal(text, datatype=URIRef(datatype))
    finally:
        log.setLevel(level)
    if term.ill_typed:
        raise UsageError(f"bad parameter value: {text!r} is not a valid <{datatype}>")
    return term


def parse_parameter(text: str) -> tuple[str, Term]:
    key, sep, value = text.partition("=")
    key = key.strip().lstrip("?$")
    if not sep or not VARNAME.fullmatch(key):
        raise UsageError(f"bad --param {text!r}: expected NAME=VALUE, NAME a SPARQL variable name")
    term = parameter_term(value)
    nt_term(term)  # validates
    return key, term


def _escape(text: str) -> str:
    if re.search(r"\\[uU]", text):
        # SPARQL expands \uXXXX escapes before parsing; refuse rather than risk a changed value
        raise UsageError(f"bad parameter value {text!r}: '\\u' and '\\U' are not allowed")
    out = []
    for ch in text:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or 0xD800 <= ord(ch) <= 0xDFFF:
            raise UsageError(f"bad parameter value {text!r}: control characters are not allowed")
        else:
            out.append(ch)
    return "".join(out)


def nt_term(term: Term) -> str:
    """An IRI or literal as an N-Triples term (valid SPARQL too), or UsageError."""
    if isinstance(term, URIRef):
        if not IRI_CHARS.fullmatch(str(term)):
            raise UsageError(f"bad IRI {str(term)!r} in a parameter")
        return f"<{term}>"
    if isinstance(term, Literal):
        lexical = f'"{_escape(str(term))}"'
        if term.language:
            if not LANGTAG.fullmatch(term.language):
                raise UsageError(f"bad language tag {term.language!r} in a parameter")
            return f"{lexical}@{term.language}"
        if term.datatype and term.datatype != XSD.string:
            return f"{lexical}^^{nt_term(term.datatype)}"
        return lexical
    raise UsageError(f"unsupported parameter value {term!r}")


def query_variables(text: str) -> tuple[set[str], bool]:
    """The variables named anywhere in the query, and whether it already ends with a VALUES clause
    (read from rdflib's SPARQL parse tree, not from the text)."""
    from pyparsing import ParseException, ParseResults
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    try:
        tree = parseQuery(text)
    except (ParseException, ValueError) as err:
        raise QuerySyntaxError(str(err)) from err
    names: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, Variable):
            names.add(str(node))
        elif isinstance(node, (CompValue, dict)):
            for child in node.values():
                walk(child)
        elif isinstance(node, (ParseResults, list, tuple)):
            for child in node:
                walk(child)

    walk(tree)
    return names, dict.get(tree[1], "valuesClause") is not None


#: The languages `--lang` takes: those of the reference graph's labels (en, fr) and of the Spanish reports (es;
#: where the reference graph has no Spanish label, the queries fall back on the report's language).
LANGUAGES = ("en", "fr", "es")


def language_slot(variable: str) -> re.Pattern[str]:
    """`VALUES ?variable { "" }`, as the canned queries write it (any spacing)."""
    return re.compile(r'VALUES\s+\?%s\s*\{\s*""\s*\}' % re.escape(variable))


def bind_language(query: QueryFile, lang: str | None) -> str:
    """The query text with the label language bound (see the module docstring); unchanged for None (the
    report's language) or for a query without a `#+ lang:` header (it has no labels to choose)."""
    if lang is not None and lang not in LANGUAGES:
        raise UsageError(f"unknown language {lang!r} for --lang: labels come in {', '.join(LANGUAGES)}")
    variable = getattr(query, "lang", None)
    if variable is None:
        return query.text
    slot = language_slot(variable)
    if not slot.search(query.text):
        raise UsageError(f'{query.path}: its header names ?{variable} for the language, but no '
                         f'`VALUES ?{variable} {{ "" }}` binds it')
    if lang is None:
        return query.text
    return slot.sub(f'VALUES ?{variable} {{ "{lang}" }}', query.text)


def bind_parameters(query: QueryFile, params: list[tuple[str, Term]], lang: str | None = None) -> str:
    """The query text with the label language bound (`bind_language`; None: the report's) and the parameters
    joined through a trailing VALUES clause built from N-Triples terms. A key given several times gives several
    alternatives (their rows are all kept)."""
    text = bind_language(query, lang)
    if not params:
        return text
    variables, has_values = query_variables(query.text)
    if has_values:
        raise UsageError(f"{query.path}: the query already ends with a VALUES clause; it cannot take --param")
    values: dict[str, list[str]] = {}
    for key, term in params:
        if query.params is not None and key not in query.params:
            declared = ", ".join(query.params) or "none"
            raise UsageError(f"query {query.name!r} has no parameter {key!r} (parameters: {declared})")
        if key not in variables:
            raise UsageError(f"query {query.name!r} has no variable ?{key}")
        values.setdefault(key, []).append(nt_term(term))
    keys = list(values)
    rows = itertools.product(*(dict.fromkeys(values[k]) for k in keys))
    body = "\n".join("  (" + " ".join(row) + ")" for row in rows)
    return f"{text.rstrip()}\n\nVALUES ({' '.join('?' + k for k in keys)}) {{\n{body}\n}}\n"


# ---------------------------------------------------------------------------------------------- resolution

#: What a value of each kind of parameter may be matched on, and the class of the things it names.
KIND_CLASS = {"actor": "gcm:Actor", "code": "gcm:Actor", "review": "gcm:Review"}
NAME_PROPERTIES = ("skos:prefLabel|skos:altLabel|rdfs:label|foaf:name|gcm:acronym|gcm:iso3166Alpha3|"
                   "gcm:iso3166Alpha2|skos:notation")
CODE_PROPERTIES = ("gcm:acronym", "gcm:iso3166Alpha3")
CANDIDATES = """PREFIX gcm: <https://w3id.org/gcmkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT DISTINCT ?x ?v ?code WHERE {{
  ?x a/rdfs:subClassOf* {cls} .
  OPTIONAL {{ ?x {names} ?v }}
  OPTIONAL {{ ?x {codes} ?code }}
}}"""


def fold(text: str) -> str:
    """Text as a person may type it: case, accents, apostrophes and spacing ignored."""
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).casefold().split())


def expand(value: str) -> URIRef | None:
    """A prefixed name of the project's prefixes (`id:state/DNK`) as its IRI, else None."""
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return URIRef(str(PREFIXES[prefix]) + local)
    return None


def resolve_parameters(query: QueryFile, params: list[tuple[str, Term]], store: Store) -> list[tuple[str, Term]]:
    """The parameters with every value of a parameter the query's `#+ kinds:` header names resolved on `store`
    (see the module docstring); others as given."""
    kinds = query.kinds or {}
    out: list[tuple[str, Term]] = []
    tables: dict[str, dict] = {}
    for key, term in params:
        kind = kinds.get(key)
        if kind is None:
            out.append((key, term))
            continue
        if kind not in KIND_CLASS:
            raise UsageError(f"{query.path}: unknown parameter kind {kind!r} (known: {', '.join(KIND_CLASS)})")
        if kind not in tables:
            tables[kind] = candidates(store, kind)
        out += [(key, t) for t in resolve(key, kind, term, tables[kind])]
    return out


def candidates(store: Store, kind: str) -> dict[URIRef, tuple[set[str], set[str]]]:
    """Each thing of the kind's class on the store: its folded names and its codes as printed."""
    text = CANDIDATES.format(cls=KIND_CLASS[kind], names=NAME_PROPERTIES, codes="|".join(CODE_PROPERTIES))
    found: dict = defaultdict(lambda: (set(), set()))
    for x, v, code in store.query(text).rows:
        if not isinstance(x, URIRef):
            continue
        names, codes = found[x]
        names.add(fold(str(x).rstrip("/").rsplit("/", 1)[-1]))  # the IRI's last segment: DNK, ece-2024
        if v is not None:
            names.add(fold(str(v)))
        if code is not None:
            codes.add(str(code))
    return dict(found)


def resolve(key: str, kind: str, term: Term, table: dict[URIRef, tuple[set[str], set[str]]]) -> list[Term]:
    """The terms one value of a parameter of `kind` stands for (see the module docstring)."""
    plain = isinstance(term, Literal) and not term.language and term.datatype in (None, XSD.string)
    iri = term if isinstance(term, URIRef) else expand(str(term)) if plain else None
    if iri is not None:  # an IRI is taken as given
        matches = [iri]
    else:
        wanted = fold(str(term))
        matches = sorted(x for x, (names, _) in table.items() if wanted in names)
        if not matches:
            every = sorted({name for names, _ in table.values() for name in names})
            close = difflib.get_close_matches(wanted, every, n=5, cutoff=0.6)
            hint = f"; closest: {', '.join(close)}" if close else ""
            raise UsageError(f"--param {key}={term}: no {kind} of the graph has this name or code{hint}")
        if len(matches) > 1:
            raise UsageError(f"--param {key}={term} is ambiguous: it names {', '.join(f'<{m}>' for m in matches)}; "
                             "give the IRI")
    if kind != "code":
        return list(matches)
    codes = sorted({Literal(c) for m in matches for c in table.get(m, (set(), set()))[1]})
    if not codes:
        raise UsageError(f"--param {key}={term}: <{matches[0]}> has no code (ISO 3166-1 alpha-3 or acronym)")
    return codes
