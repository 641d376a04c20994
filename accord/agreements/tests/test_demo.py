"""The demo agreements: what a newcomer finds after ``manage.py load_demo``, and that a second run changes nothing."""

import datetime
import io

import pytest
from django.apps import apps
from django.core.management import call_command

from accord.accounts.models import User
from accord.agreements.demo import load_demo_agreements
from accord.agreements.models import Agreement
from accord.agreements.selectors import agreement_list, renewal_chain
from accord.partners.demo import QUANG_NINH_ARTICLE, DemoError, load_demo

pytestmark = pytest.mark.django_db

QUI = "Trường Đại học Công nghiệp Quảng Ninh"
LNTU = "Liaoning Technical University"


def _load() -> str:
    load_demo(stdout=None)
    out = io.StringIO()
    load_demo_agreements(acting_user=User.objects.get(username="admin"), stdout=out)
    return out.getvalue()


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _parties(agreement: Agreement) -> set[str]:
    return {party.organization.name for party in agreement.parties.select_related("organization")}


def _activities(agreement: Agreement) -> list[str]:
    return [c.activity_type.code for c in agreement.commitments.select_related("activity_type")]


def test_the_guangxi_memorandum_binds_the_five_provinces_and_is_kept_by_quang_ninh():
    # when
    _load()

    # then
    mou = Agreement.objects.get(reference="DEMO-GX-2025")
    assert (mou.kind, mou.status, mou.owner.name) == ("mou", "active", "Sở Giáo dục và Đào tạo Quảng Ninh")
    assert mou.signed_on.year == 2025
    assert "exact date" in mou.notes
    assert _parties(mou) == {
        "Education Department of Guangxi Zhuang Autonomous Region",
        "Sở Giáo dục và Đào tạo Quảng Ninh",
        "Sở Giáo dục và Đào tạo Lạng Sơn",
        "Sở Giáo dục và Đào tạo Cao Bằng",
        "Sở Giáo dục và Đào tạo Tuyên Quang",
        "Sở Giáo dục và Đào tạo Hải Phòng",
    }
    assert _activities(mou) == ["conference", "scholarship", "joint_training", "ai_in_education"]
    conference = mou.commitments.get(activity_type__code="conference")
    assert (conference.direction, conference.quantity_per_year, conference.unit) == ("both", 1, "events")
    evidence = conference.evidence.get()
    assert (evidence.happened_on, evidence.quantity, evidence.url) == (mou.signed_on, 1, QUANG_NINH_ARTICLE)


def test_the_qui_lntu_memorandum_has_its_signatories_and_commitments():
    # when
    _load()

    # then
    mou = Agreement.objects.get(reference="DEMO-QUI-LNTU-2025")
    assert (mou.kind, mou.status, mou.owner.name) == ("mou", "active", QUI)
    assert mou.signed_on == datetime.date(2025, 11, 3)
    assert mou.expires_on is None
    signatories = {
        p.organization.name: p.signatory.name for p in mou.parties.select_related("organization", "signatory")
    }
    assert signatories == {QUI: "Hoang Hung Thang", LNTU: "Ma Tu Tuyen"}
    assert _activities(mou) == [
        "student_exchange",
        "joint_training",
        "online_course",
        "staff_exchange",
        "conference",
        "summer_programme",
    ]
    commitments = {c.activity_type.code: c for c in mou.commitments.select_related("activity_type")}
    assert commitments["student_exchange"].isced_codes == ["0612", "0613", "0714", "0715", "0724"]
    assert commitments["student_exchange"].quantity_per_year is None
    assert commitments["joint_training"].eqf_levels == "6"
    assert commitments["online_course"].isced_codes == ["0613", "0713", "0716"]
    assert commitments["summer_programme"].direction == "incoming"
    assert commitments["staff_exchange"].evidence.get().happened_on == datetime.date(2025, 11, 3)


def test_the_qui_lntu_partnership_runs_from_2002_to_2025_through_a_renewal():
    # when
    _load()

    # then
    current = Agreement.objects.get(reference="DEMO-QUI-LNTU-2025")
    chain = renewal_chain(current)
    assert [(a.signed_on.year, a.status) for a in chain] == [(2002, "superseded"), (2025, "active")]
    assert chain[0].reference == "DEMO-QUI-LNTU-2002"
    assert "unknown" in chain[0].notes
    assert _parties(chain[0]) == {QUI, LNTU}
    assert set(current.events.values_list("kind", flat=True)) == {"created", "signed"}
    assert "superseded" in chain[0].events.values_list("kind", flat=True)


def test_the_hai_phong_naju_cooperation_is_still_being_negotiated_without_evidence():
    # when
    _load()

    # then
    draft = Agreement.objects.get(reference="DEMO-HP-NAJU-2025")
    assert (draft.status, draft.signed_on, draft.owner.name) == (
        "negotiating",
        None,
        "Sở Giáo dục và Đào tạo Hải Phòng",
    )
    assert _parties(draft) == {"Sở Giáo dục và Đào tạo Hải Phòng", "Naju Office of Education Support"}
    assert set(_activities(draft)) >= {
        "staff_exchange",
        "career_orientation",
        "digital_transformation",
        "ai_in_education",
    }
    assert not draft.commitments.filter(evidence__isnull=False).exists()


def test_each_home_organisation_sees_its_own_agreements_only():
    # when
    _load()

    # then
    qn_viewer = User.objects.get(username="qn-viewer")
    hp_viewer = User.objects.get(username="hp-viewer")
    assert set(agreement_list(user=qn_viewer).values_list("reference", flat=True)) == {
        "DEMO-GX-2025",
        "DEMO-QUI-LNTU-2002",
        "DEMO-QUI-LNTU-2025",
    }
    assert set(agreement_list(user=hp_viewer).values_list("reference", flat=True)) == {"DEMO-HP-NAJU-2025"}


def test_a_second_run_creates_nothing_and_says_so():
    # given
    first = _load()
    counts = _row_counts()

    # when
    second = _load()

    # then
    assert "4 agreements and 2 evidence entries created" in first
    assert counts["agreements.Agreement"] == 4
    assert counts["agreements.HistoricalAgreement"] > 0
    assert _row_counts() == counts
    assert "already loaded" in second


def test_without_the_demo_organisations_nothing_is_created():
    # given
    admin = User.objects.create_superuser(username="admin", password="pw-for-tests-only", email="a@example.org")

    # when
    with pytest.raises(DemoError):
        load_demo_agreements(acting_user=admin, stdout=None)

    # then
    assert not Agreement.objects.exists()


def test_the_load_demo_command_loads_the_agreements_and_can_run_twice():
    # given
    out = io.StringIO()

    # when
    call_command("load_demo", stdout=out)
    counts = _row_counts()
    call_command("load_demo", stdout=out)

    # then
    assert _row_counts() == counts
    assert Agreement.objects.filter(reference__startswith="DEMO-").count() == 4
    assert "Loaded the demo agreements" in out.getvalue()
    assert "The demo agreements are already loaded" in out.getvalue()


def test_the_load_demo_command_prints_nothing_with_quiet():
    # given
    out = io.StringIO()

    # when
    call_command("load_demo", "--quiet", stdout=out)

    # then
    assert out.getvalue() == ""
    assert Agreement.objects.filter(reference="DEMO-GX-2025").exists()
