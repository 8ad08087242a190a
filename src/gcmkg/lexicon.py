"""Cue phrases and concept lexicons, one TOML data file per report language."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

FLAGS = re.IGNORECASE | re.UNICODE
WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Role:
    """A session role as a lexicon defines it: a label means the role when one of its `means` words is in it and
    none of its `unless` words (the words of a more specific role: "lead" in "Lead Member State speaker")."""

    name: str
    means_words: tuple[re.Pattern[str], ...]
    unless_words: tuple[re.Pattern[str], ...]

    def means(self, label: str) -> bool:
        return any(p.search(label) for p in self.means_words) and not any(p.search(label) for p in self.unless_words)


@dataclass(frozen=True)
class Lexicon:
    language: str
    data: dict[str, Any]

    def pattern(self, section: str, key: str, flags: int = FLAGS) -> re.Pattern[str]:
        return _compile(self.data[section][key], flags)

    def patterns(self, section: str, key: str, flags: int = FLAGS) -> list[re.Pattern[str]]:
        """A list of patterns; a single pattern written as a string is a list of one."""
        value = self.data.get(section, {}).get(key, [])
        return [_compile(p, flags) for p in ([value] if isinstance(value, str) else value)]

    def words(self, section: str, key: str) -> list[str]:
        return list(self.data[section][key])

    def table(self, section: str) -> dict[str, Any]:
        return dict(self.data.get(section, {}))

    def ordinal(self, word: str) -> int | None:
        return self.data["ordinals"].get(word.lower())

    def month(self, word: str) -> int | None:
        return self.data["months"].get(word.lower())

    def roles(self) -> list[Role]:
        """The roles of a session, each known by its meaning words (see `Role`)."""
        return [Role(name, tuple(_compile(p, FLAGS) for p in spec["means"]),
                     tuple(_compile(p, FLAGS) for p in spec.get("unless", [])))
                for name, spec in self.data["roles"].items()]

    def role_of(self, label: str) -> list[str]:
        """The roles a label means: none (not a role label), one, or several (ambiguous: never guessed)."""
        return [role.name for role in self.roles() if role.means(label)]

    def prose_roles(self) -> list[tuple[str, re.Pattern[str]]]:
        """(role, pattern with a `list` group): a role given in a sentence instead of a label line."""
        return [(role, _compile(p, FLAGS)) for role, patterns in self.data.get("prose_roles", {}).items()
                for p in patterns]

    def concepts(self) -> list[tuple[str, list[re.Pattern[str]]]]:
        """Concept key ('theme/diaspora') with its patterns, sorted for determinism; `whole_words` finds them."""
        table = self.data.get("concepts", {})
        return [(key, [_compile(rf"(?:{p})(?!\w)", FLAGS) for p in table[key]]) for key in sorted(table)]


def whole_words(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    r"""The matches of `pattern` in `text` that start a word, as `(?<!\w)pattern` would find them: a leading
    look-behind keeps Python's regex engine from skipping ahead to where a match can start (half the time of
    a report's conversion), so the start is checked here, and a match that starts inside a word is looked
    for again one character later."""
    position = 0
    while (match := pattern.search(text, position)) is not None:
        if match.start() > 0 and WORD.match(text, match.start() - 1):
            position = match.start() + 1
            continue
        yield match
        position = match.end() if match.end() > match.start() else match.end() + 1


@cache
def _compile(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def available() -> list[str]:
    return sorted(p.name.removesuffix(".toml") for p in resources.files(__package__).joinpath("lexicons").iterdir()
                  if p.name.endswith(".toml") and "-" not in p.name)


@cache
def load(language: str) -> Lexicon:
    folder = resources.files(__package__).joinpath("lexicons")
    data = tomllib.loads(folder.joinpath(f"{language}.toml").read_text(encoding="utf-8"))
    return Lexicon(data["language"], data)
