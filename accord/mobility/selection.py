"""The selection of applicants: eligibility, an explained score, a deterministic ranking.

Pure functions over plain values, so the rule can be read in one place, shown to users and
tested on random applicant sets. The service (``services.selection_run``) loads the call,
calls ``select`` and writes the outcome.

The rule, as shown on every call page:

* An application is eligible when it meets every condition of the call: GPA at least the
  minimum, CEFR level at least the minimum, field among the call's fields, level among the
  call's levels, and a score for every criterion that has a weight.
* Each criterion is scored out of 100: the GPA as a share of its scale, the CEFR level as
  A1 0, A2 20, B1 40, B2 60, C1 80, C2 100, the interview and other criteria as entered.
* The score is the weighted mean of the criteria, rounded to two decimals.
* Eligible applications are ranked by score, then by GPA, then by language level, then by
  the earlier submission, then by the lower application number. The first ``places`` are
  selected, the rest wait on the list in rank order; the ineligible are not ranked.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from accord.mobility.models import CEFR_ORDER, CEFR_POINTS

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")
CRITERIA = ("gpa", "language", "interview", "other")


@dataclass(frozen=True)
class Rules:
    places: int
    gpa_scale: Decimal
    weights: dict[str, Decimal]
    min_gpa: Decimal | None = None
    min_cefr: str = ""
    subject_areas: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    id: int
    submitted_on: datetime.date
    gpa: Decimal | None = None
    language_level: str = ""
    interview_score: Decimal | None = None
    other_score: Decimal | None = None
    subject_area: str = ""
    level: str = ""


@dataclass
class Outcome:
    id: int
    status: str  # selected, waitlisted, ineligible
    score: Decimal | None = None
    rank: int | None = None
    # What each criterion gave: {"gpa": {"value": "3.6", "points": "90.00", "weight": "50"}, …}
    parts: dict[str, dict[str, str]] = field(default_factory=dict)
    reasons: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "score": str(self.score) if self.score is not None else None,
            "parts": self.parts,
            "reasons": [{"code": code, **params} for code, params in self.reasons],
        }


def _points(criterion: str, candidate: Candidate, rules: Rules) -> Decimal | None:
    if criterion == "gpa":
        if candidate.gpa is None:
            return None
        return candidate.gpa * HUNDRED / rules.gpa_scale
    if criterion == "language":
        return Decimal(CEFR_POINTS[candidate.language_level]) if candidate.language_level else None
    if criterion == "interview":
        return candidate.interview_score
    return candidate.other_score


def _raw(criterion: str, candidate: Candidate) -> str:
    value = {
        "gpa": candidate.gpa,
        "language": candidate.language_level,
        "interview": candidate.interview_score,
        "other": candidate.other_score,
    }[criterion]
    return "" if value is None else str(value)


def assess(candidate: Candidate, rules: Rules) -> Outcome:
    """Eligibility and score of one candidate, with the reasons and the parts of the score."""
    reasons: list[tuple[str, dict[str, str]]] = []
    if rules.min_gpa is not None and (candidate.gpa is None or candidate.gpa < rules.min_gpa):
        reasons.append(("gpa_below", {"value": _raw("gpa", candidate), "minimum": f"{rules.min_gpa:f}"}))
    if rules.min_cefr and (
        not candidate.language_level or CEFR_ORDER.index(candidate.language_level) < CEFR_ORDER.index(rules.min_cefr)
    ):
        reasons.append(("language_below", {"value": candidate.language_level, "minimum": rules.min_cefr}))
    if rules.subject_areas and candidate.subject_area not in rules.subject_areas:
        reasons.append(("field_not_open", {"value": candidate.subject_area}))
    if rules.levels and candidate.level not in rules.levels:
        reasons.append(("level_not_open", {"value": candidate.level}))
    parts: dict[str, dict[str, str]] = {}
    total_weight = sum(rules.weights.values(), Decimal(0))
    weighted = Decimal(0)
    for criterion in CRITERIA:
        weight = rules.weights.get(criterion, Decimal(0))
        if not weight:
            continue
        points = _points(criterion, candidate, rules)
        if points is None:
            reasons.append(("missing_" + criterion, {}))
            continue
        points = points.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
        parts[criterion] = {
            "value": _raw(criterion, candidate),
            "points": str(points),
            "weight": f"{weight.normalize():f}",  # 50, not 5E+1
        }
        weighted += points * weight
    if reasons:
        return Outcome(candidate.id, "ineligible", None, None, parts, reasons)
    score = (weighted / total_weight).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    return Outcome(candidate.id, "eligible", score, None, parts, [])


def ranking_key(candidate: Candidate, outcome: Outcome) -> tuple:
    """Higher score first, then higher GPA, higher language level, earlier submission, lower number."""
    gpa = candidate.gpa if candidate.gpa is not None else Decimal(-1)
    language = CEFR_ORDER.index(candidate.language_level) if candidate.language_level else -1
    return (-outcome.score, -gpa, -language, candidate.submitted_on, candidate.id)


def select(candidates: Sequence[Candidate], rules: Rules) -> list[Outcome]:
    """Outcomes for every candidate, the ranked ones first in rank order, then the ineligible by number."""
    assessed = [(c, assess(c, rules)) for c in candidates]
    eligible = sorted(((c, o) for c, o in assessed if o.status == "eligible"), key=lambda pair: ranking_key(*pair))
    outcomes: list[Outcome] = []
    for rank, (_candidate, outcome) in enumerate(eligible, start=1):
        outcome.rank = rank
        outcome.status = "selected" if rank <= rules.places else "waitlisted"
        outcomes.append(outcome)
    outcomes.extend(sorted((o for _c, o in assessed if o.status == "ineligible"), key=lambda o: o.id))
    return outcomes
