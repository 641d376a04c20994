"""The demo programmes, call, selection and mobilities: what a newcomer finds after ``manage.py load_demo``,
and that a second run changes nothing."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from accord.accounts.models import User
from accord.agreements.demo import load_demo_agreements
from accord.agreements.models import Commitment
from accord.agreements.selectors import fulfilment
from accord.engagements.demo import load_demo_engagements
from accord.funding.demo import load_demo_funding
from accord.mobility.demo import JAPAN_CALL_TITLE, load_demo_mobility
from accord.mobility.models import (
    Application,
    ApplicationStatus,
    Call,
    CallStatus,
    Category,
    Direction,
    Mobility,
    MobilityStatus,
    Programme,
)
from accord.mobility.selectors import exchange_balance
from accord.partners.demo import DemoError, load_demo
from accord.partners.models import Organization

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 11, 23)
SEEDS = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"


def _load(today: datetime.date = TODAY) -> str:
    load_demo(stdout=None)
    admin = User.objects.get(username="admin")
    load_demo_agreements(acting_user=admin, stdout=None)
    load_demo_engagements(acting_user=admin, stdout=None)
    load_demo_funding(acting_user=admin, stdout=None)
    out = io.StringIO()
    load_demo_mobility(acting_user=admin, stdout=out, today=today)
    return out.getvalue()


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _org(name: str) -> Organization:
    return Organization.objects.get(name=name)


def test_loading_twice_creates_nothing_the_second_time():
    # given
    first = _load()
    counts = _row_counts()

    # when
    second = _load()

    # then
    assert _row_counts() == counts
    assert "Loaded the demo mobility: 8 programmes, 1 calls, 12 applications" in first
    assert "already loaded; nothing was changed" in second
    assert Programme.objects.count() == 8
    assert Call.objects.count() == 1


def test_the_japan_call_has_twelve_applicants_and_a_confirmed_selection_that_nominated_its_places():
    # when
    _load()

    # then
    call = Call.objects.get(title=JAPAN_CALL_TITLE)
    assert call.owner.name == "Trường Đại học Hạ Long"
    assert call.status == CallStatus.CONFIRMED
    assert call.confirmed_by.username == "admin"
    assert call.applications.count() == 12
    eligible = call.applications.exclude(status=ApplicationStatus.INELIGIBLE).count()
    nominated = Mobility.objects.filter(application__call=call)
    assert nominated.count() == min(call.places, eligible) == 5
    assert set(nominated.values_list("status", flat=True)) == {MobilityStatus.NOMINATED}
    assert set(nominated.values_list("direction", flat=True)) == {Direction.OUTGOING}
    assert set(call.applications.filter(status=ApplicationStatus.NOMINATED).values_list("rank", flat=True)) == {
        1,
        2,
        3,
        4,
        5,
    }
    assert call.applications.filter(status=ApplicationStatus.WAITLISTED).count() == 5


def test_the_nominees_go_to_the_three_japanese_partners_and_the_two_best_on_government_scholarships():
    # when
    _load()

    # then
    nominated = Mobility.objects.filter(application__call__title=JAPAN_CALL_TITLE)
    assert set(nominated.values_list("host_organization__name", flat=True)) == {
        "Osaka University",
        "Asahikawa University",
        "Kitami Institute of Technology",
    }
    scholars = nominated.filter(programme__funder__name="Government of Japan")
    assert sorted(scholars.values_list("application__rank", flat=True)) == [1, 2]
    assert set(scholars.values_list("funding_note", flat=True)) == {"Japanese Government scholarship"}


def test_the_tie_at_the_last_place_goes_to_the_higher_gpa_although_the_other_applied_first():
    # when
    _load()

    # then
    fifth = Application.objects.get(rank=5)
    sixth = Application.objects.get(rank=6)
    assert fifth.score == sixth.score == Decimal("75.50")
    assert fifth.gpa > sixth.gpa
    assert sixth.submitted_on < fifth.submitted_on
    assert fifth.status == ApplicationStatus.NOMINATED
    assert sixth.status == ApplicationStatus.WAITLISTED


def test_two_applicants_are_not_eligible_with_the_reason_explained():
    # when
    _load()

    # then
    ineligible = Application.objects.filter(status=ApplicationStatus.INELIGIBLE).order_by("id")
    reasons = [[r["code"] for r in a.explanation["reasons"]] for a in ineligible]
    assert reasons == [["gpa_below"], ["language_below"]]
    assert all(a.rank is None for a in ineligible)


def test_every_person_in_the_demo_is_fictitious():
    # when
    _load()

    # then
    assert Application.objects.count() == 12
    assert Mobility.objects.count() == 36
    assert not Application.objects.filter(fictitious=False).exists()
    assert not Mobility.objects.filter(fictitious=False).exists()
    assert all("@example.org" in email for email in Application.objects.values_list("email", flat=True))


def test_the_people_are_not_named_after_anyone_in_the_seed_articles_and_the_texts_are_our_own():
    # given
    if not SEEDS.is_dir():
        pytest.skip("the seed articles are not next to this checkout")
    articles = " ".join(path.read_text(encoding="utf-8") for path in SEEDS.glob("0*.txt"))

    # when
    _load()

    # then
    names = list(Mobility.objects.values_list("full_name", flat=True))
    names += list(Application.objects.values_list("full_name", flat=True))
    assert names
    assert not [name for name in names if name in articles]
    texts = [p.name for p in Programme.objects.all()] + [p.description for p in Programme.objects.all()]
    texts += [c.description for c in Call.objects.all()] + list(Mobility.objects.values_list("note", flat=True))
    folded = articles.casefold()
    for text in texts:
        words = text.split()
        # No run of six words is taken from the articles.
        runs = {" ".join(words[i : i + 6]).casefold() for i in range(len(words) - 5)}
        assert not [run for run in runs if run in folded], text


def test_the_exchange_balance_with_jica_shows_one_incoming_volunteer_a_year_since_2017():
    # given
    _load()
    jica = _org("Japan International Cooperation Agency")

    # when
    balance = exchange_balance(Mobility.objects.all(), by="partner")

    # then
    rows = [row for row in balance.rows if row.key == jica.pk]
    assert [row.year for row in rows] == [f"{year}/{year + 1}" for year in range(2017, 2026)]
    assert all(row.incoming_people == 1 and row.outgoing_people == 0 for row in rows)
    assert all(row.incoming_months > 10 for row in rows)
    volunteers = Mobility.objects.filter(partner=jica)
    assert set(volunteers.values_list("category", flat=True)) == {Category.VOLUNTEER}
    assert set(volunteers.values_list("host_organization__name", flat=True)) == {"Trường Đại học Hạ Long"}


def test_the_exchange_balance_with_lntu_counts_both_directions():
    # given
    _load()
    lntu = _org("Liaoning Technical University")

    # when
    balance = exchange_balance(Mobility.objects.filter(partner=lntu), by="partner")

    # then
    by_year = {row.year: (row.incoming_people, row.outgoing_people) for row in balance.rows}
    # 2025/2026: four at the Summer Experience in, two exchange students out; 2026/2027: two exchange
    # students in, five out on the 2+2 and 3+1 programmes.
    assert by_year == {"2025/2026": (4, 2), "2026/2027": (2, 5)}


def test_japanese_students_learning_vietnamese_come_in_on_the_language_course():
    # when
    _load()

    # then
    learners = Mobility.objects.filter(programme__name="Vietnamese for Japanese students at Ha Long University")
    assert learners.count() == 4
    assert set(learners.values_list("direction", "category", "nationality")) == {
        (Direction.INCOMING, Category.STUDENT, "JP")
    }


def test_the_qui_programmes_say_their_structure_and_implement_the_lntu_memorandum():
    # when
    _load()

    # then
    structures = dict(
        (p.name, p.structure) for p in Programme.objects.filter(kind="joint_training", owner__name__contains="Công")
    )
    assert structures == {
        "2+2 joint training with Liaoning Technical University": "2+2",
        "3+1 joint training with Liaoning Technical University": "3+1",
    }
    summer = Programme.objects.get(kind="summer")
    assert "Summer Experience" in summer.name
    assert list(summer.agreements.values_list("reference", flat=True)) == ["DEMO-QUI-LNTU-2025"]
    assert list(summer.partners.values_list("name", flat=True)) == ["Liaoning Technical University"]
    assert all(p.citations.exists() for p in Programme.objects.all())


def test_the_stays_count_towards_the_memorandum_commitments():
    # given
    _load()
    commitment = Commitment.objects.get(agreement__reference="DEMO-QUI-LNTU-2025", activity_type__code="joint_training")

    # when
    state = fulfilment(commitment, today=TODAY)

    # then
    assert state.year == "2026/2027"
    assert state.done == 5
    assert state.state == "fulfilled"


def test_the_status_of_a_stay_follows_its_dates_on_the_day_of_loading():
    # when
    _load(today=D(2025, 12, 1))

    # then
    jica = Mobility.objects.filter(partner__name="Japan International Cooperation Agency")
    assert jica.filter(status=MobilityStatus.COMPLETED).count() == 8
    ongoing = jica.get(status=MobilityStatus.ONGOING)
    assert ongoing.planned_start == D(2025, 9, 1)
    assert ongoing.actual_start == D(2025, 9, 1)
    summer = Mobility.objects.filter(programme__kind="summer")
    assert set(summer.values_list("status", flat=True)) == {MobilityStatus.CONFIRMED}


def test_the_ai_trainees_use_the_quotas_passed_on_to_the_two_universities():
    # when
    _load()

    # then
    trainees = Mobility.objects.filter(category=Category.TRAINEE)
    assert sorted(trainees.values_list("allocation__recipient__name", flat=True)) == [
        "Trường Đại học Công nghiệp Quảng Ninh",
        "Trường Đại học Công nghiệp Quảng Ninh",
        "Trường Đại học Công nghiệp Quảng Ninh",
        "Trường Đại học Hạ Long",
        "Trường Đại học Hạ Long",
    ]
    assert set(trainees.values_list("agreement__reference", flat=True)) == {"DEMO-GX-2025"}


def test_without_the_funding_demo_the_mobility_demo_refuses_and_writes_nothing():
    # given
    load_demo(stdout=None)
    admin = User.objects.get(username="admin")
    load_demo_agreements(acting_user=admin, stdout=None)
    load_demo_engagements(acting_user=admin, stdout=None)

    # when
    with pytest.raises(DemoError, match="load the demo funding first"):
        load_demo_mobility(acting_user=admin, stdout=None)

    # then
    assert not Programme.objects.exists()
    assert not Mobility.objects.exists()


def test_the_load_demo_command_loads_the_mobility_demo_and_can_run_twice():
    # given
    out = io.StringIO()

    # when
    call_command("load_demo", stdout=out)
    counts = _row_counts()
    call_command("load_demo", stdout=out)

    # then
    assert _row_counts() == counts
    assert Call.objects.get().status == CallStatus.CONFIRMED
    assert "Loaded the demo mobility" in out.getvalue()
    assert "The demo programmes, call and mobilities are already loaded" in out.getvalue()


def test_the_load_demo_command_prints_nothing_with_quiet():
    # given
    out = io.StringIO()

    # when
    call_command("load_demo", "--quiet", stdout=out)

    # then
    assert out.getvalue() == ""
    assert Mobility.objects.count() == 36
