"""A partner's timeline: everything done with Liaoning Technical University, year by year.

Quang Ninh University of Industry (under Quảng Ninh DoET) began cooperating with LNTU in
2002 and renewed the cooperation on 3 November 2025, during a delegation's visit; a summer
school agreement of Quảng Ninh DoET with LNTU ran from 2010 to 2015; LNTU visited QUI in
2019; an article about the 2025 visit is cited on LNTU's record. Hải Phòng DoET, another
tenant, has its own working session with LNTU.

The records are mostly entered as they happened, so the clock is moved along with them;
the 2025 renewal and an undated action show that the timeline follows what happened with
the partner, not the day something was typed in.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accord.agreements import services as agreement_services
from accord.engagements import services
from accord.engagements.selectors import partner_timeline
from accord.partners import services as partner_services
from accord.sources import services as source_services

D = datetime.date

COOPERATION = "Cooperation between QUI and LNTU"
MOU = "MoU on strategic cooperation between QUI and LNTU"
SUMMER_SCHOOL = "Summer school agreement with LNTU"


class Clock:
    today = D(2026, 1, 15)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The day ``timezone.localdate()`` answers; a test moves it by setting ``clock.today``."""
    real = timezone.localdate
    clock = Clock()
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, timezone=None: clock.today if value is None else real(value, timezone)
    )
    return clock


@pytest.fixture
def lntu(users):
    return partner_services.organization_create(
        acting_user=users["editor"],
        data={"kind": "university", "name": "Liaoning Technical University", "country": "CN", "subdivision": "CN-LN"},
    )


def _signed(user, owner, partner, title, *, signed_on, expires_on=None):
    agreement = agreement_services.agreement_create(
        acting_user=user,
        data={"kind": "mou", "title": title, "owner": owner, "expires_on": expires_on},
        parties=[{"organization": owner}, {"organization": partner}],
    )
    return agreement_services.agreement_sign(agreement=agreement, acting_user=user, signed_on=signed_on)


@pytest.fixture
def history(clock, users, tenants, lntu):
    editor = users["editor"]
    records = {}

    clock.today = D(2002, 9, 1)
    records["cooperation"] = _signed(editor, tenants["qui"], lntu, COOPERATION, signed_on=D(2002, 9, 1))

    clock.today = D(2010, 6, 1)
    records["summer_school"] = _signed(
        editor, tenants["qn"], lntu, SUMMER_SCHOOL, signed_on=D(2010, 6, 1), expires_on=D(2015, 5, 31)
    )
    clock.today = D(2015, 6, 1)
    agreement_services.agreement_expire_due(today=clock.today)

    clock.today = D(2019, 4, 10)
    records["return_visit"] = services.engagement_create(
        acting_user=editor,
        data={
            "kind": "incoming_delegation",
            "title": "LNTU delegation at QUI",
            "owner": tenants["qui"],
            "starts_on": D(2019, 4, 10),
            "host": tenants["qui"],
        },
        organizations=[{"organization": lntu, "role": "guest"}],
    )
    records["undated"] = services.action_create(
        acting_user=editor, data={"title": "Prepare a joint conference", "engagement": records["return_visit"]}
    )

    clock.today = D(2025, 11, 2)
    # LNTU takes part only as the host here.
    records["visit"] = services.engagement_create(
        acting_user=editor,
        data={
            "kind": "outgoing_delegation",
            "title": "QUI delegation to LNTU",
            "owner": tenants["qui"],
            "starts_on": D(2025, 11, 2),
            "ends_on": D(2025, 11, 3),
            "host": lntu,
        },
        organizations=[{"organization": tenants["qui"], "role": "guest"}],
    )
    records["action"] = services.action_create(
        acting_user=editor,
        data={"title": "Send the list of exchange students", "engagement": records["visit"], "due_on": D(2025, 11, 30)},
    )

    clock.today = D(2025, 11, 20)
    services.action_complete(action=records["action"], acting_user=editor, done_on=D(2025, 11, 20))

    clock.today = D(2025, 12, 3)
    records["article"] = source_services.source_create(
        acting_user=editor,
        data={
            "title": "QUI delegation visits LNTU",
            "publisher": "Quang Ninh University of Industry",
            "published_on": D(2025, 12, 3),
            "language": "en",
            "text": "Report of the visit and of the memorandum signed on 3 November 2025.",
            "owner": tenants["qui"],
        },
    )
    source_services.citation_add(acting_user=editor, record=lntu, source=records["article"], note="The 2025 MoU")

    # The renewal signed on 3 November 2025 is recorded in January, on the day the signed copy came back.
    clock.today = D(2026, 1, 10)
    records["mou"] = agreement_services.agreement_renew(
        agreement=records["cooperation"], acting_user=editor, expires_on=None, title=MOU
    )
    agreement_services.agreement_sign(agreement=records["mou"], acting_user=editor, signed_on=D(2025, 11, 3))
    services.engagement_set_agreements(engagement=records["visit"], acting_user=editor, agreements=[records["mou"]])

    # Unrelated to LNTU: must not appear.
    services.engagement_create(
        acting_user=editor,
        data={"kind": "conference", "title": "Provincial conference", "starts_on": D(2025, 10, 1)},
    )
    # Hải Phòng's own working session with LNTU.
    records["theirs"] = services.engagement_create(
        acting_user=users["other"],
        data={"kind": "working_session", "title": "Hải Phòng working session with LNTU", "starts_on": D(2024, 3, 5)},
        organizations=[{"organization": lntu, "role": "guest"}],
    )
    clock.today = D(2026, 1, 15)
    return records


def _entries(timeline):
    return [(year.year, [(e.date, e.kind, e.label, e.detail) for e in year.entries]) for year in timeline.years]


def test_the_timeline_shows_every_record_with_the_partner_newest_year_first(history, users, lntu):
    # when
    timeline = partner_timeline(user=users["viewer"], organization=lntu)

    # then
    assert _entries(timeline) == [
        (
            2025,
            [
                (D(2025, 11, 2), "engagement", "QUI delegation to LNTU", "Outgoing delegation / visit"),
                (D(2025, 11, 3), "agreement", COOPERATION, "Renewed"),
                (D(2025, 11, 3), "agreement", MOU, "Signed"),
                (D(2025, 11, 20), "action", "Send the list of exchange students", "Done"),
                (D(2025, 12, 3), "source", "QUI delegation visits LNTU", "Quang Ninh University of Industry"),
            ],
        ),
        (
            2019,
            [
                (D(2019, 4, 10), "action", "Prepare a joint conference", "Open"),
                (D(2019, 4, 10), "engagement", "LNTU delegation at QUI", "Incoming delegation"),
            ],
        ),
        (2015, [(D(2015, 5, 31), "agreement", SUMMER_SCHOOL, "Expired")]),
        (2010, [(D(2010, 6, 1), "agreement", SUMMER_SCHOOL, "Signed")]),
        (2002, [(D(2002, 9, 1), "agreement", COOPERATION, "Signed")]),
    ]


def test_the_timeline_links_each_entry_to_its_record(history, users, lntu):
    # when
    timeline = partner_timeline(user=users["viewer"], organization=lntu)

    # then
    urls = {e.label: e.url for year in timeline.years for e in year.entries}
    assert urls["QUI delegation to LNTU"] == history["visit"].get_absolute_url()
    assert urls[MOU] == history["mou"].get_absolute_url()
    assert urls["Send the list of exchange students"] == history["action"].get_absolute_url()
    assert urls["QUI delegation visits LNTU"] == history["article"].get_absolute_url()


def test_the_timeline_says_how_long_and_how_much(history, users, lntu):
    # when
    timeline = partner_timeline(user=users["viewer"], organization=lntu)

    # then
    assert timeline.span == "2002–2025"
    assert (timeline.first, timeline.latest) == (D(2002, 9, 1), D(2025, 12, 3))
    assert timeline.count == 10
    assert {year.year: len(year.entries) for year in timeline.years} == {2025: 5, 2019: 2, 2015: 1, 2010: 1, 2002: 1}


def test_a_unit_sees_only_its_own_part_of_the_history(history, users, lntu, make_user):
    # given
    qui_viewer = make_user("viewer", org="qui")

    # when
    timeline = partner_timeline(user=qui_viewer, organization=lntu)

    # then
    labels = {e.label for year in timeline.years for e in year.entries}
    assert SUMMER_SCHOOL not in labels
    assert timeline.span == "2002–2025"
    assert timeline.count == 8


def test_a_user_of_another_tenant_sees_none_of_it(history, users, lntu):
    # when
    timeline = partner_timeline(user=users["other"], organization=lntu)

    # then
    assert _entries(timeline) == [
        (2024, [(D(2024, 3, 5), "engagement", "Hải Phòng working session with LNTU", "Working session")])
    ]
    assert (timeline.span, timeline.count) == ("2024", 1)


def test_a_renewal_started_but_not_signed_keeps_the_day_it_was_started(clock, users, tenants, lntu):
    # given
    clock.today = D(2020, 3, 1)
    current = _signed(users["editor"], tenants["qn"], lntu, SUMMER_SCHOOL, signed_on=D(2020, 3, 1))
    clock.today = D(2026, 1, 15)

    # when
    agreement_services.agreement_renew(agreement=current, acting_user=users["editor"], expires_on=None)
    timeline = partner_timeline(user=users["viewer"], organization=lntu)

    # then
    assert _entries(timeline)[0] == (2026, [(D(2026, 1, 15), "agreement", SUMMER_SCHOOL, "Renewed")])


def test_a_partner_without_records_has_an_empty_timeline(users, tenants):
    # given
    unknown = partner_services.organization_create(
        acting_user=users["editor"], data={"kind": "university", "name": "Kitami Institute of Technology"}
    )

    # when
    timeline = partner_timeline(user=users["viewer"], organization=unknown)

    # then
    assert (timeline.years, timeline.first, timeline.latest, timeline.count, timeline.span) == ([], None, None, 0, "")


def test_the_timeline_takes_the_same_number_of_queries_however_long_the_history(
    history, users, lntu, django_assert_max_num_queries
):
    # given
    for day in range(1, 11):
        services.engagement_create(
            acting_user=users["editor"],
            data={"kind": "webinar", "title": f"Webinar {day}", "starts_on": D(2024, 1, day)},
            organizations=[{"organization": lntu, "role": "guest"}],
        )
    viewer = users["viewer"]
    partner_timeline(user=viewer, organization=lntu)  # the scope and content types are cached

    # when / then: each of the five kinds is counted per year in one query and listed in one more
    with django_assert_max_num_queries(10):
        timeline = partner_timeline(user=viewer, organization=lntu)
    assert timeline.count == 20


def test_a_long_history_lists_the_newest_years_and_counts_the_older_until_one_is_asked_for(
    client, history, users, lntu, monkeypatch
):
    # given twelve webinars a year from 2015 to 2024, on top of the history
    for year in range(2015, 2025):
        for month in range(1, 13):
            services.engagement_create(
                acting_user=users["editor"],
                data={"kind": "webinar", "title": f"Webinar {year}-{month:02d}", "starts_on": D(year, month, 1)},
                organizations=[{"organization": lntu, "role": "guest"}],
            )
    viewer = users["viewer"]

    # when
    timeline = partner_timeline(user=viewer, organization=lntu, budget=30)

    # then the newest years are listed up to the budget, every year is counted
    listed = [y.year for y in timeline.years if y.loaded]
    assert listed == [max(y.year for y in timeline.years), *listed[1:]] and len(listed) < len(timeline.years)
    assert sum(len(y.entries) for y in timeline.years) <= 30 or len(listed) == 1
    assert sum(y.count for y in timeline.years) == timeline.count
    older = next(y for y in timeline.years if y.year == 2016)
    assert (older.loaded, older.entries, older.count) == (False, [], 12)

    # when the user asks for 2016, its entries are listed too
    asked = partner_timeline(user=viewer, organization=lntu, year=2016, budget=30)
    year_2016 = next(y for y in asked.years if y.year == 2016)
    assert year_2016.loaded and len(year_2016.entries) == 12
    assert year_2016.entries[0].label == "Webinar 2016-01"

    # and on the partner's page, an older year offers its entries
    from accord.engagements import selectors

    monkeypatch.setattr(selectors, "TIMELINE_BUDGET", 30)
    client.force_login(viewer)
    page = client.get(lntu.get_absolute_url()).content.decode()
    assert f'href="{lntu.get_absolute_url()}?year=2016#timeline-2016"' in page
    page = client.get(lntu.get_absolute_url(), {"year": 2016}).content.decode()
    assert "Webinar 2016-01" in page
