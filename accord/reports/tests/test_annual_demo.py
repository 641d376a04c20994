"""The 2025 annual report of Quảng Ninh DoET on the demo data, each figure recounted by hand.

The recount walks every demo row in Python (no filter of the report's queries is reused) and
keeps what belongs to Quảng Ninh DoET and the universities under it.
"""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from accord.accounts.models import User
from accord.agreements.demo import load_demo_agreements
from accord.agreements.models import Agreement, AgreementEvent, AgreementParty
from accord.engagements.demo import load_demo_engagements
from accord.engagements.models import Engagement, FollowUpAction
from accord.funding.demo import load_demo_funding
from accord.funding.models import Project
from accord.mobility.demo import load_demo_mobility
from accord.mobility.models import Mobility
from accord.partners.demo import load_demo
from accord.partners.models import Organization
from accord.plans.demo import load_demo_plans
from accord.plans.models import Plan
from accord.reports import annual

pytestmark = pytest.mark.django_db

QN = "Sở Giáo dục và Đào tạo Quảng Ninh"
YEAR = 2025
START, END = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)


@pytest.fixture
def demo():
    load_demo(stdout=None)
    admin = User.objects.get(username="admin")
    load_demo_agreements(acting_user=admin, stdout=None)
    load_demo_engagements(acting_user=admin, stdout=None)
    load_demo_funding(acting_user=admin, stdout=None)
    load_demo_mobility(acting_user=admin, stdout=None)
    load_demo_plans(acting_user=admin, stdout=None)
    qn = Organization.objects.get(name=QN)
    under = {qn.pk}
    homes = list(Organization.objects.filter(is_home=True))
    changed = True
    while changed:
        changed = False
        for org in homes:
            if org.parent_id in under and org.pk not in under:
                under.add(org.pk)
                changed = True
    return admin, qn, under


def test_the_2025_report_of_quang_ninh_matches_a_recount(demo):
    admin, qn, under = demo
    assert len(under) == 3  # the DoET, Ha Long University, Quang Ninh University of Industry

    # when
    report = annual.build(admin, qn, YEAR, "vi")
    sections = {s.key: s for s in report.sections}

    # then: agreement events
    groups = {"signed": "signed", "renewed": "renewed", "auto_renewed": "renewed", "expired": "expired"}
    groups["terminated"] = "terminated"
    owner_of = dict(Agreement.objects.values_list("pk", "owner_id"))
    events = Counter(
        groups[e.kind]
        for e in AgreementEvent.objects.all()
        if owner_of[e.agreement_id] in under and START <= e.date <= END and e.kind in groups
    )
    figures = sections["agreements"].figures
    assert {k: figures[k] for k in ("signed", "renewed", "expired", "terminated")} == {
        k: events[k] for k in ("signed", "renewed", "expired", "terminated")
    }
    assert events["signed"] >= 1

    # engagements
    held = [
        e for e in Engagement.objects.all() if e.owner_id in under and not e.cancelled and START <= e.starts_on <= END
    ]
    figures = sections["engagements"].figures
    assert figures["total"] == len(held) >= 1
    assert figures["received"] == sum(1 for e in held if e.kind == "incoming_delegation")
    assert figures["sent"] == sum(1 for e in held if e.kind == "outgoing_delegation")
    held_ids = {e.pk for e in held}
    assert figures["actions"] == sum(1 for a in FollowUpAction.objects.all() if a.engagement_id in held_ids)
    assert figures["agreements_signed"] == sum(e.agreements.count() for e in held)

    # mobility
    stays = [
        m
        for m in Mobility.objects.select_related("partner")
        if m.owner_id in under and m.status != "cancelled" and START <= (m.actual_start or m.planned_start) <= END
    ]
    figures = sections["mobility"].figures
    assert figures["incoming"] == sum(1 for m in stays if m.direction == "incoming")
    assert figures["outgoing"] == sum(1 for m in stays if m.direction == "outgoing")
    by_country = Counter((m.partner.country, m.direction) for m in stays)
    assert {(c, d): n for c, per in figures["by_country"].items() for d, n in per.items()} == dict(by_country)
    assert "full_name" not in str(annual.plain(sections["mobility"]))
    for m in stays:
        assert m.full_name not in str(annual.plain(sections["mobility"]))

    # projects
    running = [
        p
        for p in Project.objects.all()
        if p.owner_id in under
        and p.status in ("running", "completed")
        and (p.starts_on is None or p.starts_on <= END)
        and (p.ends_on is None or p.ends_on >= START)
    ]
    assert sections["projects"].figures["projects"] == len(running)

    # partners: parties of agreements in force, organisations at engagements held, stays' partners,
    # project partners; never one of the three reported on
    in_force = {
        a.pk
        for a in Agreement.objects.all()
        if a.owner_id in under
        and a.status not in ("draft", "negotiating")
        and a.signed_on is not None
        and a.signed_on <= END
        and (a.expires_on is None or a.expires_on >= START)
        and (a.terminated_on is None or a.terminated_on >= START)
    }
    partners = {p.organization_id for p in AgreementParty.objects.all() if p.agreement_id in in_force}
    for e in held:
        partners |= {o.organization_id for o in e.organizations.all()}
    partners |= {m.partner_id for m in stays}
    for p in running:
        partners |= {pp.organization_id for pp in p.partners.all()}
    partners -= under
    assert sections["partners"].figures["partners"] == len(partners)
    countries = Counter(Organization.objects.get(pk=pk).country for pk in partners)
    assert sections["partners"].figures["countries"] == dict(countries)

    # plans overlapping 2025, with Plan No. 850/KH-SGDĐT among them
    plans = [p for p in Plan.objects.all() if p.owner_id in under and p.starts_on <= END and p.ends_on >= START]
    assert sections["plans"].figures["plans"] == len(plans)
    assert sections["plans"].figures["tasks"] == sum(p.tasks.count() for p in plans)
    assert any("850" in (row[0] or "") for row in sections["plans"].tables[0].rows)


@pytest.mark.parametrize("language", ["vi", "en", "fr", "th"])
def test_the_2025_report_can_be_produced_in_every_language(demo, language, settings):
    from accord.reports import pdf, xlsx

    admin, qn, _under = demo

    # when
    report = annual.build(admin, qn, YEAR, language)

    # then
    assert report.language == language
    assert xlsx.workbook_bytes(report)[:2] == b"PK"
    assert f'lang="{language}"' in pdf.render_html(report)
