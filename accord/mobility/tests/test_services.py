"""Calls, applications, the selection as a service, nomination, mobilities and what is read from them.

Quảng Ninh DoET's editor runs a call for students to study at Osaka University in 2026/2027
under an exchange programme, with an agreement whose commitment promises five students a year.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from accord.agreements import services as agreement_services
from accord.agreements.models import ActivityType
from accord.agreements.selectors import fulfilment, fulfilment_counts
from accord.mobility import selectors, services
from accord.mobility.models import (
    Application,
    ApplicationStatus,
    Call,
    CallStatus,
    Mobility,
    MobilityStatus,
    months_between,
)
from accord.partners import services as partner_services

D = datetime.date


# --- factories, through the services -------------------------------------------------------------


def organization(user, name: str, country: str = "JP", **data):
    return partner_services.organization_create(
        acting_user=user, data={"kind": "university", "name": name, "country": country, **data}, allow_similar=True
    )


def make_agreement(user, owner, partner, title: str, *, quantity=Decimal(5), unit="students"):
    return agreement_services.agreement_create(
        acting_user=user,
        data={"kind": "mou", "title": title, "owner": owner},
        parties=[
            {"organization": owner, "role": "signatory"},
            {"organization": partner, "role": "signatory"},
        ],
        commitments=[
            {
                "activity_type": ActivityType.objects.get(code="student_exchange"),
                "description": "Students sent to the partner",
                "direction": "both",
                "quantity_per_year": quantity,
                "unit": unit,
            }
        ],
    )


@pytest.fixture
def world(users, tenants):
    return build_world(users, tenants)


def build_world(users, tenants) -> dict:
    """Osaka University and Kobe University, an agreement with Osaka, and an exchange programme 2026–2030."""
    editor = users["editor"]
    osaka = organization(editor, "Osaka University")
    kobe = organization(editor, "Kobe University")
    agreement = make_agreement(editor, tenants["qn"], osaka, "MoU with Osaka University")
    programme = services.programme_create(
        acting_user=editor,
        data={
            "name": "Study in Japan",
            "kind": "exchange",
            "starts_on": D(2026, 9, 1),
            "ends_on": D(2030, 8, 31),
            "level": "bachelor",
        },
        partners=[osaka],
        agreements=[agreement],
        commitments=list(agreement.commitments.all()),
    )
    return {
        "editor": editor,
        "osaka": osaka,
        "kobe": kobe,
        "agreement": agreement,
        "commitment": agreement.commitments.get(),
        "programme": programme,
        **tenants,
    }


def make_call(world, **data) -> Call:
    values = {
        "programme": world["programme"],
        "title": "Outstanding students to Japan 2026/2027",
        "academic_year": "2026/2027",
        "places": 2,
        "opens_on": D(2026, 3, 1),
        "closes_on": D(2026, 4, 30),
        "mobility_starts_on": D(2026, 10, 1),
        "mobility_ends_on": D(2027, 3, 31),
        "min_gpa": Decimal("2.50"),
        "min_cefr": "B1",
        "host": world["osaka"],
        "agreement": world["agreement"],
        "commitment": world["commitment"],
    }
    values.update(data)
    return services.call_create(acting_user=world["editor"], data=values)


@pytest.fixture
def call(world):
    return make_call(world)


def apply(world, call, name: str, *, gpa="3.20", language="B2", interview="80", day=10, **data) -> Application:
    values = {
        "full_name": name,
        "email": f"{name.split()[-1].lower()}@student.example.org",
        "student_number": f"HLU-{name.split()[-1].upper()}",
        "date_of_birth": D(2005, 5, 17),
        "gender": "f",
        "fictitious": True,
        "home_unit": world["hlu"],
        "level": "bachelor",
        "subject_area": "0714",
        "gpa": Decimal(gpa) if gpa is not None else None,
        "language_certificate": "JLPT N3",
        "language_level": language,
        "interview_score": Decimal(interview) if interview is not None else None,
        "submitted_on": D(2026, 3, 1) + datetime.timedelta(days=day),
    }
    values.update(data)
    return services.application_create(acting_user=world["editor"], call=call, data=values)


@pytest.fixture
def applicants(world, call):
    """Four applicants: An (best), Binh, Chi (third) and Dung (GPA below the minimum)."""
    return {
        "an": apply(world, call, "Nguyen Thi An", interview="95"),
        "binh": apply(world, call, "Tran Van Binh", interview="85"),
        "chi": apply(world, call, "Le Thi Chi", interview="75"),
        "dung": apply(world, call, "Pham Van Dung", gpa="2.10", interview="99"),
    }


def fresh(obj):
    obj.refresh_from_db()
    return obj


def outcome(application) -> tuple:
    application = fresh(application)
    return application.status, application.rank


def make_mobility(world, name="Yamada Hanako", *, direction="outgoing", user=None, **data) -> Mobility:
    values = {
        "direction": direction,
        "category": "student",
        "full_name": name,
        "fictitious": True,
        "planned_start": D(2026, 10, 1),
        "planned_end": D(2027, 3, 31),
    }
    if direction == "outgoing":
        values["host_organization"] = world["osaka"]
    else:
        values["home_organization"] = world["osaka"]
    values.update(data)
    return services.mobility_create(acting_user=user or world["editor"], data=values)


# --- the selection as a service ------------------------------------------------------------------


def test_a_selection_run_writes_each_outcome_and_who_ran_it_when(world, call, applicants):
    # when
    services.selection_run(call=call, acting_user=world["editor"])

    # then
    call = fresh(call)
    assert call.status == CallStatus.SELECTED
    assert call.selected_by == world["editor"] and call.selected_at is not None
    assert outcome(applicants["an"]) == (ApplicationStatus.SELECTED, 1)
    assert outcome(applicants["binh"]) == (ApplicationStatus.SELECTED, 2)
    assert outcome(applicants["chi"]) == (ApplicationStatus.WAITLISTED, 3)
    assert outcome(applicants["dung"]) == (ApplicationStatus.INELIGIBLE, None)
    an = fresh(applicants["an"])
    # 3.20/4 = 80 points ×50, B2 = 60 ×20, interview 95 ×30 → 80.50
    assert an.score == Decimal("80.50")
    assert an.explanation["parts"]["gpa"] == {"value": "3.20", "points": "80.00", "weight": "50"}
    assert fresh(applicants["dung"]).explanation["reasons"] == [
        {"code": "gpa_below", "value": "2.10", "minimum": "2.50"}
    ]


def test_an_edit_opened_before_the_selection_cannot_overwrite_its_outcome(world, call, applicants):
    from accord.core.services import ConflictError

    opened = fresh(applicants["chi"]).updated_at  # the edit form is opened, then the selection runs
    services.selection_run(call=call, acting_user=world["editor"])

    assert fresh(applicants["chi"]).updated_at > opened
    with pytest.raises(ConflictError):
        services.application_update(
            application=fresh(applicants["chi"]),
            acting_user=world["editor"],
            data={"interview_score": Decimal(100)},
            expected_updated_at=opened,
        )
    assert outcome(applicants["chi"]) == (ApplicationStatus.WAITLISTED, 3)


def test_a_run_with_no_applications_is_refused(world, call):
    with pytest.raises(ValidationError, match="no applications"):
        services.selection_run(call=call, acting_user=world["editor"])

    assert fresh(call).status == CallStatus.OPEN and fresh(call).selected_at is None


def test_a_run_after_an_application_changed_gives_the_new_outcome(world, call, applicants):
    services.selection_run(call=call, acting_user=world["editor"])

    # when Chi's interview is marked again, higher than everybody's, and the selection re-run
    services.application_update(
        application=applicants["chi"], acting_user=world["editor"], data={"interview_score": Decimal(100)}
    )
    services.selection_run(call=call, acting_user=world["editor"])

    # then
    assert outcome(applicants["chi"]) == (ApplicationStatus.SELECTED, 1)
    assert outcome(applicants["an"]) == (ApplicationStatus.SELECTED, 2)
    assert outcome(applicants["binh"]) == (ApplicationStatus.WAITLISTED, 3)


@pytest.mark.parametrize("change", ["application_update", "application_create", "application_delete", "call_update"])
def test_a_proposed_selection_is_cleared_when_the_call_or_an_application_changes(world, call, applicants, change):
    # given a proposed selection
    services.selection_run(call=call, acting_user=world["editor"])

    # when
    if change == "application_update":
        services.application_update(
            application=applicants["binh"], acting_user=world["editor"], data={"gpa": Decimal("3.9")}
        )
    elif change == "application_create":
        apply(world, call, "Vu Thi Em")
    elif change == "application_delete":
        services.application_delete(application=applicants["binh"], acting_user=world["editor"])
    else:
        services.call_update(call=call, acting_user=world["editor"], data={"places": 3})

    # then nothing of the old outcome stays
    call = fresh(call)
    assert call.status == CallStatus.OPEN
    assert call.selected_at is None and call.selected_by is None
    for application in Application.objects.filter(call=call):
        assert (application.status, application.rank, application.score) == (ApplicationStatus.SUBMITTED, None, None)
        assert application.explanation == {}
    with pytest.raises(ValidationError, match="Run the selection"):
        services.selection_confirm(call=call, acting_user=world["editor"])


def test_confirming_before_any_run_is_refused(world, call, applicants):
    with pytest.raises(ValidationError, match="Run the selection before confirming"):
        services.selection_confirm(call=call, acting_user=world["editor"])

    assert fresh(call).status == CallStatus.OPEN
    assert not Mobility.objects.exists()


def test_confirming_nominates_the_selected_each_with_an_outgoing_mobility(world, call, applicants):
    services.selection_run(call=call, acting_user=world["editor"])

    # when
    mobilities = services.selection_confirm(call=call, acting_user=world["editor"])

    # then
    call = fresh(call)
    assert call.status == CallStatus.CONFIRMED
    assert call.confirmed_by == world["editor"] and call.confirmed_at is not None
    assert [m.full_name for m in mobilities] == ["Nguyen Thi An", "Tran Van Binh"]
    assert outcome(applicants["an"]) == (ApplicationStatus.NOMINATED, 1)
    assert outcome(applicants["chi"]) == (ApplicationStatus.WAITLISTED, 3)
    an = fresh(applicants["an"])
    mobility = Mobility.objects.get(application=an)
    assert mobility.status == MobilityStatus.NOMINATED
    assert (mobility.owner, mobility.direction, mobility.category) == (world["qn"], "outgoing", "student")
    assert mobility.home_organization == world["hlu"]
    assert mobility.host_organization == world["osaka"] and mobility.partner == world["osaka"]
    assert mobility.programme == world["programme"]
    assert (mobility.agreement, mobility.commitment) == (world["agreement"], world["commitment"])
    assert (mobility.planned_start, mobility.planned_end) == (D(2026, 10, 1), D(2027, 3, 31))
    assert mobility.academic_year == "2026/2027"
    personal = ("full_name", "email", "student_number", "date_of_birth", "gender", "fictitious", "level")
    assert {f: getattr(mobility, f) for f in personal} == {f: getattr(an, f) for f in personal}
    assert mobility.subject_area == "0714"


def test_nomination_copies_the_quota_of_the_call(world, applicants, call):
    from accord.funding import services as funding_services

    scheme = funding_services.scheme_create(
        acting_user=world["editor"],
        data={"name": "Japan places", "kind": "quota_plan", "funder": world["osaka"], "unit": "places", "total": 10},
    )
    allocation = funding_services.allocation_create(
        acting_user=world["editor"], scheme=scheme, data={"recipient": world["qn"], "quantity": Decimal(5)}
    )
    services.call_update(call=call, acting_user=world["editor"], data={"allocation": allocation})
    services.selection_run(call=call, acting_user=world["editor"])

    mobilities = services.selection_confirm(call=call, acting_user=world["editor"])

    assert {m.allocation for m in mobilities} == {allocation}


def test_without_a_host_on_the_call_the_programme_partner_hosts(world, applicants):
    call = make_call(world, host=None, title="Second call")
    apply(world, call, "Hoang Thi Giang")
    services.selection_run(call=call, acting_user=world["editor"])

    (mobility,) = services.selection_confirm(call=call, acting_user=world["editor"])

    assert mobility.host_organization == world["osaka"]


def test_once_confirmed_the_selection_and_its_call_cannot_change(world, call, applicants):
    services.selection_run(call=call, acting_user=world["editor"])
    services.selection_confirm(call=call, acting_user=world["editor"])
    before = list(Application.objects.filter(call=call).order_by("id").values_list("status", "rank", "gpa"))

    attempts = [
        lambda: services.selection_run(call=call, acting_user=world["editor"]),
        lambda: services.selection_confirm(call=call, acting_user=world["editor"]),
        lambda: services.call_update(call=call, acting_user=world["editor"], data={"places": 5}),
        lambda: services.application_update(
            application=applicants["chi"], acting_user=world["editor"], data={"gpa": Decimal(4)}
        ),
        lambda: apply(world, call, "Vu Thi Em"),
        lambda: services.application_delete(application=applicants["chi"], acting_user=world["editor"]),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError):
            attempt()

    assert fresh(call).places == 2
    assert list(Application.objects.filter(call=call).order_by("id").values_list("status", "rank", "gpa")) == before
    assert Mobility.objects.count() == 2


def test_a_nominee_who_withdraws_is_replaced_by_the_first_on_the_waiting_list(world, call, applicants):
    services.selection_run(call=call, acting_user=world["editor"])
    services.selection_confirm(call=call, acting_user=world["editor"])

    # when
    successor = services.application_withdraw(
        application=applicants["an"], acting_user=world["editor"], reason="Got a scholarship elsewhere."
    )

    # then
    assert successor == applicants["chi"]
    assert fresh(applicants["an"]).status == ApplicationStatus.WITHDRAWN
    withdrawn = Mobility.objects.get(application=applicants["an"])
    assert withdrawn.status == MobilityStatus.CANCELLED
    assert withdrawn.cancellation_reason == "Got a scholarship elsewhere."
    assert fresh(applicants["chi"]).status == ApplicationStatus.NOMINATED
    assert Mobility.objects.get(application=applicants["chi"]).status == MobilityStatus.NOMINATED
    assert Mobility.objects.exclude(status=MobilityStatus.CANCELLED).count() == 2


def test_a_waitlisted_applicant_who_withdraws_frees_no_place(world, call, applicants):
    services.selection_run(call=call, acting_user=world["editor"])
    services.selection_confirm(call=call, acting_user=world["editor"])

    assert services.application_withdraw(application=applicants["chi"], acting_user=world["editor"]) is None
    assert Mobility.objects.count() == 2


def test_a_withdrawal_before_the_run_leaves_the_application_out_of_it(world, call, applicants):
    services.application_withdraw(application=applicants["an"], acting_user=world["editor"])

    services.selection_run(call=call, acting_user=world["editor"])

    assert outcome(applicants["an"]) == (ApplicationStatus.WITHDRAWN, None)
    assert outcome(applicants["binh"]) == (ApplicationStatus.SELECTED, 1)
    assert outcome(applicants["chi"]) == (ApplicationStatus.SELECTED, 2)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_service_writes_what_the_rule_decides_for_random_applicants(world, seed):
    import random

    from accord.mobility import selection

    rnd = random.Random(seed)
    call = make_call(world, places=rnd.randint(0, 6), title=f"Random call {seed}")
    for i in range(rnd.randint(5, 15)):
        apply(
            world,
            call,
            f"Applicant Number{i}",
            gpa=str(rnd.choice(["2.00", "2.50", "3.00", "3.50", "4.00"])),
            language=rnd.choice(["A2", "B1", "B2", "C1"]),
            interview=rnd.choice(["60", "75", "90", None]),
            day=rnd.randint(0, 5),
        )

    services.selection_run(call=call, acting_user=world["editor"])

    applications = list(Application.objects.filter(call=call))
    expected = {
        o.id: (o.status, o.rank, o.score)
        for o in selection.select([services.candidate_of(a) for a in applications], services.rules_of(call))
    }
    assert {a.pk: (a.status, a.rank, a.score) for a in applications} == expected
    eligible = sum(a.status != ApplicationStatus.INELIGIBLE for a in applications)
    assert sum(a.status == ApplicationStatus.SELECTED for a in applications) == min(call.places, eligible)


# --- bad input: a message on the field, nothing written ------------------------------------------


def _refused(field: str, action) -> ValidationError:
    counts = (Call.objects.count(), Application.objects.count(), Mobility.objects.count())
    with pytest.raises(ValidationError) as caught:
        action()
    assert field in caught.value.message_dict, caught.value.message_dict
    assert (Call.objects.count(), Application.objects.count(), Mobility.objects.count()) == counts
    return caught.value


def test_a_gpa_outside_the_scale_of_the_call_is_refused(world, call):
    error = _refused("gpa", lambda: apply(world, call, "Nguyen Van Hai", gpa="4.20"))
    assert "between 0 and 4" in error.message_dict["gpa"][0]
    _refused("gpa", lambda: apply(world, call, "Nguyen Van Hai", gpa="-0.5"))


def test_applying_twice_with_the_same_student_number_is_refused(world, call):
    apply(world, call, "Nguyen Thi An", student_number="HLU-123")

    _refused("student_number", lambda: apply(world, call, "Nguyen T. An", student_number="hlu-123", email=""))


def test_applying_twice_with_the_same_email_in_another_case_is_refused(world, call):
    apply(world, call, "Nguyen Thi An", student_number="", email="an.nguyen@student.example.org")

    _refused("email", lambda: apply(world, call, "Nguyen An", student_number="", email="An.Nguyen@Student.Example.org"))


def test_applying_again_with_the_same_email_but_now_a_student_number_is_refused(world, call):
    apply(world, call, "Nguyen Thi An", student_number="", email="an.nguyen@student.example.org")

    _refused(
        "email", lambda: apply(world, call, "Nguyen An", student_number="HLU-9", email="AN.NGUYEN@student.example.org")
    )


def test_the_same_person_may_apply_to_another_call(world, call):
    apply(world, call, "Nguyen Thi An", student_number="HLU-123")
    other = make_call(world, title="Summer call")

    assert apply(world, other, "Nguyen Thi An", student_number="HLU-123").pk


def test_an_application_after_the_closing_date_is_refused(world, call):
    error = _refused("submitted_on", lambda: apply(world, call, "Nguyen Van Hai", day=61))
    assert "2026-04-30" in error.message_dict["submitted_on"][0]


def test_places_below_zero_are_refused(world, call):
    _refused("places", lambda: make_call(world, places=-1))
    _refused("places", lambda: services.call_update(call=call, acting_user=world["editor"], data={"places": -3}))
    assert fresh(call).places == 2


def test_a_minimum_gpa_above_the_scale_is_refused(world):
    _refused("min_gpa", lambda: make_call(world, min_gpa=Decimal("4.5")))


def test_a_call_whose_stays_fall_outside_the_programme_is_refused(world):
    _refused("mobility_starts_on", lambda: make_call(world, mobility_starts_on=D(2026, 8, 1)))
    _refused("mobility_ends_on", lambda: make_call(world, mobility_ends_on=D(2031, 1, 31)))


def test_mobility_dates_outside_the_programme_period_are_refused(world):
    _refused("planned_start", lambda: make_mobility(world, programme=world["programme"], planned_start=D(2026, 8, 1)))
    _refused("planned_end", lambda: make_mobility(world, programme=world["programme"], planned_end=D(2030, 9, 30)))


def test_a_mobility_ending_before_it_starts_is_refused(world):
    _refused("planned_end", lambda: make_mobility(world, planned_start=D(2026, 10, 1), planned_end=D(2026, 9, 1)))


# --- mobility status ------------------------------------------------------------------------------


def test_a_mobility_moves_from_nominated_to_completed(world):
    mobility = make_mobility(world)
    assert mobility.status == MobilityStatus.NOMINATED
    assert services.allowed_transitions(mobility) == ["confirm", "start", "cancel"]

    mobility = services.mobility_confirm(mobility=mobility, acting_user=world["editor"])
    assert services.allowed_transitions(mobility) == ["start", "cancel"]
    mobility = services.mobility_start(mobility=mobility, acting_user=world["editor"], started_on=D(2026, 10, 3))
    assert (mobility.status, mobility.actual_start) == (MobilityStatus.ONGOING, D(2026, 10, 3))
    assert services.allowed_transitions(mobility) == ["complete", "cancel"]
    mobility = services.mobility_complete(mobility=mobility, acting_user=world["editor"])

    mobility = fresh(mobility)
    assert (mobility.status, mobility.actual_end) == (MobilityStatus.COMPLETED, D(2027, 3, 31))
    assert services.allowed_transitions(mobility) == []
    assert [h.status for h in mobility.history.order_by("history_date")] == [
        "nominated",
        "confirmed",
        "ongoing",
        "completed",
    ]


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], "complete"),
        (["confirm"], "confirm"),
        (["start", "complete"], "start"),
        (["start", "complete"], "cancel"),
        (["cancel"], "confirm"),
        (["cancel"], "start"),
        (["cancel"], "cancel"),
    ],
)
def test_a_transition_from_the_wrong_status_is_refused(world, path, refused):
    mobility = make_mobility(world)
    steps = {
        "confirm": lambda m: services.mobility_confirm(mobility=m, acting_user=world["editor"]),
        "start": lambda m: services.mobility_start(mobility=m, acting_user=world["editor"]),
        "complete": lambda m: services.mobility_complete(mobility=m, acting_user=world["editor"]),
        "cancel": lambda m: services.mobility_cancel(mobility=m, acting_user=world["editor"], reason="Visa refused."),
    }
    for step in path:
        mobility = steps[step](mobility)
    status = fresh(mobility).status

    with pytest.raises(ValidationError, match="cannot be"):
        steps[refused](mobility)

    assert fresh(mobility).status == status


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancelling_needs_a_reason(world, reason):
    mobility = make_mobility(world)

    with pytest.raises(ValidationError) as caught:
        services.mobility_cancel(mobility=mobility, acting_user=world["editor"], reason=reason)

    assert "reason" in caught.value.message_dict
    assert fresh(mobility).status == MobilityStatus.NOMINATED


def test_a_cancelled_mobility_keeps_its_reason(world):
    mobility = services.mobility_cancel(mobility=make_mobility(world), acting_user=world["editor"], reason=" Ill. ")

    assert (fresh(mobility).status, fresh(mobility).cancellation_reason) == (MobilityStatus.CANCELLED, "Ill.")


# --- exchange balance -----------------------------------------------------------------------------


def test_the_exchange_balance_counts_people_and_months_per_partner_and_year(world):
    kobe = world["kobe"]
    # 2026/2027 with Osaka: two out (6.0 and 1.0 months), one in (12.0), one cancelled out
    make_mobility(world, "Out A", planned_start=D(2026, 10, 1), planned_end=D(2027, 3, 31))  # 182 days
    make_mobility(world, "Out B", planned_start=D(2026, 11, 1), planned_end=D(2026, 11, 30))  # 30 days
    make_mobility(world, "In C", direction="incoming", planned_start=D(2026, 9, 1), planned_end=D(2027, 8, 31))
    cancelled = make_mobility(world, "Out D", planned_start=D(2026, 10, 1), planned_end=D(2027, 7, 31))
    services.mobility_cancel(mobility=cancelled, acting_user=world["editor"], reason="Withdrew.")
    # 2027/2028 with Osaka: one in; 2026/2027 with Kobe: one out
    make_mobility(world, "In E", direction="incoming", planned_start=D(2027, 9, 15), planned_end=D(2027, 12, 14))
    make_mobility(world, "Out F", host_organization=kobe, planned_start=D(2027, 2, 1), planned_end=D(2027, 3, 2))

    balance = selectors.exchange_balance(Mobility.objects.all(), by="partner")

    assert months_between(D(2026, 10, 1), D(2027, 3, 31)) == Decimal("6.0")  # 182 / 30.4375 = 5.98
    assert months_between(D(2026, 11, 1), D(2026, 11, 30)) == Decimal("1.0")  # 30 / 30.4375 = 0.99
    assert months_between(D(2026, 9, 1), D(2027, 8, 31)) == Decimal("12.0")  # 365 / 30.4375 = 11.99
    assert months_between(D(2027, 9, 15), D(2027, 12, 14)) == Decimal("3.0")  # 91 / 30.4375 = 2.99
    assert months_between(D(2027, 2, 1), D(2027, 3, 2)) == Decimal("1.0")  # 30 days
    rows = [
        (r.label, r.year, r.incoming_people, r.outgoing_people, r.incoming_months, r.outgoing_months)
        for r in balance.rows
    ]
    assert rows == [
        ("Kobe University", "2026/2027", 0, 1, Decimal(0), Decimal("1.0")),
        ("Osaka University", "2026/2027", 1, 2, Decimal("12.0"), Decimal("7.0")),
        ("Osaka University", "2027/2028", 1, 0, Decimal("3.0"), Decimal(0)),
    ]
    assert balance.rows[1].people_balance == -1 and balance.rows[1].months_balance == Decimal("5.0")
    totals = balance.totals
    assert (totals.incoming_people, totals.outgoing_people) == (2, 3)
    assert (totals.incoming_months, totals.outgoing_months) == (Decimal("15.0"), Decimal("8.0"))


def test_the_exchange_balance_per_agreement_leaves_out_stays_without_one(world):
    agreement = world["agreement"]
    make_mobility(world, "Out A", agreement=agreement)
    make_mobility(world, "In B", direction="incoming", commitment=world["commitment"])  # agreement from commitment
    make_mobility(world, "Out C")  # no agreement

    balance = selectors.exchange_balance(Mobility.objects.all(), by="agreement")

    assert [(r.label, r.year, r.incoming_people, r.outgoing_people) for r in balance.rows] == [
        ("MoU with Osaka University", "2026/2027", 1, 1)
    ]
    assert balance.rows[0].incoming_months == balance.rows[0].outgoing_months == Decimal("6.0")


def test_mobility_counts_leave_out_the_cancelled(world):
    make_mobility(world, "A")
    make_mobility(world, "B", category="lecturer")
    make_mobility(world, "C", direction="incoming", category="volunteer")
    services.mobility_cancel(mobility=make_mobility(world, "D"), acting_user=world["editor"], reason="No visa.")

    assert selectors.mobility_counts(Mobility.objects.all()) == {
        "outgoing": {"student": 1, "lecturer": 1},
        "incoming": {"volunteer": 1},
    }


# --- commitments fulfilled by mobilities ----------------------------------------------------------


def test_three_stays_this_year_fulfil_three_fifths_of_a_five_student_commitment(world):
    commitment = world["commitment"]  # 5 students a year
    for name, start in (("A", D(2026, 9, 10)), ("B", D(2026, 10, 1)), ("C", D(2027, 2, 1))):
        make_mobility(
            world, name, commitment=commitment, planned_start=start, planned_end=start + datetime.timedelta(90)
        )
    cancelled = make_mobility(world, "D", commitment=commitment)
    services.mobility_cancel(mobility=cancelled, acting_user=world["editor"], reason="No visa.")
    make_mobility(world, "E", commitment=commitment, planned_start=D(2027, 10, 1), planned_end=D(2027, 12, 1))

    state = fulfilment(commitment, today=D(2026, 12, 1))

    assert state.year == "2026/2027"
    assert (state.done, state.target, state.percent) == (Decimal(3), Decimal(5), 60)
    assert state.state == "in_progress"


def test_a_commitment_in_months_counts_the_months_of_the_stays(world, tenants):
    agreement = make_agreement(
        world["editor"], tenants["qn"], world["kobe"], "MoU with Kobe", quantity=Decimal(12), unit="months"
    )
    commitment = agreement.commitments.get()
    make_mobility(world, "A", host_organization=world["kobe"], commitment=commitment)  # 6.0 months
    make_mobility(
        world,
        "B",
        host_organization=world["kobe"],
        commitment=commitment,
        planned_start=D(2026, 11, 1),
        planned_end=D(2026, 11, 30),
    )  # 1.0 month

    state = fulfilment(commitment, today=D(2026, 12, 1))

    assert (state.done, state.target, state.percent) == (Decimal("7.0"), Decimal(12), 58)


def test_the_dashboard_counts_commitments_by_state_with_the_same_rule_as_each_commitments_page(world, tenants):
    """``fulfilment_counts`` sums in the database what ``fulfilment`` decides commitment by commitment."""
    from collections import Counter

    from accord.agreements.models import Commitment

    editor, today = world["editor"], D(2026, 12, 1)

    def commitment(title, **kwargs):
        return make_agreement(editor, tenants["qn"], world["kobe"], title, **kwargs).commitments.get()

    commitment("Nothing yet")
    noted = commitment("Noted with a quantity")
    agreement_services.evidence_add(
        commitment=noted, acting_user=editor, data={"happened_on": D(2026, 10, 1), "note": "x", "quantity": 5}
    )
    counted = commitment("Noted without a quantity")
    agreement_services.evidence_add(
        commitment=counted, acting_user=editor, data={"happened_on": D(2026, 10, 1), "note": "x", "quantity": None}
    )
    old = commitment("Nothing for over a year")
    agreement_services.evidence_add(
        commitment=old, acting_user=editor, data={"happened_on": D(2025, 6, 1), "note": "x", "quantity": 1}
    )
    months = commitment("Months", quantity=Decimal(6), unit="months")
    make_mobility(world, "A", host_organization=world["kobe"], commitment=months)  # 6.0 months
    stays = commitment("Stays")
    make_mobility(world, "B", host_organization=world["kobe"], commitment=stays)
    later = commitment("A stay planned next year")
    make_mobility(
        world,
        "C",
        host_organization=world["kobe"],
        commitment=later,
        planned_start=D(2028, 1, 1),
        planned_end=D(2028, 3, 1),
    )
    gone = commitment("Only a cancelled stay")
    services.mobility_cancel(
        mobility=make_mobility(world, "D", host_organization=world["kobe"], commitment=gone),
        acting_user=editor,
        reason="No visa.",
    )

    untargeted = commitment("No number agreed", quantity=None)
    agreement_services.evidence_add(
        commitment=untargeted, acting_user=editor, data={"happened_on": D(2026, 11, 1), "note": "x", "quantity": None}
    )
    commitment("No number agreed, nothing yet", quantity=None)

    commitments = Commitment.objects.all()
    expected = Counter(fulfilment(c, today=today).state for c in commitments)
    assert fulfilment(untargeted, today=today).state == "fulfilled"
    assert set(expected) == {"not_started", "in_progress", "fulfilled", "lapsed"}  # every state is tried
    assert fulfilment_counts(commitments, today) == dict(expected)


# --- privacy ---------------------------------------------------------------------------------------


def test_names_are_for_editors_and_above_of_the_owner_only(world, users, tenants):
    qn, hlu = tenants["qn"].pk, tenants["hlu"].pk
    superuser = get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-only")

    assert selectors.may_see_personal(users["editor"], qn)
    assert selectors.may_see_personal(users["manager"], qn)
    assert selectors.may_see_personal(users["admin"], qn)
    assert selectors.may_see_personal(users["unit"], hlu)
    assert selectors.may_see_personal(superuser, hlu)
    # oversight sees the figures of the units below it, not who the people are
    assert not selectors.may_see_personal(users["editor"], hlu)
    assert not selectors.may_see_personal(users["admin"], hlu)
    assert not selectors.may_see_personal(users["viewer"], qn)
    assert not selectors.may_see_personal(users["unit"], qn)
    assert not selectors.may_see_personal(users["other"], qn)
    assert not selectors.may_see_personal(AnonymousUser(), qn)
    assert not selectors.may_see_personal(None, qn)


def test_display_name_hides_the_name_from_who_may_not_see_it(world, users, call, applicants):
    mobility = make_mobility(world, "Sato Yuki")
    an = applicants["an"]

    assert selectors.display_name(users["editor"], mobility) == "Sato Yuki"
    assert selectors.display_name(users["viewer"], mobility) == f"Participant no. {mobility.pk}"
    assert selectors.display_name(users["editor"], an) == "Nguyen Thi An"
    assert selectors.display_name(users["viewer"], an) == f"Applicant no. {an.pk}"


def test_personal_owner_ids_follow_the_same_rule(users, tenants):
    assert selectors.personal_owner_ids(users["editor"]) == {tenants["qn"].pk}
    assert selectors.personal_owner_ids(users["unit"]) == {tenants["hlu"].pk}
    assert selectors.personal_owner_ids(users["viewer"]) == frozenset()
    assert selectors.personal_owner_ids(AnonymousUser()) == frozenset()


def test_a_unit_editor_records_its_own_mobilities_and_sees_their_names(world, users, tenants):
    unit = users["unit"]
    mobility = services.mobility_create(
        acting_user=unit,
        data={
            "direction": "incoming",
            "category": "volunteer",
            "full_name": "Suzuki Kenta",
            "home_organization": world["osaka"],
            "planned_start": D(2026, 9, 1),
            "planned_end": D(2027, 6, 30),
        },
    )

    assert mobility.owner == tenants["hlu"] and mobility.host_organization == tenants["hlu"]
    assert selectors.display_name(unit, mobility) == "Suzuki Kenta"
    assert selectors.display_name(users["editor"], mobility) == f"Participant no. {mobility.pk}"
    assert selectors.mobility_list(user=users["editor"]).filter(pk=mobility.pk).exists()
    assert not selectors.mobility_list(user=users["other"]).filter(pk=mobility.pk).exists()


# --- partner timeline -------------------------------------------------------------------------------


def test_the_partner_timeline_lists_its_projects(world, users):
    from accord.engagements.selectors import partner_timeline
    from accord.funding import services as funding_services

    project = funding_services.project_create(
        acting_user=world["editor"],
        data={"acronym": "JPLANG", "title": "Japanese for teachers", "starts_on": D(2025, 2, 1)},
        partners=[
            {"organization": world["qn"], "role": "coordinator"},
            {"organization": world["osaka"], "role": "partner"},
        ],
    )

    timeline = partner_timeline(user=users["editor"], organization=world["osaka"])
    hidden = partner_timeline(user=users["other"], organization=world["osaka"])

    entries = [e for year in timeline.years for e in year.entries if e.kind == "project"]
    assert [(e.date, e.label, e.url) for e in entries] == [
        (D(2025, 2, 1), "JPLANG – Japanese for teachers", project.get_absolute_url())
    ]
    assert not [e for year in hidden.years for e in year.entries if e.kind == "project"]


def test_roles_that_may_not_write_are_refused(world, users, call, applicants):
    from django.core.exceptions import PermissionDenied

    for user in (users["viewer"], users["other"], users["unit"]):
        with pytest.raises(PermissionDenied):
            services.selection_run(call=call, acting_user=user)
        with pytest.raises(PermissionDenied):
            services.application_create(
                acting_user=user, call=call, data={"full_name": "Intruder", "submitted_on": D(2026, 3, 5)}
            )

    assert fresh(call).status == CallStatus.OPEN
    assert Application.objects.filter(call=call).count() == 4


def test_a_gpa_scale_below_a_gpa_already_given_is_refused(world, call, applicants):
    with pytest.raises(ValidationError) as caught:
        services.call_update(call=call, acting_user=world["editor"], data={"gpa_scale": Decimal(3), "min_gpa": None})

    assert "gpa_scale" in caught.value.message_dict
    assert fresh(call).gpa_scale == 4
    services.call_update(call=call, acting_user=world["editor"], data={"gpa_scale": Decimal(10)})
    assert fresh(call).gpa_scale == 10


def test_the_academic_years_offered_are_those_with_a_mobility_the_user_may_see(world, users):
    make_mobility(world, "A", planned_start=D(2026, 10, 1), planned_end=D(2026, 12, 1))
    make_mobility(world, "B", planned_start=D(2027, 10, 1), planned_end=D(2027, 12, 1))

    assert selectors.academic_years(users["editor"], today=D(2026, 11, 1)) == ["2027/2028", "2026/2027"]
    assert selectors.academic_years(users["other"], today=D(2026, 11, 1)) == []
