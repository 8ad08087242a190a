"""Cue phrases and concept lexicons, one TOML data file per report language."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

FLAGS = re.IGNORECASE | re.UNICODE


@dataclass(frozen=True)
class Lexicon:
    language: str
    data: dict[str, Any]

    def pattern(self, section: str, key: str, flags: int = FLAGS) -> re.Pattern[str]:
        return _compile(self.data[section][key], flags)

    def patterns(self, section: str, key: str, flags: int = FLAGS) -> list[re.Pattern[str]]:
        return [_compile(p, flags) for p in self.data[section][key]]

    def words(self, section: str, key: str) -> list[str]:
        return list(self.data[section][key])

    def table(self, section: str) -> dict[str, Any]:
        return dict(self.data.get(section, {}))

    def ordinal(self, word: str) -> int | None:
        return self.data["ordinals"].get(word.lower())

    def month(self, word: str) -> int | None:
        return self.data["months"].get(word.lower())

    def roles(self) -> list[tuple[str, re.Pattern[str]]]:
        return [(role, _compile(p, FLAGS)) for role, p in self.data["roles"].items()]

    def concepts(self) -> list[tuple[str, list[re.Pattern[str]]]]:
        """Concept key ('theme/diaspora') with its word-bounded patterns, sorted for determinism."""
        table = self.data.get("concepts", {})
        return [(key, [_compile(rf"(?<!\w)(?:{p})(?!\w)", FLAGS) for p in table[key]]) for key in sorted(table)]


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
