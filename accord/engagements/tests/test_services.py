"""Recording engagements (who took part, for whom, when) and the follow-up actions agreed there.

Quảng Ninh DoET's editor records the visits exchanged with Liaoning Technical University
(LNTU); every test runs on 15 January 2026.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accord.agreements import services as agreement_services
from accord.engagements import services
from accord.engagements.models import (
    ActionStatus,
    Engagement,
    EngagementOrganization,
    EngagementStatus,
    FollowUpAction,
    Participant,
)
from accord.engagements.services import ParticipantOrganizationMissing
from accord.partners import services as partner_services

D = datetime.date
TODAY = D(2026, 1, 15)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Every test runs on 15 January 2026, whatever the clock says (dates given explicitly win)."""
    real = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, timezone=None: TODAY if value is None else real(value, timezone)
    )
    return TODAY


@pytest.fixture
def partners(users, tenants):
    """LNTU and Guangxi Normal University, and people of LNTU and of Quang Ninh University of Industry."""
    editor = users["editor"]
    lntu = partner_services.organization_create(
        acting_user=editor,
        data={"kind": "university", "name": "Liaoning Technical University", "country": "CN", "subdivision": "CN-LN"},
    )
    gxnu = partner_services.organization_create(
        acting_user=editor, data={"kind": "university", "name": "Guangxi Normal University", "country": "CN"}
    )
    principal = partner_services.person_create(
        acting_user=editor, data={"name": "Ma Tu Tuyen", "position": "Principal", "affiliation": lntu}
    )
    rector = partner_services.person_create(
        acting_user=editor, data={"name": "Hoang Hung Thang", "position": "Rector", "affiliation": tenants["qui"]}
    )
    guest = partner_services.person_create(acting_user=editor, data={"name": "Li Wei", "affiliation": gxnu})
    return {"lntu": lntu, "gxnu": gxnu, "principal": principal, "rector": rector, "guest": guest}


@pytest.fixture
def visit(users, tenants, partners):
    """The QUI delegation at LNTU, 2–3 November 2025."""
    return services.engagement_create(
        acting_user=users["editor"],
        data={
            "kind": "outgoing_delegation",
            "title": "QUI delegation to LNTU",
            "starts_on": D(2025, 11, 2),
            "ends_on": D(2025, 11, 3),
            "city": "Fuxin",
            "country": "CN",
        },
        organizations=[
            {"organization": tenants["qui"], "role": "guest"},
            {"organization": partners["lntu"], "role": "host"},
        ],
        participants=[
            {"person": partners["rector"], "role": "head"},
            {"person": partners["principal"], "role": "host_representative"},
        ],
    )


def _history(model, pk) -> list:
    return list(model.history.model.objects.filter(id=pk).order_by("history_date", "history_id"))


def _action(users, visit, **data):
    return services.action_create(
        acting_user=users["editor"], data={"title": "Send the list of exchange students", "engagement": visit, **data}
    )


# --- engagements -------------------------------------------------------------------------


def test_an_engagement_is_recorded_with_its_organisations_and_participants(visit, users, tenants, partners):
    # then
    engagement = Engagement.objects.get(pk=visit.pk)
    assert engagement.owner == tenants["qn"]
    assert (engagement.starts_on, engagement.ends_on, engagement.precision) == (D(2025, 11, 2), D(2025, 11, 3), "day")
    assert engagement.status == EngagementStatus.HELD
    assert [(o.organization, o.role) for o in engagement.organizations.order_by("id")] == [
        (tenants["qui"], "guest"),
        (partners["lntu"], "host"),
    ]
    # A participant represents their affiliation unless told otherwise.
    assert [(p.person, p.organization, p.role) for p in engagement.participants.order_by("id")] == [
        (partners["rector"], tenants["qui"], "head"),
        (partners["principal"], partners["lntu"], "host_representative"),
    ]
    assert "liaoning technical university" in engagement.search_text


def test_a_participant_for_an_organisation_not_taking_part_is_refused_naming_it_and_nothing_is_written(
    users, tenants, partners
):
    # when
    with pytest.raises(ParticipantOrganizationMissing) as caught:
        services.engagement_create(
            acting_user=users["editor"],
            data={"kind": "working_session", "title": "Working session with LNTU", "starts_on": D(2025, 11, 3)},
            organizations=[{"organization": partners["lntu"], "role": "host"}],
            participants=[
                {"person": partners["principal"], "role": "host_representative"},
                {"person": partners["guest"]},
            ],
        )

    # then
    assert caught.value.organizations == [partners["gxnu"]]
    assert "Guangxi Normal University is not taking part" in caught.value.message_dict["participants"][0]
    assert not Engagement.objects.exists()
    assert not Participant.objects.exists()
    assert not EngagementOrganization.objects.exists()
    assert not Engagement.history.exists()


def test_adding_the_missing_organisation_with_the_participant_is_accepted(visit, users, partners):
    # when
    services.engagement_update(
        engagement=visit,
        acting_user=users["editor"],
        data={},
        organizations=[{"organization": partners["gxnu"], "role": "guest"}],
        participants=[{"person": partners["guest"], "role": "member"}],
    )

    # then
    assert visit.participants.get(person=partners["guest"]).organization == partners["gxnu"]
    assert visit.organizations.count() == 3


def test_removing_an_organisation_someone_still_represents_is_refused(visit, users, partners):
    # given
    row = visit.organizations.get(organization=partners["lntu"])

    # when
    with pytest.raises(ParticipantOrganizationMissing) as caught:
        services.engagement_update(
            engagement=visit, acting_user=users["editor"], data={}, organizations=[{"id": row.pk, "DELETE": True}]
        )

    # then
    assert caught.value.organizations == [partners["lntu"]]
    assert visit.organizations.filter(organization=partners["lntu"]).exists()


def test_the_host_counts_as_taking_part(users, partners):
    # when
    engagement = services.engagement_create(
        acting_user=users["editor"],
        data={
            "kind": "site_visit",
            "title": "Visit of LNTU's laboratories",
            "starts_on": D(2025, 11, 2),
            "host": partners["lntu"],
        },
        participants=[{"person": partners["principal"], "role": "host_representative"}],
    )

    # then
    assert engagement.participants.get().organization == partners["lntu"]


def test_an_engagement_cannot_end_before_it_starts(users):
    # when
    with pytest.raises(ValidationError) as caught:
        services.engagement_create(
            acting_user=users["editor"],
            data={
                "kind": "conference",
                "title": "Education exchange conference",
                "starts_on": D(2025, 11, 3),
                "ends_on": D(2025, 11, 2),
            },
        )

    # then
    assert "ends_on" in caught.value.message_dict
    assert not Engagement.objects.exists()


def test_a_month_is_stored_as_its_first_and_last_day(users):
    # when
    engagement = services.engagement_create(
        acting_user=users["editor"],
        data={
            "kind": "cultural_exchange",
            "title": "Cultural exchange and joint classes",
            "starts_on": D(2026, 9, 14),
            "precision": "month",
        },
    )
    spanning = services.engagement_create(
        acting_user=users["editor"],
        data={
            "kind": "training_course",
            "title": "Course on international integration",
            "starts_on": D(2026, 2, 20),
            "ends_on": D(2026, 3, 2),
            "precision": "month",
        },
    )

    # then
    engagement.refresh_from_db()
    spanning.refresh_from_db()
    assert (engagement.starts_on, engagement.ends_on) == (D(2026, 9, 1), D(2026, 9, 30))
    assert (spanning.starts_on, spanning.ends_on) == (D(2026, 2, 1), D(2026, 3, 31))
    assert engagement.status == EngagementStatus.PLANNED


def test_parts_of_an_engagement_are_listed_under_it(visit, users):
    # when
    signing = services.engagement_create(
        acting_user=users["editor"],
        data={"kind": "signing_ceremony", "title": "Signing of the MoU", "starts_on": D(2025, 11, 3), "parent": visit},
    )

    # then
    assert list(visit.parts.all()) == [signing]


def test_an_engagement_cannot_be_part_of_itself_or_of_one_of_its_parts(visit, users):
    # given
    part = services.engagement_create(
        acting_user=users["editor"],
        data={"kind": "site_visit", "title": "Visit of the mining park", "starts_on": D(2025, 11, 2), "parent": visit},
    )
    subpart = services.engagement_create(
        acting_user=users["editor"],
        data={"kind": "site_visit", "title": "Visit of the mining museum", "starts_on": D(2025, 11, 2), "parent": part},
    )

    # when / then
    for parent in (visit, part, subpart):
        with pytest.raises(ValidationError) as caught:
            services.engagement_update(engagement=visit, acting_user=users["editor"], data={"parent": parent})
        assert "parent" in caught.value.message_dict
    visit.refresh_from_db()
    assert visit.parent is None


def test_a_part_of_another_tenants_engagement_is_refused(users, tenants):
    # given
    theirs = services.engagement_create(
        acting_user=users["other"],
        data={"kind": "working_session", "title": "Working session with Naju", "starts_on": D(2025, 5, 27)},
    )

    # when
    with pytest.raises(ValidationError) as caught:
        services.engagement_create(
            acting_user=users["editor"],
            data={"kind": "site_visit", "title": "Visit", "starts_on": D(2025, 5, 27), "parent": theirs},
        )

    # then
    assert "parent" in caught.value.message_dict
    assert not theirs.parts.exists()


def test_agreements_signed_at_an_engagement_are_linked_both_ways(visit, users, tenants, partners):
    # given
    mou = agreement_services.agreement_create(
        acting_user=users["editor"],
        data={"kind": "mou", "title": "MoU on strategic cooperation", "owner": tenants["qui"]},
        parties=[{"organization": tenants["qui"]}, {"organization": partners["lntu"]}],
    )

    # when
    signing = services.engagement_create(
        acting_user=users["editor"],
        data={"kind": "signing_ceremony", "title": "Signing of the MoU", "starts_on": D(2025, 11, 3), "parent": visit},
        agreements=[mou],
    )

    # then
    assert list(signing.agreements.all()) == [mou]
    assert list(mou.signed_at.all()) == [signing]


def test_an_agreement_of_another_tenant_cannot_be_linked(visit, users, tenants, partners):
    # given
    theirs = agreement_services.agreement_create(
        acting_user=users["other"],
        data={"kind": "mou", "title": "Hải Phòng's MoU"},
        parties=[{"organization": tenants["hp"]}, {"organization": partners["lntu"]}],
    )

    # when
    with pytest.raises(ValidationError) as caught:
        services.engagement_set_agreements(engagement=visit, acting_user=users["editor"], agreements=[theirs])

    # then
    assert "agreements" in caught.value.message_dict
    assert not theirs.signed_at.exists()


@pytest.mark.parametrize("role", ["viewer", "other"])
def test_a_viewer_or_another_tenant_cannot_change_an_engagement(visit, users, role):
    # when
    with pytest.raises(PermissionDenied):
        services.engagement_update(engagement=visit, acting_user=users[role], data={"title": "Changed"})

    # then
    visit.refresh_from_db()
    assert visit.title == "QUI delegation to LNTU"


def test_history_rows_name_who_created_and_changed_an_engagement(visit, users):
    # when
    services.engagement_update(engagement=visit, acting_user=users["manager"], data={"headcount": 3})

    # then
    history = _history(Engagement, visit.pk)
    assert [(h.history_type, h.history_user) for h in history] == [("+", users["editor"]), ("~", users["manager"])]
    assert history[-1].headcount == 3
    participants = Participant.history.model.objects.filter(engagement_id=visit.pk)
    assert {h.history_user for h in participants} == {users["editor"]}


# --- follow-up actions ---------------------------------------------------------------------


def test_an_action_agreed_at_an_engagement_belongs_to_its_owner(visit, users, tenants, partners):
    # when
    action = _action(users, visit, due_on=D(2026, 2, 10), responsible=partners["rector"])

    # then
    action.refresh_from_db()
    assert (action.owner, action.status, action.due_on) == (tenants["qn"], ActionStatus.OPEN, D(2026, 2, 10))
    assert list(visit.actions.all()) == [action]
    assert not action.overdue
    assert _history(FollowUpAction, action.pk)[0].history_user == users["editor"]


def test_a_due_month_is_stored_as_its_last_day_and_the_current_month_is_accepted(visit, users):
    # when
    action = _action(users, visit, due_on=D(2026, 1, 1), due_precision="month")

    # then
    action.refresh_from_db()
    assert action.due_on == D(2026, 1, 31)
    assert not action.overdue


def test_a_new_action_due_in_a_month_that_has_passed_is_refused(visit, users):
    # when
    with pytest.raises(ValidationError) as caught:
        _action(users, visit, due_on=D(2025, 12, 1), due_precision="month")

    # then
    assert "due_on" in caught.value.message_dict
    assert not FollowUpAction.objects.exists()


def test_completing_an_action_records_the_day_and_what_fulfilled_it(visit, users, partners):
    # given
    action = _action(users, visit, due_on=D(2026, 1, 10))
    return_visit = services.engagement_create(
        acting_user=users["editor"],
        data={"kind": "incoming_delegation", "title": "LNTU delegation at QUI", "starts_on": D(2026, 1, 12)},
        organizations=[{"organization": partners["lntu"], "role": "guest"}],
    )

    # when
    services.action_complete(
        action=action, acting_user=users["manager"], done_on=D(2026, 1, 12), fulfilled_by=return_visit
    )

    # then
    action.refresh_from_db()
    assert (action.status, action.done_on) == (ActionStatus.DONE, D(2026, 1, 12))
    assert action.fulfilled_by == return_visit
    assert not action.overdue
    assert _history(FollowUpAction, action.pk)[-1].history_user == users["manager"]


def test_completing_without_a_day_means_today(visit, users):
    # given
    action = _action(users, visit)

    # when
    services.action_complete(action=action, acting_user=users["editor"])

    # then
    action.refresh_from_db()
    assert (action.status, action.done_on, action.fulfilled_by) == (ActionStatus.DONE, TODAY, None)


def test_an_action_cannot_be_fulfilled_by_a_record_the_user_cannot_see(visit, users):
    # given
    action = _action(users, visit)
    theirs = services.engagement_create(
        acting_user=users["other"],
        data={"kind": "working_session", "title": "Working session with Naju", "starts_on": D(2025, 5, 27)},
    )

    # when
    with pytest.raises(ValidationError) as caught:
        services.action_complete(action=action, acting_user=users["editor"], fulfilled_by=theirs)

    # then
    assert "fulfilled_by" in caught.value.message_dict
    action.refresh_from_db()
    assert (action.status, action.fulfilled_by) == (ActionStatus.OPEN, None)


def test_a_cancelled_action_is_neither_open_nor_overdue_and_cannot_be_closed(visit, users):
    # given
    action = _action(users, visit, due_on=D(2026, 1, 10))
    assert action.overdue

    # when
    services.action_cancel(action=action, acting_user=users["editor"])

    # then
    action.refresh_from_db()
    assert action.status == ActionStatus.CANCELLED
    assert not action.overdue
    with pytest.raises(ValidationError):
        services.action_complete(action=action, acting_user=users["editor"])
    with pytest.raises(ValidationError):
        services.action_cancel(action=action, acting_user=users["editor"])
    action.refresh_from_db()
    assert action.status == ActionStatus.CANCELLED


def test_reopening_a_done_action_clears_its_completion(visit, users):
    # given
    action = _action(users, visit, due_on=D(2026, 1, 10))
    services.action_complete(action=action, acting_user=users["editor"], done_on=D(2026, 1, 11), fulfilled_by=visit)

    # when
    services.action_reopen(action=action, acting_user=users["manager"])

    # then
    action.refresh_from_db()
    assert (action.status, action.done_on, action.fulfilled_by) == (ActionStatus.OPEN, None, None)
    assert action.overdue
    assert _history(FollowUpAction, action.pk)[-1].history_user == users["manager"]


def test_an_action_is_overdue_only_when_open_and_past_its_day(visit, users):
    # when
    yesterday = _action(users, visit, title="Due yesterday", due_on=D(2026, 1, 14))
    due_today = _action(users, visit, title="Due today", due_on=TODAY)
    undated = _action(users, visit, title="No date")

    # then
    assert [a.overdue for a in (yesterday, due_today, undated)] == [True, False, False]


def test_an_action_cannot_be_moved_to_another_tenants_engagement(visit, users):
    # given
    action = _action(users, visit)
    theirs = services.engagement_create(
        acting_user=users["other"],
        data={"kind": "working_session", "title": "Working session with Naju", "starts_on": D(2025, 5, 27)},
    )

    # when
    with pytest.raises(ValidationError) as caught:
        services.action_update(action=action, acting_user=users["editor"], data={"engagement": theirs})

    # then
    assert "engagement" in caught.value.message_dict
    action.refresh_from_db()
    assert action.engagement == visit


@pytest.mark.parametrize("role", ["viewer", "other"])
def test_a_viewer_or_another_tenant_cannot_close_an_action(visit, users, role):
    # given
    action = _action(users, visit)

    # when
    with pytest.raises(PermissionDenied):
        services.action_complete(action=action, acting_user=users[role])

    # then
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_a_person_of_a_unit_represents_the_organisation_taking_part(users, tenants):
    from accord.engagements import services as engagement_services
    from accord.partners import services as partner_services

    editor = users["editor"]
    centre = partner_services.organization_create(
        acting_user=editor,
        data={"kind": "other", "name": "Centre for International Cooperation", "parent": tenants["qui"]},
    )
    officer = partner_services.person_create(
        acting_user=editor, data={"name": "Officer of the centre", "affiliation": centre}
    )

    engagement = engagement_services.engagement_create(
        acting_user=editor,
        data={"kind": "working_session", "title": "Session", "starts_on": datetime.date(2025, 11, 3)},
        organizations=[{"organization": tenants["qui"], "role": "guest"}],
        participants=[{"person": officer, "role": "member"}],
    )

    assert engagement.participants.get().organization == centre


def test_signing_an_agreement_that_already_ran_out_records_its_expiry(users, tenants):
    from accord.agreements import services as agreement_services
    from accord.agreements.models import AgreementEvent
    from accord.partners import services as partner_services

    editor = users["editor"]
    partner = partner_services.organization_create(
        acting_user=editor, data={"kind": "university", "name": "Old Partner U"}
    )
    agreement = agreement_services.agreement_create(
        acting_user=editor,
        data={"kind": "mou", "title": "Old MoU", "expires_on": datetime.date(2010, 1, 1)},
        parties=[{"organization": tenants["qn"], "role": "signatory"}, {"organization": partner, "role": "signatory"}],
    )

    agreement = agreement_services.agreement_sign(
        agreement=agreement, acting_user=editor, signed_on=datetime.date(2005, 1, 1)
    )

    events = set(AgreementEvent.objects.filter(agreement=agreement).values_list("kind", "date"))
    assert agreement.status == "expired"
    assert {("signed", datetime.date(2005, 1, 1)), ("expired", datetime.date(2010, 1, 1))} <= events
