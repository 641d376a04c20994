"""The lifecycle of an agreement (sign, terminate, renew, expire), its health and the fulfilment of its commitments.

Every lifecycle step must leave two traces a user can read: a history row (who changed
what) and an event on the agreement's timeline.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accord.agreements import services
from accord.agreements.choices import AgreementHealth, AgreementStatus, EventKind, Fulfilment
from accord.agreements.models import ActivityType, Agreement, AgreementEvent, Commitment
from accord.agreements.selectors import agreement_list, fulfilment, health, health_q, renewal_chain
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
def lntu(users):
    return partner_services.organization_create(
        acting_user=users["editor"],
        data={"kind": "university", "name": "Liaoning Technical University", "country": "CN", "subdivision": "CN-LN"},
    )


@pytest.fixture
def make_agreement(users, tenants, lntu):
    """A draft MoU of Quảng Ninh DoET with LNTU and one student-exchange commitment."""

    def make(*, user=None, title="MoU on student exchange with LNTU", commitments=None, **data):
        return services.agreement_create(
            acting_user=user or users["editor"],
            data={"kind": "mou", "title": title, **data},
            titles=[{"language": "vi", "title": "Biên bản ghi nhớ trao đổi sinh viên với LNTU"}],
            parties=[
                {"organization": tenants["qn"], "role": "signatory", "signatory_name": "Giám đốc Sở"},
                {"organization": lntu, "role": "signatory", "signatory_name": "President of LNTU"},
            ],
            commitments=commitments
            if commitments is not None
            else [
                {
                    "activity_type": ActivityType.objects.get(code="student_exchange"),
                    "description": "Exchange of students in mining engineering",
                    "direction": "both",
                    "quantity_per_year": Decimal("4"),
                    "unit": "students",
                    "academic_years": "2025/2026, 2026/2027",
                    "subject_areas": "0724",
                }
            ],
        )

    return make


@pytest.fixture
def signed(make_agreement, users):
    """An MoU signed on 15 March 2021, in effect for five years (to 14 March 2026)."""
    agreement = make_agreement(expires_on=D(2026, 3, 14))
    return services.agreement_sign(agreement=agreement, acting_user=users["editor"], signed_on=D(2021, 3, 15))


def _history(agreement: Agreement) -> list:
    return list(Agreement.history.model.objects.filter(id=agreement.pk).order_by("history_date", "history_id"))


def _events(agreement: Agreement) -> list[str]:
    return list(AgreementEvent.objects.filter(agreement=agreement).order_by("id").values_list("kind", flat=True))


# --- sign ----------------------------------------------------------------------------------


def test_signing_a_draft_makes_it_active_with_history_and_a_timeline_event(make_agreement, users):
    # given
    draft = make_agreement(expires_on=D(2031, 3, 14))
    history_before = len(_history(draft))

    # when
    agreement = services.agreement_sign(agreement=draft, acting_user=users["editor"], signed_on=D(2026, 3, 15))

    # then
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    assert agreement.signed_on == D(2026, 3, 15)
    assert agreement.effective_on == D(2026, 3, 15)
    assert set(agreement.parties.values_list("signed_on", flat=True)) == {D(2026, 3, 15)}
    history = _history(agreement)
    assert len(history) == history_before + 1
    assert history[-1].status == AgreementStatus.ACTIVE
    assert history[-1].history_user == users["editor"]
    event = AgreementEvent.objects.get(agreement=agreement, kind=EventKind.SIGNED)
    assert event.date == D(2026, 3, 15)
    assert event.actor == users["editor"]


def test_signing_keeps_a_later_date_of_effect(make_agreement, users):
    draft = make_agreement(expires_on=D(2031, 8, 31))

    agreement = services.agreement_sign(
        agreement=draft, acting_user=users["editor"], signed_on=D(2026, 3, 15), effective_on=D(2026, 9, 1)
    )

    assert (agreement.signed_on, agreement.effective_on) == (D(2026, 3, 15), D(2026, 9, 1))


def test_signing_an_agreement_whose_expiry_has_passed_records_it_as_expired(make_agreement, users):
    draft = make_agreement(expires_on=D(2020, 12, 31))

    agreement = services.agreement_sign(agreement=draft, acting_user=users["editor"], signed_on=D(2016, 1, 1))

    assert agreement.status == AgreementStatus.EXPIRED


def test_an_active_agreement_cannot_be_signed_again(signed, users):
    events_before = _events(signed)

    with pytest.raises(ValidationError):
        services.agreement_sign(agreement=signed, acting_user=users["editor"], signed_on=D(2022, 1, 1))

    signed.refresh_from_db()
    assert signed.signed_on == D(2021, 3, 15)
    assert _events(signed) == events_before


@pytest.mark.parametrize("role", ["viewer", "other"])
def test_a_viewer_or_another_tenant_cannot_sign(make_agreement, users, role):
    draft = make_agreement()

    with pytest.raises(PermissionDenied):
        services.agreement_sign(agreement=draft, acting_user=users[role], signed_on=D(2026, 3, 15))

    draft.refresh_from_db()
    assert draft.status == AgreementStatus.DRAFT
    assert EventKind.SIGNED not in _events(draft)


# --- terminate -----------------------------------------------------------------------------


def test_terminating_an_active_agreement_records_the_date_and_reason(signed, users):
    history_before = len(_history(signed))

    agreement = services.agreement_terminate(
        agreement=signed, acting_user=users["manager"], terminated_on=D(2024, 6, 30), reason="  The faculty closed.  "
    )

    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.TERMINATED
    assert agreement.terminated_on == D(2024, 6, 30)
    assert agreement.termination_reason == "The faculty closed."
    history = _history(agreement)
    assert len(history) == history_before + 1
    assert history[-1].history_user == users["manager"]
    event = AgreementEvent.objects.get(agreement=agreement, kind=EventKind.TERMINATED)
    assert (event.date, event.actor, event.parameters) == (
        D(2024, 6, 30),
        users["manager"],
        {"reason": "The faculty closed."},
    )


@pytest.mark.parametrize(
    ("terminated_on", "reason", "field"),
    [(D(2024, 6, 30), "   ", "reason"), (D(2021, 3, 1), "Closed.", "terminated_on")],
    ids=["no reason", "before the signature"],
)
def test_a_termination_without_reason_or_before_the_signature_is_refused(signed, users, terminated_on, reason, field):
    with pytest.raises(ValidationError) as caught:
        services.agreement_terminate(
            agreement=signed, acting_user=users["editor"], terminated_on=terminated_on, reason=reason
        )

    assert field in caught.value.message_dict
    signed.refresh_from_db()
    assert signed.status == AgreementStatus.ACTIVE
    assert EventKind.TERMINATED not in _events(signed)


def test_a_draft_cannot_be_terminated(make_agreement, users):
    draft = make_agreement()

    with pytest.raises(ValidationError):
        services.agreement_terminate(
            agreement=draft, acting_user=users["editor"], terminated_on=D(2026, 1, 1), reason="x"
        )

    draft.refresh_from_db()
    assert draft.status == AgreementStatus.DRAFT


# --- renew ---------------------------------------------------------------------------------


def test_renewing_creates_a_draft_successor_with_the_same_parties_titles_and_commitments(signed, users):
    # when
    successor = services.agreement_renew(agreement=signed, acting_user=users["editor"], expires_on=D(2031, 3, 14))

    # then
    signed.refresh_from_db()
    successor.refresh_from_db()
    assert successor.status == AgreementStatus.DRAFT
    assert successor.predecessor == signed
    assert signed.successor == successor
    assert renewal_chain(signed) == [signed, successor]
    assert renewal_chain(successor) == [signed, successor]
    assert successor.title == signed.title
    assert successor.expires_on == D(2031, 3, 14)
    assert set(successor.parties.values_list("organization_id", "role", "signatory_name")) == set(
        signed.parties.values_list("organization_id", "role", "signatory_name")
    )
    assert list(successor.titles.values_list("language", "title")) == list(
        signed.titles.values_list("language", "title")
    )
    copied = successor.commitments.get()
    original = signed.commitments.get()
    assert (copied.activity_type, copied.quantity_per_year, copied.unit, copied.subject_areas) == (
        original.activity_type,
        original.quantity_per_year,
        original.unit,
        original.subject_areas,
    )
    assert copied.pk != original.pk
    # the old agreement stays in force until the renewal is signed
    assert signed.status == AgreementStatus.ACTIVE
    assert _events(signed)[-1] == EventKind.RENEWED
    assert AgreementEvent.objects.get(agreement=signed, kind=EventKind.RENEWED).parameters == {
        "successor": str(successor.pk)
    }
    assert AgreementEvent.objects.get(agreement=successor, kind=EventKind.CREATED).parameters == {
        "renews": str(signed.pk)
    }
    assert len(Agreement.history.model.objects.filter(id=successor.pk)) >= 1
    assert Agreement.history.model.objects.filter(id=successor.pk).first().history_user == users["editor"]


def test_the_predecessor_is_superseded_when_the_successor_is_signed(signed, users):
    successor = services.agreement_renew(agreement=signed, acting_user=users["editor"], expires_on=D(2031, 3, 14))
    history_before = len(_history(signed))

    services.agreement_sign(agreement=successor, acting_user=users["manager"], signed_on=D(2026, 2, 20))

    signed.refresh_from_db()
    successor.refresh_from_db()
    assert successor.status == AgreementStatus.ACTIVE
    assert signed.status == AgreementStatus.SUPERSEDED
    assert len(_history(signed)) == history_before + 1
    assert _history(signed)[-1].history_user == users["manager"]
    event = AgreementEvent.objects.get(agreement=signed, kind=EventKind.SUPERSEDED)
    assert (event.date, event.parameters) == (D(2026, 2, 20), {"successor": str(successor.pk)})


def test_renewing_with_a_signature_date_signs_the_successor_and_supersedes_at_once(signed, users):
    successor = services.agreement_renew(
        agreement=signed,
        acting_user=users["editor"],
        expires_on=D(2031, 3, 14),
        signed_on=D(2026, 3, 1),
        title="MoU 2026–2031",
    )

    signed.refresh_from_db()
    assert successor.status == AgreementStatus.ACTIVE
    assert successor.title == "MoU 2026–2031"
    assert signed.status == AgreementStatus.SUPERSEDED


def test_an_expired_agreement_can_be_renewed_and_then_is_no_longer_lapsed(signed, users):
    services.agreement_expire_due(today=D(2026, 4, 1))
    signed.refresh_from_db()
    assert health(signed, D(2026, 4, 1)) == AgreementHealth.LAPSED

    successor = services.agreement_renew(
        agreement=signed, acting_user=users["editor"], expires_on=D(2031, 4, 1), signed_on=D(2026, 4, 2)
    )

    signed = Agreement.objects.get(pk=signed.pk)
    assert signed.status == AgreementStatus.SUPERSEDED
    assert health(signed, D(2026, 4, 10)) == AgreementHealth.NOT_IN_FORCE
    assert health(successor, D(2026, 4, 10)) == AgreementHealth.ACTIVE


def test_an_agreement_is_renewed_only_once(signed, users):
    services.agreement_renew(agreement=signed, acting_user=users["editor"], expires_on=D(2031, 3, 14))
    count = Agreement.objects.count()

    with pytest.raises(ValidationError):
        services.agreement_renew(agreement=signed, acting_user=users["editor"], expires_on=D(2031, 3, 14))

    assert Agreement.objects.count() == count


def test_a_draft_cannot_be_renewed(make_agreement, users):
    draft = make_agreement()

    with pytest.raises(ValidationError):
        services.agreement_renew(agreement=draft, acting_user=users["editor"], expires_on=D(2031, 3, 14))

    assert Agreement.objects.count() == 1


def test_a_renewal_that_would_expire_before_its_signature_is_refused_and_nothing_is_created(signed, users):
    count = Agreement.objects.count()

    with pytest.raises(ValidationError) as caught:
        services.agreement_renew(
            agreement=signed, acting_user=users["editor"], expires_on=D(2026, 1, 1), signed_on=D(2026, 3, 1)
        )

    assert "expires_on" in caught.value.message_dict
    assert Agreement.objects.count() == count
    signed.refresh_from_db()
    assert signed.status == AgreementStatus.ACTIVE
    assert EventKind.RENEWED not in _events(signed)


# --- expire by date ------------------------------------------------------------------------


def test_an_agreement_expires_the_day_after_its_expiry_date(signed):
    on_the_day = services.agreement_expire_due(today=D(2026, 3, 14))
    signed.refresh_from_db()
    assert on_the_day == {"expired": 0, "auto_renewed": 0}
    assert signed.status == AgreementStatus.ACTIVE

    next_day = services.agreement_expire_due(today=D(2026, 3, 15))

    signed.refresh_from_db()
    assert next_day == {"expired": 1, "auto_renewed": 0}
    assert signed.status == AgreementStatus.EXPIRED
    assert _history(signed)[-1].status == AgreementStatus.EXPIRED
    assert _history(signed)[-1].history_user is None  # the daily job, not a person
    event = AgreementEvent.objects.get(agreement=signed, kind=EventKind.EXPIRED)
    assert (event.date, event.actor) == (D(2026, 3, 14), None)


def test_expiring_twice_the_same_day_changes_nothing(signed):
    services.agreement_expire_due(today=D(2026, 3, 15))
    history = len(_history(signed))
    events = _events(signed)

    again = services.agreement_expire_due(today=D(2026, 3, 15))

    assert again == {"expired": 0, "auto_renewed": 0}
    assert len(_history(signed)) == history
    assert _events(signed) == events


def test_drafts_terminated_and_open_ended_agreements_do_not_expire(make_agreement, signed, users):
    draft = make_agreement(title="Draft", expires_on=D(2025, 1, 1))
    open_ended = services.agreement_sign(
        agreement=make_agreement(title="No end"), acting_user=users["editor"], signed_on=D(2020, 1, 1)
    )
    services.agreement_terminate(agreement=signed, acting_user=users["editor"], terminated_on=D(2022, 1, 1), reason="x")

    counts = services.agreement_expire_due(today=D(2027, 1, 1))

    assert counts == {"expired": 0, "auto_renewed": 0}
    assert Agreement.objects.get(pk=draft.pk).status == AgreementStatus.DRAFT
    assert Agreement.objects.get(pk=open_ended.pk).status == AgreementStatus.ACTIVE
    assert Agreement.objects.get(pk=signed.pk).status == AgreementStatus.TERMINATED


def test_an_auto_renewing_agreement_is_extended_by_its_term(make_agreement, users):
    # given: five years, 15 March 2021 to 14 March 2026, renewing automatically
    agreement = make_agreement(expires_on=D(2026, 3, 14), auto_renewal=True)
    agreement = services.agreement_sign(agreement=agreement, acting_user=users["editor"], signed_on=D(2021, 3, 15))

    # when
    counts = services.agreement_expire_due(today=D(2026, 3, 15))

    # then: another five years, to 14 March 2031
    agreement.refresh_from_db()
    assert counts == {"expired": 0, "auto_renewed": 1}
    assert agreement.status == AgreementStatus.ACTIVE
    assert agreement.expires_on == D(2031, 3, 14)
    assert agreement.renewal_starts_on == D(2031, 3, 14) - datetime.timedelta(days=agreement.renewal_lead_days)
    assert _history(agreement)[-1].expires_on == D(2031, 3, 14)
    event = AgreementEvent.objects.get(agreement=agreement, kind=EventKind.AUTO_RENEWED)
    assert (event.date, event.parameters) == (D(2026, 3, 14), {"until": "2031-03-14"})


def test_an_auto_renewing_agreement_expiring_on_its_anniversary_keeps_the_anniversary(make_agreement, users):
    # two years, 1 January 2026 to 1 January 2028, and the next two contain 29 February 2028
    agreement = make_agreement(expires_on=D(2028, 1, 1), auto_renewal=True)
    services.agreement_sign(agreement=agreement, acting_user=users["editor"], signed_on=D(2026, 1, 1))

    services.agreement_expire_due(today=D(2028, 1, 2))

    agreement.refresh_from_db()
    assert agreement.expires_on == D(2030, 1, 1)


def test_an_auto_renewing_agreement_found_late_is_extended_until_it_is_in_force_again(make_agreement, users):
    # one year, 1 September 2025 to 31 August 2026, and the job did not run for two years
    agreement = make_agreement(expires_on=D(2026, 8, 31), auto_renewal=True)
    services.agreement_sign(agreement=agreement, acting_user=users["editor"], signed_on=D(2025, 9, 1))

    services.agreement_expire_due(today=D(2028, 10, 1))

    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    assert agreement.expires_on == D(2029, 8, 31)
    assert _events(agreement).count(EventKind.AUTO_RENEWED) == 1


# --- health --------------------------------------------------------------------------------


@pytest.fixture
def watched(make_agreement, users):
    """Signed 1 January 2024, expiring 31 December 2026 (renewal from 4 July 2026), evidence in June 2024."""
    agreement = make_agreement(expires_on=D(2026, 12, 31), renewal_lead_days=180)
    agreement = services.agreement_sign(agreement=agreement, acting_user=users["editor"], signed_on=D(2024, 1, 1))
    services.evidence_add(
        commitment=agreement.commitments.get(),
        acting_user=users["editor"],
        data={"happened_on": D(2024, 6, 1), "note": "Two students from LNTU arrived", "quantity": Decimal("2")},
    )
    return agreement


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2024, 9, 1), AgreementHealth.ACTIVE),
        (D(2025, 6, 1), AgreementHealth.ACTIVE),  # a year to the day after the last evidence
        (D(2025, 9, 1), AgreementHealth.DORMANT),
        (D(2026, 7, 3), AgreementHealth.DORMANT),
        (D(2026, 7, 4), AgreementHealth.AT_RISK),  # the renewal window opens
        (D(2026, 12, 31), AgreementHealth.AT_RISK),
        (D(2027, 1, 1), AgreementHealth.LAPSED),  # past its date, even before the daily job runs
    ],
)
def test_health_on_chosen_dates(watched, users, today, expected):
    annotated = agreement_list(user=users["viewer"]).get(pk=watched.pk)

    assert health(annotated, today) == expected
    # the list filter follows the same rule
    assert set(agreement_list(user=users["viewer"]).filter(health_q(expected, today)).values_list("pk", flat=True)) == {
        watched.pk
    }


def test_recent_evidence_keeps_an_old_agreement_active(watched, users):
    services.evidence_add(
        commitment=watched.commitments.get(),
        acting_user=users["editor"],
        data={"happened_on": D(2025, 5, 20), "note": "Summer school in Fuxin"},
    )

    annotated = agreement_list(user=users["viewer"]).get(pk=watched.pk)

    assert health(annotated, D(2025, 9, 1)) == AgreementHealth.ACTIVE


def test_an_expired_agreement_is_lapsed_and_a_draft_is_not_in_force(watched, make_agreement, users):
    services.agreement_expire_due(today=D(2027, 1, 1))
    draft = make_agreement(title="Draft with Guangxi")

    expired = agreement_list(user=users["viewer"]).get(pk=watched.pk)

    assert expired.status == AgreementStatus.EXPIRED
    assert health(expired, D(2027, 1, 1)) == AgreementHealth.LAPSED
    assert health(draft, D(2027, 1, 1)) == AgreementHealth.NOT_IN_FORCE
    assert not agreement_list(user=users["viewer"]).filter(health_q(AgreementHealth.ACTIVE, D(2027, 1, 1))).exists()


# --- fulfilment ----------------------------------------------------------------------------


@pytest.fixture
def exchange(make_agreement, users):
    """A commitment to exchange four students a year."""
    agreement = make_agreement(expires_on=D(2030, 8, 31))
    services.agreement_sign(agreement=agreement, acting_user=users["editor"], signed_on=D(2025, 3, 1))
    return agreement.commitments.get()


def _evidence(commitment, users, day, quantity=None, note="Students exchanged"):
    return services.evidence_add(
        commitment=commitment,
        acting_user=users["editor"],
        data={"happened_on": day, "note": note, "quantity": quantity},
    )


def test_a_commitment_without_evidence_is_not_started(exchange):
    state = fulfilment(exchange, D(2026, 1, 15))

    assert (state.state, state.done, state.percent, state.year, state.last) == (
        Fulfilment.NOT_STARTED,
        Decimal(0),
        0,
        "2025/2026",
        None,
    )


def test_only_evidence_of_the_current_academic_year_counts(exchange, users):
    _evidence(exchange, users, D(2025, 8, 31), Decimal("3"))  # the last day of 2024/2025
    _evidence(exchange, users, D(2025, 9, 1), Decimal("1"))  # the first day of 2025/2026
    _evidence(exchange, users, D(2026, 1, 10), Decimal("2"))

    state = fulfilment(Commitment.objects.get(pk=exchange.pk), D(2026, 1, 15))

    assert state.year == "2025/2026"
    assert state.done == Decimal("3")
    assert state.target == Decimal("4")
    assert state.percent == 75
    assert state.state == Fulfilment.IN_PROGRESS
    assert state.last == D(2026, 1, 10)


def test_reaching_the_quantity_fulfils_the_commitment_and_the_percentage_stops_at_100(exchange, users):
    _evidence(exchange, users, D(2025, 10, 1), Decimal("3"))
    _evidence(exchange, users, D(2026, 2, 1), Decimal("3"))

    state = fulfilment(exchange, D(2026, 3, 1))

    assert (state.state, state.done, state.percent) == (Fulfilment.FULFILLED, Decimal("6"), 100)


def test_evidence_without_quantities_counts_one_each(exchange, users):
    _evidence(exchange, users, D(2025, 10, 1))
    _evidence(exchange, users, D(2025, 11, 1))

    state = fulfilment(exchange, D(2026, 3, 1))

    assert (state.done, state.percent, state.state) == (Decimal("2"), 50, Fulfilment.IN_PROGRESS)


def test_the_new_academic_year_starts_from_zero(exchange, users):
    _evidence(exchange, users, D(2025, 10, 1), Decimal("4"))

    last_year = fulfilment(exchange, D(2026, 8, 31))
    this_year = fulfilment(exchange, D(2026, 9, 1))

    assert (last_year.year, last_year.state) == ("2025/2026", Fulfilment.FULFILLED)
    assert (this_year.year, this_year.done, this_year.state) == ("2026/2027", Decimal(0), Fulfilment.IN_PROGRESS)


def test_a_commitment_without_evidence_for_a_year_has_lapsed(exchange, users):
    _evidence(exchange, users, D(2025, 3, 10), Decimal("4"))

    state = fulfilment(exchange, D(2026, 3, 20))

    assert state.state == Fulfilment.LAPSED
    assert state.last == D(2025, 3, 10)


def test_a_commitment_without_a_quantity_is_fulfilled_by_any_evidence_this_year(make_agreement, users):
    agreement = make_agreement(
        commitments=[
            {
                "activity_type": ActivityType.objects.get(code="joint_research"),
                "description": "Joint research on coal mining safety",
            }
        ]
    )
    commitment = agreement.commitments.get()
    before = fulfilment(commitment, D(2026, 3, 1))
    _evidence(commitment, users, D(2026, 2, 1), note="Joint paper published")

    after = fulfilment(commitment, D(2026, 3, 1))

    assert (before.state, before.percent) == (Fulfilment.NOT_STARTED, 0)
    assert (after.state, after.percent, after.target) == (Fulfilment.FULFILLED, 100, None)


@pytest.mark.parametrize("role", ["viewer", "other"])
def test_evidence_by_a_viewer_or_another_tenant_is_refused(exchange, users, role):
    with pytest.raises(PermissionDenied):
        services.evidence_add(
            commitment=exchange, acting_user=users[role], data={"happened_on": D(2026, 1, 1), "note": "x"}
        )

    assert not exchange.evidence.exists()
