"""The selection rule itself: eligibility with its reasons, an explained score, a deterministic ranking.

These tests call the pure functions of ``accord.mobility.selection`` (no database): first worked
examples for every step of the rule, then properties that must hold for any set of applicants.
"""

from __future__ import annotations

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.mobility.models import CEFR_ORDER
from accord.mobility.selection import Candidate, Rules, assess, select

D = datetime.date
OPENED = D(2026, 3, 1)
WEIGHTS = {"gpa": Decimal(50), "language": Decimal(20), "interview": Decimal(30), "other": Decimal(0)}


def rules(**changes) -> Rules:
    values = {"places": 2, "gpa_scale": Decimal(4), "weights": dict(WEIGHTS)}
    values.update(changes)
    return Rules(**values)


def candidate(id: int, gpa="3.20", language="B2", interview="80", day=10, **changes) -> Candidate:
    values = {
        "id": id,
        "submitted_on": OPENED + datetime.timedelta(days=day),
        "gpa": Decimal(gpa) if gpa is not None else None,
        "language_level": language,
        "interview_score": Decimal(interview) if interview is not None else None,
        "subject_area": "0714",
        "level": "bachelor",
    }
    values.update(changes)
    return Candidate(**values)


def by_id(outcomes) -> dict:
    return {o.id: o for o in outcomes}


def ranked_ids(outcomes) -> list[int]:
    return [o.id for o in sorted((o for o in outcomes if o.rank is not None), key=lambda o: o.rank)]


# --- score and explanation -----------------------------------------------------------------------


def test_the_score_is_the_weighted_mean_of_the_criteria_out_of_100():
    # given GPA 3.6/4 = 90 points, B2 = 60 points, interview 70
    one = candidate(1, gpa="3.6", language="B2", interview="70")

    # when
    outcome = assess(one, rules())

    # then (90×50 + 60×20 + 70×30) / 100 = 78
    assert outcome.status == "eligible"
    assert outcome.score == Decimal("78.00")
    assert outcome.parts == {
        "gpa": {"value": "3.6", "points": "90.00", "weight": "50"},
        "language": {"value": "B2", "points": "60.00", "weight": "20"},
        "interview": {"value": "70", "points": "70.00", "weight": "30"},
    }
    assert outcome.as_json()["reasons"] == []


def test_a_gpa_on_a_scale_of_ten_is_scored_as_a_share_of_that_scale():
    outcome = assess(candidate(1, gpa="8.25", language="C1", interview="90"), rules(gpa_scale=Decimal(10)))

    assert outcome.parts["gpa"]["points"] == "82.50"
    # (82.5×50 + 80×20 + 90×30) / 100 = 84.25
    assert outcome.score == Decimal("84.25")


def test_a_criterion_without_weight_is_neither_required_nor_shown():
    # given only the GPA counts
    only_gpa = rules(weights={"gpa": Decimal(1), "language": Decimal(0), "interview": Decimal(0), "other": Decimal(0)})

    outcome = assess(candidate(1, gpa="3.00", language="", interview=None), only_gpa)

    assert outcome.status == "eligible"
    assert outcome.score == Decimal("75.00")
    assert set(outcome.parts) == {"gpa"}


def test_the_score_is_rounded_half_up_to_two_decimals():
    # given weights of 1, 1 and 1: (90 + 60 + 71) / 3 = 73.666…
    even = {"gpa": Decimal(1), "language": Decimal(1), "interview": Decimal(1), "other": Decimal(0)}

    outcome = assess(candidate(1, gpa="3.6", language="B2", interview="71"), rules(weights=even))

    assert outcome.score == Decimal("73.67")


# --- eligibility ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "call", "code", "params"),
    [
        ({"gpa": Decimal("2.49")}, {"min_gpa": Decimal("2.50")}, "gpa_below", {"value": "2.49", "minimum": "2.50"}),
        ({"language_level": "B1"}, {"min_cefr": "B2"}, "language_below", {"value": "B1", "minimum": "B2"}),
        ({"language_level": ""}, {"min_cefr": "A2"}, "language_below", {"value": "", "minimum": "A2"}),
        ({"subject_area": "0311"}, {"subject_areas": ("0714", "0724")}, "field_not_open", {"value": "0311"}),
        ({"level": "master"}, {"levels": ("bachelor",)}, "level_not_open", {"value": "master"}),
        ({"interview_score": None}, {}, "missing_interview", {}),
        ({"gpa": None}, {}, "missing_gpa", {}),
        ({"language_level": ""}, {}, "missing_language", {}),
    ],
)
def test_an_ineligible_application_says_why_and_is_not_ranked(changes, call, code, params):
    # given one applicant who misses one condition, one who meets them all
    missing = candidate(1, **changes)
    fine = candidate(2, gpa="2.50", language="B2")

    # when
    outcomes = by_id(select([missing, fine], rules(places=5, **call)))

    # then
    assert outcomes[1].status == "ineligible"
    assert outcomes[1].rank is None and outcomes[1].score is None
    assert {"code": code, **params} in outcomes[1].as_json()["reasons"]
    assert outcomes[2].status == "selected" and outcomes[2].rank == 1


def test_the_minimum_itself_is_enough():
    outcome = assess(
        candidate(1, gpa="2.50", language="B2"), rules(min_gpa=Decimal("2.50"), min_cefr="B2", levels=("bachelor",))
    )

    assert outcome.status == "eligible"


def test_every_condition_missed_is_listed():
    outcome = assess(
        candidate(1, gpa="2.0", language="A2", subject_area="0311", level="master", interview=None),
        rules(min_gpa=Decimal("2.5"), min_cefr="B1", subject_areas=("0714",), levels=("bachelor",)),
    )

    codes = [reason["code"] for reason in outcome.as_json()["reasons"]]
    assert codes == ["gpa_below", "language_below", "field_not_open", "level_not_open", "missing_interview"]


# --- ranking, ties, waiting list -----------------------------------------------------------------


def test_the_highest_scores_are_selected_and_the_rest_wait_in_rank_order():
    # given four applicants with interview scores 60, 90, 75, 80 and two places
    applicants = [candidate(i, interview=score) for i, score in enumerate(["60", "90", "75", "80"], start=1)]

    outcomes = by_id(select(applicants, rules(places=2)))

    assert ranked_ids(outcomes.values()) == [2, 4, 3, 1]
    assert [outcomes[i].status for i in (2, 4, 3, 1)] == ["selected", "selected", "waitlisted", "waitlisted"]
    assert [outcomes[i].rank for i in (2, 4, 3, 1)] == [1, 2, 3, 4]


def test_with_no_places_every_eligible_applicant_waits():
    outcomes = select([candidate(1), candidate(2, interview="90")], rules(places=0))

    assert [(o.id, o.status, o.rank) for o in outcomes] == [(2, "waitlisted", 1), (1, "waitlisted", 2)]


def test_more_places_than_applicants_selects_every_eligible_one():
    outcomes = by_id(select([candidate(1), candidate(2, gpa="1.0")], rules(places=5, min_gpa=Decimal(2))))

    assert outcomes[1].status == "selected"
    assert outcomes[2].status == "ineligible"


def test_ties_on_score_are_broken_by_the_gpa():
    # given equal scores, 80: GPA 3.2 (80 pts) with interview 80, GPA 3.6 (90 pts) with interview 70
    weights = {"gpa": Decimal(1), "language": Decimal(0), "interview": Decimal(1), "other": Decimal(0)}
    lower_gpa = candidate(1, gpa="3.2", interview="80", day=1)
    higher_gpa = candidate(2, gpa="3.6", interview="70", day=9)

    outcomes = by_id(select([lower_gpa, higher_gpa], rules(weights=weights, places=1)))

    assert outcomes[1].score == outcomes[2].score == Decimal("80.00")
    assert outcomes[2].status == "selected" and outcomes[1].status == "waitlisted"


def test_ties_on_score_and_gpa_are_broken_by_the_language_level():
    # given weights without language: equal scores and GPAs, B1 against C1
    weights = {"gpa": Decimal(50), "language": Decimal(0), "interview": Decimal(50), "other": Decimal(0)}
    b1 = candidate(1, language="B1", day=1)
    c1 = candidate(2, language="C1", day=9)

    outcomes = by_id(select([b1, c1], rules(weights=weights, places=1)))

    assert outcomes[1].score == outcomes[2].score
    assert ranked_ids(outcomes.values()) == [2, 1]


def test_ties_on_score_gpa_and_language_are_broken_by_the_earlier_submission():
    late = candidate(1, day=9)
    early = candidate(2, day=2)

    outcomes = by_id(select([late, early], rules(places=1)))

    assert ranked_ids(outcomes.values()) == [2, 1]
    assert outcomes[2].status == "selected"


def test_full_ties_are_broken_by_the_lower_application_number():
    outcomes = by_id(select([candidate(7), candidate(3), candidate(5)], rules(places=1)))

    assert ranked_ids(outcomes.values()) == [3, 5, 7]
    assert outcomes[3].status == "selected"


def test_the_ineligible_come_after_the_ranked_by_number():
    outcomes = select(
        [candidate(9, gpa="1.0"), candidate(4), candidate(2, gpa="1.5")], rules(min_gpa=Decimal(2), places=3)
    )

    assert [(o.id, o.status) for o in outcomes] == [(4, "selected"), (2, "ineligible"), (9, "ineligible")]


# --- properties over random applicant sets -------------------------------------------------------

LEVELS = ["", *CEFR_ORDER]
decimal_scores = st.decimals(min_value=0, max_value=100, places=2).map(lambda d: d.quantize(Decimal("0.01")))


@st.composite
def applicant_sets(draw):
    """Up to 25 applicants with few distinct values, so that ties are frequent, and the call's rules."""
    scale = draw(st.sampled_from([Decimal(4), Decimal(10)]))
    gpas = st.sampled_from([None] + [scale * Decimal(n) / 8 for n in range(9)]).map(
        lambda g: None if g is None else g.quantize(Decimal("0.01"))
    )
    size = draw(st.integers(min_value=0, max_value=25))
    ids = draw(st.lists(st.integers(min_value=1, max_value=10_000), min_size=size, max_size=size, unique=True))
    candidates = [
        Candidate(
            id=pk,
            submitted_on=OPENED + datetime.timedelta(days=draw(st.integers(0, 3))),
            gpa=draw(gpas),
            language_level=draw(st.sampled_from(LEVELS)),
            interview_score=draw(st.one_of(st.none(), st.sampled_from([Decimal(s) for s in (50, 70, 90)]))),
            other_score=draw(st.one_of(st.none(), decimal_scores)),
            subject_area=draw(st.sampled_from(["0714", "0724", "0311"])),
            level=draw(st.sampled_from(["bachelor", "master"])),
        )
        for pk in ids
    ]
    weights = {c: Decimal(draw(st.integers(0, 5))) for c in ("gpa", "language", "interview", "other")}
    if not any(weights.values()):
        weights["gpa"] = Decimal(1)
    call = Rules(
        places=draw(st.integers(0, 12)),
        gpa_scale=scale,
        weights=weights,
        min_gpa=draw(st.one_of(st.none(), st.sampled_from([scale / 2, scale * 3 / 4]))),
        min_cefr=draw(st.sampled_from(["", "B1", "B2"])),
        subject_areas=draw(st.sampled_from([(), ("0714", "0724")])),
        levels=draw(st.sampled_from([(), ("bachelor",)])),
    )
    return candidates, call


def stated_key(candidate: Candidate, score: Decimal) -> tuple:
    """The rule as the call page states it, written again here independently of the code."""
    gpa = candidate.gpa if candidate.gpa is not None else Decimal(-1)
    language = CEFR_ORDER.index(candidate.language_level) if candidate.language_level else -1
    return (-score, -gpa, -language, candidate.submitted_on, candidate.id)


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(applicant_sets(), st.randoms(use_true_random=False))
def test_the_outcome_does_not_depend_on_the_order_of_the_applications(data, rnd):
    candidates, call = data
    shuffled = list(candidates)
    rnd.shuffle(shuffled)

    first = select(candidates, call)
    second = select(shuffled, call)

    assert [o.as_json() | {"id": o.id, "status": o.status, "rank": o.rank} for o in first] == [
        o.as_json() | {"id": o.id, "status": o.status, "rank": o.rank} for o in second
    ]


@PROPERTY
@given(applicant_sets())
def test_every_applicant_gets_one_outcome_and_as_many_are_selected_as_places_allow(data):
    candidates, call = data

    outcomes = select(candidates, call)

    assert sorted(o.id for o in outcomes) == sorted(c.id for c in candidates)
    eligible = [o for o in outcomes if o.status != "ineligible"]
    selected = [o for o in outcomes if o.status == "selected"]
    assert len(selected) == min(call.places, len(eligible))
    assert {o.status for o in outcomes} <= {"selected", "waitlisted", "ineligible"}


@PROPERTY
@given(applicant_sets())
def test_ranks_run_from_one_without_gaps_and_the_ineligible_are_never_ranked(data):
    candidates, call = data

    outcomes = select(candidates, call)

    ranks = [o.rank for o in outcomes if o.status != "ineligible"]
    assert sorted(ranks) == list(range(1, len(ranks) + 1))
    for outcome in outcomes:
        if outcome.status == "ineligible":
            assert outcome.rank is None and outcome.score is None and outcome.reasons
        else:
            assert outcome.reasons == []


@PROPERTY
@given(applicant_sets())
def test_every_selected_applicant_outranks_every_waitlisted_one_by_the_stated_key(data):
    candidates, call = data
    people = {c.id: c for c in candidates}

    outcomes = select(candidates, call)

    ranked = sorted((o for o in outcomes if o.rank is not None), key=lambda o: o.rank)
    keys = [stated_key(people[o.id], o.score) for o in ranked]
    assert keys == sorted(keys)
    selected = [k for k, o in zip(keys, ranked, strict=True) if o.status == "selected"]
    waitlisted = [k for k, o in zip(keys, ranked, strict=True) if o.status == "waitlisted"]
    assert all(s < w for s in selected for w in waitlisted)
    assert all(o.status == "selected" for o in ranked[: call.places])


@PROPERTY
@given(applicant_sets())
def test_the_parts_of_the_explanation_add_up_to_the_score(data):
    candidates, call = data
    total_weight = sum(call.weights.values())

    for outcome in select(candidates, call):
        if outcome.status == "ineligible":
            continue
        parts = outcome.as_json()["parts"]
        assert set(parts) == {c for c, w in call.weights.items() if w}
        weighted = sum(Decimal(p["points"]) * Decimal(p["weight"]) for p in parts.values())
        assert (weighted / total_weight).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) == outcome.score
        assert Decimal(outcome.as_json()["score"]) == outcome.score


@PROPERTY
@given(applicant_sets(), st.data())
def test_raising_an_applicants_score_never_lowers_their_rank(data, more):
    candidates, call = data
    eligible = [o for o in select(candidates, call) if o.rank is not None]
    if not eligible:
        return
    chosen = more.draw(st.sampled_from(eligible))
    before = chosen.rank
    person = next(c for c in candidates if c.id == chosen.id)
    # raise one of the criteria that count for them (an interview or other score, or a better language level)
    raised = {
        "interview_score": min(Decimal(100), (person.interview_score or Decimal(0)) + Decimal(10)),
        "other_score": min(Decimal(100), (person.other_score or Decimal(0)) + Decimal("7.5")),
    }
    if person.language_level and person.language_level != "C2":
        raised["language_level"] = CEFR_ORDER[CEFR_ORDER.index(person.language_level) + 1]
    field = more.draw(st.sampled_from(sorted(raised)))
    better = Candidate(**{**person.__dict__, field: raised[field]})

    after = by_id(select([better if c.id == person.id else c for c in candidates], call))[person.id]

    assert after.score >= chosen.score
    assert after.rank <= before
    if after.rank <= call.places:
        assert after.status == "selected"


def test_a_large_random_set_is_ranked_the_same_in_every_order():
    # one concrete large case beside the generated ones: 300 applicants, 40 places
    rnd = random.Random(2026)
    applicants = [
        candidate(
            i,
            gpa=str(Decimal(rnd.randint(200, 400)) / 100),
            language=rnd.choice(CEFR_ORDER),
            interview=str(rnd.randint(40, 100)),
            day=rnd.randint(0, 20),
        )
        for i in range(1, 301)
    ]
    call = rules(places=40, min_gpa=Decimal("2.5"))
    shuffled = list(applicants)
    rnd.shuffle(shuffled)

    first, second = select(applicants, call), select(shuffled, call)

    assert [(o.id, o.rank, o.status) for o in first] == [(o.id, o.rank, o.status) for o in second]
    assert sum(o.status == "selected" for o in first) == 40
