"""Names in running text: actors (States, organisations) resolved through the gazetteer, persons recognised by
the shape of their names, lists of names split where the gazetteer says a name ends."""

from __future__ import annotations

import re

from rdflib import URIRef

from .errors import Diagnostics
from .iris import GCM
from .lexicon import FLAGS, Lexicon
from .records import Actor
from .resolve import Gazetteer, normal

ACTOR_KINDS = (GCM.State, GCM.Organisation, GCM.Territory)  # a territory: an associate member of a commission
PAREN_TAIL = re.compile(r"^(?P<name>.+?)\s*\((?P<inner>[^()]+)\)$")
# "y" is not one: "Norteamérica y el Caribe" is a place, and a Spanish name joined by "y" is rare.
PARTICLES = {"de", "du", "des", "van", "von", "der", "den", "da", "dos", "das", "di", "del", "bin", "ibn", "al", "el", "le", "la"}


class Names:
    def __init__(self, lexicon: Lexicon, gazetteer: Gazetteer, diagnostics: Diagnostics):
        self.lex = lexicon
        self.gaz = gazetteer
        self.diag = diagnostics
        self.articles = sorted(lexicon.words("text", "articles") + lexicon.words("text", "speaker_prefixes"),
                               key=len, reverse=True)
        # the same, by length (longest first), so a text is cut and case-folded once per length, not per article
        self.article_forms: dict[int, set[str]] = {}
        for article in self.articles:
            self.article_forms.setdefault(len(article), set()).add(article.casefold())
        self.honorific = re.compile(r"^(?:(?:" + "|".join(lexicon.words("text", "honorifics")) + r")\s*)+", FLAGS)
        self.function_words = {w.casefold() for w in lexicon.words("text", "function_words")}
        self.separators = re.compile("(" + "|".join(lexicon.words("text", "list_separators")) + ")", FLAGS)
        # set once the title block is read: regional names ("Réseau régional ...") resolve per commission
        self.commission: URIRef | None = None

    def strip_steps(self, text: str) -> list[str]:
        """The text, then the text without each leading article or prefix in turn:
        "Les représentants de l'Arménie" -> "représentants de l'Arménie" -> "de l'Arménie" -> "Arménie"."""
        text = text.strip().strip(".").strip()
        steps = [text]
        changed = True
        while changed:
            changed = False
            for length, forms in self.article_forms.items():
                if len(text) > length and text[:length].casefold().replace("’", "'") in forms:
                    text = text[length:].lstrip()
                    steps.append(text)
                    changed = True
                    break
        return steps

    def strip_articles(self, text: str) -> str:
        return self.strip_steps(text)[-1]

    def lookup(self, text: str) -> tuple[URIRef, ...]:
        """Resolve one name, trying it as printed, without articles, without a trailing
        parenthesis (an acronym or a host), by its acronym, and as a joint "A/B" pair."""
        for candidate in self.strip_steps(text):
            if not candidate:
                continue
            iri = self.gaz.lookup(candidate, ACTOR_KINDS, self.commission)
            if iri is not None:
                return (iri,)
            paren = PAREN_TAIL.match(candidate)
            if paren:
                for part in (paren.group("name"), paren.group("inner")):
                    iri = self.gaz.lookup(self.strip_articles(part), ACTOR_KINDS, self.commission)
                    if iri is not None:
                        return (iri,)
            if "/" in candidate:
                parts = [self.lookup(p) for p in candidate.split("/") if p.strip()]
                if parts and all(parts):
                    return tuple(dict.fromkeys(i for p in parts for i in p))
        return ()

    def actor(self, raw: str, line: int, context: str) -> Actor:
        raw = raw.strip().rstrip(".").strip()
        iris = self.lookup(raw)
        if not iris:
            close = self.gaz.closest(self.strip_articles(raw))
            hint = f"; closest known names: {', '.join(close)}" if close else ""
            if elsewhere := self.gaz.regional_elsewhere(self.strip_articles(raw), self.commission):
                hint = ("; in reports of " + ", ".join(self.gaz.label(c, self.lex.language) or str(c) for c in elsewhere)
                        + " it names a regional body, but the reference graph has none under that name for "
                        + (self.gaz.label(self.commission, self.lex.language) or "this commission")
                        + " (gcm:regionalName, gcm:regionOfCommission)")
            self.diag.warn(line, f"unresolved name {raw!r} in {context}: kept as an unresolved actor{hint}")
        return Actor(self.strip_articles(raw) if not iris else raw, iris, line)

    def split_list(self, text: str) -> list[str]:
        """Split "A, B et C" into names, rejoining pieces whose union is a known name
        ("Royaume-Uni de Grande-Bretagne et d'Irlande du Nord") by dynamic programming."""
        pieces = self.separators.split(text.strip().rstrip("."))
        tokens, seps = pieces[0::2], pieces[1::2]
        n = len(tokens)
        # best[end]: the score of the best split of tokens[:end], where its last item starts, and that item
        # (the items are read back from the end, so each cell holds one item, not a copy of the list)
        best: list[tuple[tuple[int, int, int], int, str] | None] = [None] * (n + 1)
        best[0] = ((0, 0, 0), 0, "")
        resolves: dict[str, bool] = {}  # a list that repeats a name looks it up once
        for end in range(1, n + 1):
            for start in range(max(0, end - 10), end):
                previous = best[start]
                if previous is None:
                    continue
                item = tokens[start]
                for k in range(start + 1, end):
                    item += seps[k - 1] + tokens[k]
                item = item.strip()
                if not item:
                    continue
                if item not in resolves:
                    resolves[item] = bool(self.lookup(item))
                resolved = resolves[item]
                covered, count, items = previous[0]
                score = (covered + (end - start if resolved else 0), count + int(resolved), items + 1)
                if best[end] is None or score > best[end][0]:
                    best[end] = (score, start, item)
        result: list[str] = []
        end = n if best[n] is not None else 0
        while end > 0:
            _, end, item = best[end]  # type: ignore[misc]
            result.append(item)
        result.reverse()
        return [item for item in result if self.strip_articles(item)]

    def actors(self, text: str, line: int, context: str) -> list[Actor]:
        return [self.actor(item, line, context) for item in self.split_list(text)]

    def is_name(self, segment: str) -> bool:
        """A person's name: two to six capitalised words, none of them a function word or a known actor."""
        text = self.honorific.sub("", segment.strip()).strip()
        tokens = text.split()
        if not 2 <= len(tokens) <= 6 or any(ch.isdigit() for ch in text) or self.lookup(text):
            return False
        for index, token in enumerate(tokens):
            bare = token.strip(",;.()")
            if not bare or bare.casefold() in self.function_words:
                return False
            if bare.casefold() in PARTICLES and index > 0:
                continue
            if not bare[0].isupper() or (index == 0 and normal(bare + " ") in {normal(a) for a in self.articles}):
                return False
        return self.lex.ordinal(tokens[0]) is None

    def person(self, segment: str, line: int) -> Actor:
        name = self.honorific.sub("", segment.strip()).strip().strip(",")
        return Actor(name, (), line, person=True)

    def affiliation(self, function: str | None, line: int) -> Actor | None:
        """The first state or organisation a function names ("Ministre espagnole ...", "... de l'OIM")."""
        if not function:
            return None
        found: list[tuple[int, Actor]] = []
        for start, end, iri in self.gaz.scan(function, ACTOR_KINDS):
            found.append((start, Actor(function[start:end], (iri,), line)))
        for match in re.finditer(r"\w[\w-]*", function):
            state = self.gaz.demonym(match.group(0))
            if state is not None:
                found.append((match.start(), Actor(match.group(0), (state,), line)))
        if not found:
            iris = self.lookup(function)
            return Actor(function, iris, line) if iris else None
        return sorted(found, key=lambda f: f[0])[0][1]
