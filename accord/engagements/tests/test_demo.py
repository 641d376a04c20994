"""The demo engagements and sources: what a newcomer finds after ``manage.py load_demo``, and that a
second run changes nothing."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from accord.accounts.models import User
from accord.agreements.demo import GUANGXI_SIGNED_ON, load_demo_agreements
from accord.agreements.models import Agreement
from accord.engagements.demo import load_demo_engagements
from accord.engagements.models import Engagement, EngagementSeries, FollowUpAction
from accord.engagements.selectors import engagement_list, partner_timeline
from accord.partners.demo import HAI_PHONG_ARTICLE, QUANG_NINH_ARTICLE, DemoError, load_demo
from accord.partners.models import Organization
from accord.sources.models import Citation, Source, Story
from accord.sources.selectors import citations_for

pytestmark = pytest.mark.django_db

D = datetime.date
SEEDS = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"


def _load() -> str:
    load_demo(stdout=None)
    admin = User.objects.get(username="admin")
    load_demo_agreements(acting_user=admin, stdout=None)
    out = io.StringIO()
    load_demo_engagements(acting_user=admin, stdout=out)
    return out.getvalue()


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _engagement(title_start: str) -> Engagement:
    return Engagement.objects.get(title__startswith=title_start)


def _cited(record) -> set[str]:
    return {c.source.publisher for c in Citation.objects.filter(pk__in=record.citations.values("pk"))}


def test_each_seed_article_is_a_source_with_its_address_and_language():
    # when
    _load()

    # then
    rows = set(Source.objects.values_list("publisher", "language", "url", "published_on"))
    assert rows == {
        ("Báo Quảng Ninh", "en", QUANG_NINH_ARTICLE, None),
        ("Báo Quảng Ninh", "fr", QUANG_NINH_ARTICLE, None),
        ("Báo Quảng Ninh", "th", QUANG_NINH_ARTICLE, None),
        ("Hải Phòng City portal (haiphong.gov.vn)", "en", HAI_PHONG_ARTICLE, D(2025, 5, 27)),
        ("Quang Ninh University of Industry (QUI)", "en", "", D(2025, 12, 3)),
    }
    story = Story.objects.get()
    assert {s.language for s in story.sources.all()} == {"en", "fr", "th"}
    assert all(source.text for source in Source.objects.all())


def test_the_sources_summarise_and_do_not_copy_the_articles():
    # when
    _load()

    # then
    if not SEEDS.is_dir():
        pytest.skip("the seed articles are not next to this checkout")
    articles = " ".join(path.read_text(encoding="utf-8") for path in SEEDS.glob("0*.txt"))
    assert len(articles) > 10_000
    for source in Source.objects.all():
        assert len(source.text) < 300
        # No run of ten words of the article is repeated in the summary.
        words = source.text.split()
        for start in range(max(len(words) - 9, 0)):
            assert " ".join(words[start : start + 10]) not in articles


def test_the_guangxi_conference_is_chaired_by_guangxi_and_signed_the_memorandum():
    # when
    _load()

    # then
    conference = _engagement("2025 education exchange conference")
    assert (conference.kind, conference.owner.name, conference.starts_on) == (
        "conference",
        "Sở Giáo dục và Đào tạo Quảng Ninh",
        GUANGXI_SIGNED_ON,
    )
    assert "only the year" in conference.summary
    roles = {o.organization.name: o.role for o in conference.organizations.select_related("organization")}
    assert roles["Education Department of Guangxi Zhuang Autonomous Region"] == "chair"
    assert len(roles) == 6
    mou = Agreement.objects.get(reference="DEMO-GX-2025")
    assert list(conference.agreements.all()) == [mou]
    assert list(mou.signed_at.all()) == [conference]
    assert {c.source.language for c in conference.citations.select_related("source")} == {"en", "fr", "th"}


def test_the_hai_phong_working_session_has_its_directors_actions_and_planned_september():
    # when
    _load()

    # then
    session = _engagement("Working session of Hải Phòng DoET")
    assert session.starts_on == D(2025, 5, 27)
    assert {
        (p.person.name, p.organization.name) for p in session.participants.select_related("person", "organization")
    } == {
        ("Bui Van Kiem", "Sở Giáo dục và Đào tạo Hải Phòng"),
        ("Byeon Jeong Bin", "Naju Office of Education Support"),
    }
    actions = list(session.actions.order_by("id"))
    assert len(actions) == 5
    assert {a.status for a in actions} == {"open"}
    assert all(a.owner.name == "Sở Giáo dục và Đào tạo Hải Phòng" and a.due_on is None for a in actions)
    assert all(_cited(a) == {"Hải Phòng City portal (haiphong.gov.vn)"} for a in actions)
    september = _engagement("Cultural exchange activities and joint classes")
    assert (september.precision, september.starts_on, september.ends_on) == ("month", D(2025, 9, 1), D(2025, 9, 30))
    assert _cited(september) == {"Hải Phòng City portal (haiphong.gov.vn)"}


def test_the_qui_delegation_has_its_members_hosts_and_two_parts():
    # when
    _load()

    # then
    delegation = _engagement("Quang Ninh University of Industry delegation")
    assert (delegation.kind, delegation.starts_on, delegation.ends_on, delegation.host.name) == (
        "outgoing_delegation",
        D(2025, 11, 2),
        D(2025, 11, 3),
        "Liaoning Technical University",
    )
    roles = {p.person.name: p.role for p in delegation.participants.select_related("person")}
    assert roles == {
        "Hoang Hung Thang": "head",
        "Ta Van Kien": "member",
        "Lanh Thi Hoa": "member",
        "Ma Tu Tuyen": "host_representative",
        "Ngu Phu Phat": "host_representative",
        "Ton Vi": "host_representative",
        "To Quoc": "host_representative",
        "Ly Boi Boi": "host_representative",
    }
    visit, signing = delegation.parts.order_by("starts_on", "id")
    assert (visit.kind, visit.starts_on) == ("site_visit", D(2025, 11, 2))
    assert "Haizhou Mining Park" in {o.organization.name for o in visit.organizations.select_related("organization")}
    assert signing.starts_on == D(2025, 11, 3)
    assert list(signing.agreements.values_list("reference", flat=True)) == ["DEMO-QUI-LNTU-2025"]
    assert all(_cited(e) == {"Quang Ninh University of Industry (QUI)"} for e in (delegation, visit, signing))


def test_the_japanese_series_is_described_and_left_empty_and_the_training_is_planned():
    # when
    _load()

    # then
    series = EngagementSeries.objects.get()
    assert series.owner.name == "Trường Đại học Hạ Long"
    assert "Osaka University" in series.description and "no date" in series.description
    assert not series.engagements.exists()
    training = _engagement("Training courses on international integration")
    assert (training.kind, training.owner.name, training.precision) == (
        "training_course",
        "Sở Giáo dục và Đào tạo Quảng Ninh",
        "month",
    )
    assert "850/KH-SGDĐT" in training.summary
    assert _cited(training) == {"Báo Quảng Ninh"}


def test_the_demo_agreements_cite_their_sources():
    # when
    _load()

    # then
    for reference, publisher in [
        ("DEMO-GX-2025", "Báo Quảng Ninh"),
        ("DEMO-QUI-LNTU-2002", "Quang Ninh University of Industry (QUI)"),
        ("DEMO-QUI-LNTU-2025", "Quang Ninh University of Industry (QUI)"),
        ("DEMO-HP-NAJU-2025", "Hải Phòng City portal (haiphong.gov.vn)"),
    ]:
        assert _cited(Agreement.objects.get(reference=reference)) == {publisher}


def test_each_home_organisation_sees_its_own_engagements_and_citations():
    # when
    _load()

    # then
    qn_viewer = User.objects.get(username="qn-viewer")
    hp_viewer = User.objects.get(username="hp-viewer")
    # The conference, the QUI delegation with its two parts, the training courses.
    assert engagement_list(user=qn_viewer).count() == 5
    assert set(engagement_list(user=hp_viewer).values_list("title", flat=True)) == {
        "Working session of Hải Phòng DoET with the Naju Office of Education Support",
        "Cultural exchange activities and joint classes for students of Hải Phòng and Naju",
    }
    session = _engagement("Working session of Hải Phòng DoET")
    assert len(citations_for(user=hp_viewer, record=session)) == 1
    assert citations_for(user=qn_viewer, record=session) == []


def test_lntus_timeline_runs_from_2002_to_the_2025_visit():
    # given
    _load()
    lntu = Organization.objects.get(name="Liaoning Technical University")

    # when
    timeline = partner_timeline(user=User.objects.get(username="qn-viewer"), organization=lntu)

    # then
    assert timeline.first == D(2002, 1, 1)
    labels = {e.label for year in timeline.years for e in year.entries}
    assert "Quang Ninh University of Industry delegation to Liaoning Technical University" in labels
    assert "Working session and signing of the memorandum on strategic cooperation" in labels


def test_a_second_run_creates_nothing_and_says_so():
    # given
    first = _load()
    counts = _row_counts()

    # when
    second = _load()

    # then
    assert "7 engagements, 5 follow-up actions, 1 series, 5 sources, 1 stories" in first
    assert counts["engagements.Engagement"] == 7
    assert counts["sources.Citation"] > 0
    assert _row_counts() == counts
    assert "already loaded" in second


def test_without_the_demo_agreements_nothing_is_created():
    # given
    load_demo(stdout=None)

    # when
    with pytest.raises(DemoError):
        load_demo_engagements(acting_user=User.objects.get(username="admin"), stdout=None)

    # then
    assert not Engagement.objects.exists()
    assert not Source.objects.exists()
    assert not FollowUpAction.objects.exists()


def test_the_load_demo_command_loads_everything_and_can_run_twice():
    # given
    out = io.StringIO()

    # when
    call_command("load_demo", stdout=out)
    counts = _row_counts()
    call_command("load_demo", stdout=out)

    # then
    assert _row_counts() == counts
    assert Engagement.objects.count() == 7
    assert "Loaded the demo engagements" in out.getvalue()
    assert "The demo engagements and sources are already loaded" in out.getvalue()
