"""What each chart of `gcmkg serve` and `gcmkg site` shows: its rows, computed from the served dataset's indexes.

A row's first cell is (IRI, label); the others are counts. The same rows are drawn (`charts`) and offered as
CSV and JSON, so what a chart shows can always be checked.

- heatmap: per actor and objective, how many substantive participations (contributions, lead speakings, and
  those others made on the actor's behalf) the actor had in sessions covering the objective;
- coverage: per objective and review, the sessions covering it and the actors engaged with it;
- sessions: per session, its participations by role.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from . import iris
from .linkeddata import last_segment, order_key

if TYPE_CHECKING:
    from .pages import Pages

GCM = str(iris.GCM)
NAMES = ("heatmap", "coverage", "sessions")
KINDS = ("states", "organisations", "persons")  # the heatmap's actor filters (`pages.Pages.actor_kind`)


def rows(pages: Pages, name: str, review: str, kind: str, lang: str) -> tuple[list[str], list[list]]:
    """(header, rows) of one chart, for one review (its key, e.g. ece-2024; "" for all) and actor kind."""
    served = pages.served
    objectives = sorted((s for s in served.out if served.has_type(s, GCM + "Objective")),
                        key=lambda o: served.integer(o, GCM + "objectiveNumber"))
    reviews = sorted(s for s in served.out if served.has_type(s, GCM + "Review"))
    if review:
        reviews = [r for r in reviews if last_segment(r) == review]
    if name == "heatmap":
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for r in reviews:
            for session in served.values(r, GCM + "hasSession"):
                covered = served.values(session.value, GCM + "coversObjective")
                for part in served.inc.get(session.value, {}).get(GCM + "substantiveIn", []):
                    actors = [a.value for p in (GCM + "participant", GCM + "onBehalfOf")
                              for a in served.values(part.value, p)]
                    for actor in set(actors):
                        if kind and pages.actor_kind(actor) != kind:
                            continue
                        for o in covered:
                            counts[(actor, o.value)] += 1
        totals: dict[str, int] = defaultdict(int)
        for (actor, _), n in counts.items():
            totals[actor] += n
        actors = sorted(totals, key=lambda a: (-totals[a], order_key(pages.label(a, lang))))
        header = ["actor", *(str(served.integer(o, GCM + 'objectiveNumber')) for o in objectives)]
        rows = [[(a, pages.label(a, lang)), *(counts.get((a, o), 0) for o in objectives)] for a in actors]
        return header, rows
    if name == "coverage":
        header = ["objective"] + [f"{last_segment(r)} {k}" for r in reviews for k in ("sessions", "actors")]
        rows = []
        for o in objectives:
            row: list = [(o, pages.short(o, lang))]
            for r in reviews:
                sessions = [s.value for s in served.inc.get(o, {}).get(GCM + "coversObjective", [])
                            if pages.review_of(s.value) == r]
                actors = {a.value for s in sessions for part in served.inc.get(s, {}).get(GCM + "substantiveIn", [])
                          for p in (GCM + "participant", GCM + "onBehalfOf") for a in served.values(part.value, p)}
                row += [len(sessions), len(actors)]
            rows.append(row)
        return header, rows
    if name == "sessions":
        roles: list[str] = []
        data: list[tuple[str, dict[str, int]]] = []
        for r in reviews:
            for session in sorted((s.value for s in served.values(r, GCM + "hasSession")), key=pages.session_key):
                per_role: dict[str, int] = defaultdict(int)
                for part in served.inc.get(session, {}).get(GCM + "inEvent", []):
                    role, _ = pages.participation_role(part.value, lang)
                    per_role[role] += 1
                    if role not in roles:
                        roles.append(role)
                data.append((session, per_role))
        roles.sort(key=lambda x: pages.label(x, lang))
        header = ["session", *(pages.label(x, lang) for x in roles)]
        several = len(reviews) > 1  # a session's label names its review only when there are several
        rows = [[(s, (f"{last_segment(pages.review_of(s)).upper()} · " if several else "") + pages.label(s, lang)),
                 *(per_role.get(x, 0) for x in roles)] for s, per_role in data]
        return header, rows
    raise KeyError(name)
