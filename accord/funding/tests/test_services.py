"""Funding schemes, allocations (quotas) with their invariant, what uses them, and funded projects.

The quota plan "100,000 AI talents for ASEAN" is kept by Hải Phòng DoET (its editor is the
"other" user) and allocated to two provinces, Quảng Ninh and Hải Phòng; Quảng Ninh passes part of
its allocation on to its universities. The allocations under one parent never add up to more
than the parent, and the top level never to more than the scheme's total — also when two
people allocate at the same moment (tested on PostgreSQL).
"""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from accord.funding import selectors, services
from accord.funding.models import Allocation, FundingScheme, Project, ProjectOutput, ProjectPartner
from accord.mobility import services as mobility_services
from accord.mobility.models import ApplicationStatus, Mobility
from accord.mobility.services import QuotaExceeded
from accord.mobility.tests.test_services import apply, build_world, make_call, make_mobility, organization
from accord.partners import services as partner_services

D = datetime.date


def scheme(user, *, unit="places", total=Decimal(100), currency="", name="100,000 AI talents for ASEAN", funder):
    return services.scheme_create(
        acting_user=user,
        data={"name": name, "kind": "quota_plan", "funder": funder, "unit": unit, "total": total, "currency": currency},
    )


def allocate(user, plan, recipient, quantity, parent=None) -> Allocation:
    return services.allocation_create(
        acting_user=user, scheme=plan, parent=parent, data={"recipient": recipient, "quantity": Decimal(quantity)}
    )


def fresh(obj):
    obj.refresh_from_db()
    return obj


@pytest.fixture
def guangxi(users):
    return partner_services.organization_create(
        acting_user=users["other"],
        data={"kind": "government_body", "name": "Guangxi Education Department", "country": "CN", "shared": True},
    )


@pytest.fixture
def plan(users, tenants, guangxi):
    """100 places, kept by Hải Phòng DoET: 40 to Quảng Ninh, 30 to Hải Phòng itself."""
    other = users["other"]
    made = scheme(other, funder=guangxi)
    return {
        "scheme": made,
        "qn": allocate(other, made, tenants["qn"], 40),
        "hp": allocate(other, made, tenants["hp"], 30),
    }


def _refused_quantity(action, *, error=ValidationError, field="quantity"):
    before = list(Allocation.objects.order_by("id").values_list("id", "quantity"))
    with pytest.raises(error) as caught:
        action()
    if error is ValidationError:
        assert field in caught.value.message_dict, caught.value.message_dict
    assert list(Allocation.objects.order_by("id").values_list("id", "quantity")) == before
    return caught.value


# --- the invariant ----------------------------------------------------------------------------------


def test_the_top_level_never_exceeds_the_schemes_total(users, tenants, plan):
    other = users["other"]
    assert allocate(other, plan["scheme"], tenants["qn"], 30).quantity == 30  # 100 reached exactly

    error = _refused_quantity(lambda: allocate(other, plan["scheme"], tenants["hp"], 1))

    assert "of which 100 is already allocated; at most 0 remains" in error.message_dict["quantity"][0]


def test_a_recipient_passes_its_allocation_on_to_its_schools_up_to_what_it_received(users, tenants, plan):
    editor = users["editor"]
    to_hlu = allocate(editor, plan["scheme"], tenants["hlu"], 25, parent=plan["qn"])
    allocate(editor, plan["scheme"], tenants["qui"], 15, parent=plan["qn"])

    error = _refused_quantity(lambda: allocate(editor, plan["scheme"], tenants["qui"], 1, parent=plan["qn"]))

    assert "of which 40 is already allocated; at most 0 remains" in error.message_dict["quantity"][0]
    assert to_hlu.parent == plan["qn"] and to_hlu.scheme == plan["scheme"]
    assert to_hlu.history.get().history_user == editor


def test_raising_a_child_above_the_room_of_its_parent_is_refused(users, tenants, plan):
    editor = users["editor"]
    to_hlu = allocate(editor, plan["scheme"], tenants["hlu"], 25, parent=plan["qn"])
    allocate(editor, plan["scheme"], tenants["qui"], 10, parent=plan["qn"])

    services.allocation_update(allocation=to_hlu, acting_user=editor, data={"quantity": Decimal(30)})
    _refused_quantity(
        lambda: services.allocation_update(allocation=to_hlu, acting_user=editor, data={"quantity": Decimal(31)})
    )

    assert fresh(to_hlu).quantity == 30


def test_reducing_a_parent_below_what_it_passed_on_is_refused(users, tenants, plan):
    allocate(users["editor"], plan["scheme"], tenants["hlu"], 25, parent=plan["qn"])

    error = _refused_quantity(
        lambda: services.allocation_update(
            allocation=plan["qn"], acting_user=users["other"], data={"quantity": Decimal(24)}
        )
    )

    assert "25 of it is passed on" in error.message_dict["quantity"][0]
    services.allocation_update(allocation=plan["qn"], acting_user=users["other"], data={"quantity": Decimal(25)})
    assert fresh(plan["qn"]).quantity == 25


def test_raising_a_top_allocation_above_the_total_is_refused(users, plan):
    _refused_quantity(
        lambda: services.allocation_update(
            allocation=plan["hp"], acting_user=users["other"], data={"quantity": Decimal(61)}
        )
    )
    services.allocation_update(allocation=plan["hp"], acting_user=users["other"], data={"quantity": Decimal(60)})


def test_reducing_the_schemes_total_below_what_it_allocated_is_refused(users, plan):
    with pytest.raises(ValidationError) as caught:
        services.scheme_update(scheme=plan["scheme"], acting_user=users["other"], data={"total": Decimal(69)})

    assert "70 is already allocated" in caught.value.message_dict["total"][0]
    assert fresh(plan["scheme"]).total == 100


def test_a_province_may_not_allocate_from_another_provinces_allocation(users, tenants, plan):
    editor = users["editor"]

    _refused_quantity(
        lambda: allocate(editor, plan["scheme"], tenants["hlu"], 5, parent=plan["hp"]), error=PermissionDenied
    )
    # nor at the top of a scheme it does not keep
    _refused_quantity(lambda: allocate(editor, plan["scheme"], tenants["hlu"], 5), error=PermissionDenied)
    # a viewer of the recipient may not allocate at all
    _refused_quantity(
        lambda: allocate(users["viewer"], plan["scheme"], tenants["hlu"], 5, parent=plan["qn"]), error=PermissionDenied
    )


def test_a_school_may_not_allocate_from_its_provinces_allocation(users, tenants, plan):
    _refused_quantity(
        lambda: allocate(users["unit"], plan["scheme"], tenants["hlu"], 5, parent=plan["qn"]), error=PermissionDenied
    )


def test_the_province_may_change_what_it_gave_but_not_what_it_received(users, tenants, plan):
    to_hlu = allocate(users["editor"], plan["scheme"], tenants["hlu"], 10, parent=plan["qn"])

    services.allocation_update(allocation=to_hlu, acting_user=users["editor"], data={"quantity": Decimal(12)})
    _refused_quantity(
        lambda: services.allocation_update(
            allocation=plan["qn"], acting_user=users["editor"], data={"quantity": Decimal(60)}
        ),
        error=PermissionDenied,
    )
    assert fresh(to_hlu).quantity == 12


def test_the_recipient_sees_the_scheme_and_what_it_received(users, plan):
    visible = set(selectors.allocation_list(user=users["editor"]).values_list("pk", flat=True))

    assert plan["qn"].pk in visible and plan["hp"].pk not in visible
    assert selectors.scheme_list(user=users["editor"]).filter(pk=plan["scheme"].pk).exists()


def test_an_allocation_is_passed_on_within_its_own_scheme(users, tenants, guangxi, plan):
    another = scheme(users["other"], funder=guangxi, name="Another plan")

    _refused_quantity(lambda: allocate(users["other"], another, tenants["hlu"], 1, parent=plan["qn"]), field="parent")


def test_the_unit_cannot_change_once_the_scheme_has_allocations(users, guangxi, plan):
    with pytest.raises(ValidationError) as caught:
        services.scheme_update(scheme=plan["scheme"], acting_user=users["other"], data={"unit": "people"})

    assert "unit" in caught.value.message_dict
    assert fresh(plan["scheme"]).unit == "places"
    empty = scheme(users["other"], funder=guangxi, name="Empty plan")
    assert services.scheme_update(scheme=empty, acting_user=users["other"], data={"unit": "people"}).unit == "people"


def test_places_are_whole_numbers(users, tenants, guangxi, plan):
    _refused_quantity(lambda: allocate(users["other"], plan["scheme"], tenants["hp"], "1.5"))
    with pytest.raises(ValidationError) as caught:
        scheme(users["other"], funder=guangxi, total=Decimal("10.5"))
    assert "total" in caught.value.message_dict


def test_amounts_have_the_decimals_of_their_currency(users, tenants, guangxi):
    other = users["other"]
    dong = scheme(other, funder=guangxi, unit="amount", currency="VND", total=Decimal(1_000_000), name="Grant VND")
    euro = scheme(other, funder=guangxi, unit="amount", currency="eur", total=Decimal(1000), name="Grant EUR")

    error = _refused_quantity(lambda: allocate(other, dong, tenants["hp"], "1.5"))
    assert "VND amounts have at most 0 decimals" in error.message_dict["quantity"][0]
    assert allocate(other, euro, tenants["hp"], "1.50").quantity == Decimal("1.50")
    assert fresh(euro).currency == "EUR"
    with pytest.raises(ValidationError) as caught:
        scheme(other, funder=guangxi, unit="amount", currency="VND", total=Decimal("10.5"), name="Bad")
    assert "total" in caught.value.message_dict


@pytest.mark.parametrize("currency", ["XYZ", "EURO"])
def test_an_unknown_currency_is_refused(users, guangxi, currency):
    with pytest.raises(ValidationError) as caught:
        scheme(users["other"], funder=guangxi, unit="amount", currency=currency)

    assert "currency" in caught.value.message_dict
    assert not FundingScheme.objects.exists()


def test_an_amount_scheme_needs_a_currency(users, guangxi):
    with pytest.raises(ValidationError) as caught:
        scheme(users["other"], funder=guangxi, unit="amount", currency="")

    assert "currency" in caught.value.message_dict


def test_an_allocation_in_use_or_passed_on_cannot_be_deleted(users, tenants, plan):
    allocate(users["editor"], plan["scheme"], tenants["hlu"], 5, parent=plan["qn"])

    with pytest.raises(ValidationError, match="passed on"):
        services.allocation_delete(allocation=plan["qn"], acting_user=users["other"])
    assert Allocation.objects.filter(pk=plan["qn"].pk).exists()


@pytest.fixture
def world(users, tenants):
    """The exchange programme with Osaka University of the mobility tests."""
    return build_world(users, tenants)


# --- usage -------------------------------------------------------------------------------------------


@pytest.fixture
def quota(world, users, tenants):
    """Quảng Ninh's own scheme of 10 places (so its editor links mobilities), 6 given to Ha Long University."""
    editor = world["editor"]
    made = scheme(editor, funder=world["osaka"], total=Decimal(10), name="Study in Japan places")
    top = allocate(editor, made, tenants["qn"], 10)
    hlu = allocate(editor, made, tenants["hlu"], 6, parent=top)
    return {"scheme": made, "top": top, "hlu": hlu}


def usage(allocation):
    return selectors.usage_for([allocation])[allocation.pk]


def test_usage_counts_mobilities_selected_applicants_and_trainees_and_rolls_up(world, users, tenants, quota):
    from accord.engagements import services as engagement_services

    editor = world["editor"]
    top, hlu = quota["top"], quota["hlu"]
    # two mobilities on the top allocation, one of them cancelled
    make_mobility(world, "A", allocation=top)
    cancelled = make_mobility(world, "B", allocation=top)
    mobility_services.mobility_cancel(mobility=cancelled, acting_user=editor, reason="No visa.")
    # a call on the top allocation: two selected (not yet nominated), one waiting
    call = make_call(world, allocation=top)
    for name, interview in (("Nguyen An", "95"), ("Tran Binh", "90"), ("Le Chi", "70")):
        apply(world, call, name, interview=interview)
    mobility_services.selection_run(call=call, acting_user=editor)
    # a training course on Ha Long University's allocation with three trainees, another with a head-count of 2
    trainee_org = tenants["hlu"]
    people = [partner_services.person_create(acting_user=editor, data={"name": f"Trainee {i}"}) for i in range(3)]
    engagement_services.engagement_create(
        acting_user=editor,
        data={"kind": "training_course", "title": "AI course", "starts_on": D(2026, 7, 1), "allocation": hlu},
        organizations=[{"organization": trainee_org, "role": "guest"}],
        participants=[{"person": p, "organization": trainee_org, "role": "trainee"} for p in people],
    )
    engagement_services.engagement_create(
        acting_user=editor,
        data={
            "kind": "training_course",
            "title": "AI course 2",
            "starts_on": D(2026, 8, 1),
            "allocation": hlu,
            "headcount": 2,
        },
    )

    # when
    figures = selectors.usage_for([top, hlu])

    # then Ha Long University: 3 + 2 trainees of its 6
    assert (figures[hlu.pk].used_here, figures[hlu.pk].used, figures[hlu.pk].remaining) == (5, 5, 1)
    assert figures[hlu.pk].percent == 83 and not figures[hlu.pk].exceeded
    # the top: 1 mobility + 2 selected here, 6 passed on; used counts what is used below too
    top_usage = figures[top.pk]
    assert (top_usage.quantity, top_usage.passed_on, top_usage.used_here) == (10, 6, 3)
    assert (top_usage.used, top_usage.remaining, top_usage.percent) == (8, 1, 90)

    # when the selection is confirmed, the nominated count through their mobilities, not twice
    mobility_services.selection_confirm(call=call, acting_user=editor)
    assert usage(top).used_here == 3
    assert Mobility.objects.filter(allocation=top).exclude(status="cancelled").count() == 3
    assert call.applications.filter(status=ApplicationStatus.NOMINATED).count() == 2


def test_a_cancelled_training_course_does_not_use_its_quota(world, quota):
    from accord.engagements import services as engagement_services

    engagement_services.engagement_create(
        acting_user=world["editor"],
        data={
            "kind": "training_course",
            "title": "Cancelled course",
            "starts_on": D(2026, 7, 1),
            "allocation": quota["hlu"],
            "headcount": 4,
            "cancelled": True,
        },
    )

    assert usage(quota["hlu"]).used_here == 0


def test_a_mobility_beyond_the_quota_is_refused_unless_confirmed(world, users, tenants, quota):
    unit = users["unit"]
    hlu = quota["hlu"]
    data = {
        "direction": "outgoing",
        "category": "student",
        "host_organization": world["osaka"],
        "planned_start": D(2026, 10, 1),
        "planned_end": D(2027, 3, 31),
        "allocation": hlu,
    }
    for i in range(6):
        mobility_services.mobility_create(acting_user=unit, data={**data, "full_name": f"Student {i}"})
    assert usage(hlu).remaining == 0

    # when one more is recorded
    with pytest.raises(QuotaExceeded) as caught:
        mobility_services.mobility_create(acting_user=unit, data={**data, "full_name": "Student 7"})

    # then nothing is written and the message says how much was left
    assert caught.value.code == "quota_exceeded"
    assert caught.value.error_dict["allocation"][0].code == "quota_exceeded"
    assert "6, of which 0 remained" in caught.value.message_dict["allocation"][0]
    assert Mobility.objects.filter(allocation=hlu).count() == 6

    # when the user confirms
    over = mobility_services.mobility_create(
        acting_user=unit, data={**data, "full_name": "Student 7"}, allow_over_quota=True
    )
    assert over.allocation == hlu
    assert usage(hlu).remaining == -1 and usage(hlu).exceeded


def test_moving_a_mobility_onto_a_full_allocation_is_refused(world, users, tenants, quota):
    editor = world["editor"]
    services.allocation_update(allocation=quota["hlu"], acting_user=editor, data={"quantity": Decimal(1)})
    make_mobility(world, "A", allocation=quota["hlu"])
    other = make_mobility(world, "B")

    with pytest.raises(QuotaExceeded):
        mobility_services.mobility_update(mobility=other, acting_user=editor, data={"allocation": quota["hlu"]})

    assert fresh(other).allocation is None


def test_an_amount_quota_counts_the_funding_of_the_mobilities(world, users, tenants):
    editor = world["editor"]
    grant = scheme(editor, funder=world["osaka"], unit="amount", currency="JPY", total=Decimal(1_000_000))
    allocation = allocate(editor, grant, tenants["qn"], 500_000)
    make_mobility(world, "A", allocation=allocation, funding_amount=Decimal(300_000))
    make_mobility(world, "B", allocation=allocation, funding_amount=Decimal(150_000))

    assert usage(allocation).used_here == 450_000
    with pytest.raises(QuotaExceeded):
        make_mobility(world, "C", allocation=allocation, funding_amount=Decimal(60_000))
    assert usage(allocation).remaining == 50_000


def test_raising_the_funding_of_a_mobility_beyond_an_amount_quota_is_refused(world, tenants):
    editor = world["editor"]
    grant = scheme(editor, funder=world["osaka"], unit="amount", currency="JPY", total=Decimal(1_000_000))
    allocation = allocate(editor, grant, tenants["qn"], 500_000)
    mobility = make_mobility(world, "A", allocation=allocation, funding_amount=Decimal(300_000))

    with pytest.raises(QuotaExceeded):
        mobility_services.mobility_update(
            mobility=mobility, acting_user=editor, data={"funding_amount": Decimal(600_000)}
        )

    assert fresh(mobility).funding_amount == 300_000


def test_the_allocation_tree_shows_what_the_user_may_see_with_its_usage(users, tenants, plan):
    allocate(users["editor"], plan["scheme"], tenants["hlu"], 25, parent=plan["qn"])

    tree = selectors.allocation_tree(user=users["editor"], scheme=plan["scheme"])
    owner_tree = selectors.allocation_tree(user=users["other"], scheme=plan["scheme"])

    assert [(depth, a.recipient.name, u.remaining) for depth, a, u in tree] == [
        (0, "Quảng Ninh Department of Education and Training", 15),
        (1, "Ha Long University", 25),
    ]
    assert [(depth, a.recipient.name) for depth, a, _u in owner_tree] == [
        (0, "Quảng Ninh Department of Education and Training"),
        (1, "Ha Long University"),
        (0, "Hải Phòng Department of Education and Training"),
    ]


# --- projects ----------------------------------------------------------------------------------------


@pytest.fixture
def partners(users):
    editor = users["editor"]
    return {
        "eu": organization(editor, "European Commission", country="BE", kind="government_body"),
        "hanoi": organization(editor, "Hanoi National University of Education", country="VN"),
        "vienna": organization(editor, "University of Music Vienna", country="AT"),
    }


def project(user, *, partners=None, outputs=None, **data):
    values = {
        "acronym": "VIETMUS",
        "title": "Music education in Vietnam",
        "budget": Decimal("998000.00"),
        "currency": "EUR",
        "starts_on": D(2021, 1, 15),
        "ends_on": D(2024, 1, 14),
    }
    values.update(data)
    return services.project_create(acting_user=user, data=values, partners=partners, outputs=outputs)


def _refused_project(field: str, action) -> ValidationError:
    counts = (Project.objects.count(), ProjectPartner.objects.count(), ProjectOutput.objects.count())
    with pytest.raises(ValidationError) as caught:
        action()
    assert field in caught.value.message_dict, caught.value.message_dict
    assert (Project.objects.count(), ProjectPartner.objects.count(), ProjectOutput.objects.count()) == counts
    return caught.value


def test_a_project_with_its_coordinator_partners_and_deliverables(users, tenants, partners):
    made = project(
        users["unit"],
        funder=partners["eu"],
        partners=[
            {"organization": tenants["hlu"], "role": "coordinator", "budget_share": Decimal("400000")},
            {"organization": partners["hanoi"], "role": "partner", "budget_share": Decimal("300000")},
            {"organization": partners["vienna"], "role": "partner"},
        ],
        outputs=[{"kind": "deliverable", "title": "Curriculum", "due_on": D(2022, 6, 30)}],
    )

    assert made.owner == tenants["hlu"]
    assert list(made.partners.order_by("id").values_list("role", flat=True)) == ["coordinator", "partner", "partner"]
    assert made.outputs.get().title == "Curriculum"


def test_a_project_has_one_coordinator(users, tenants, partners):
    error = _refused_project(
        "partners",
        lambda: project(
            users["editor"],
            partners=[
                {"organization": tenants["qn"], "role": "coordinator"},
                {"organization": partners["hanoi"], "role": "coordinator"},
            ],
        ),
    )
    assert error.message_dict["partners"] == ["Row 2: a project has one coordinator, and another partner already is."]


def test_a_second_coordinator_added_later_is_refused(users, tenants, partners):
    made = project(users["editor"], partners=[{"organization": tenants["qn"], "role": "coordinator"}])

    error = _refused_project(
        "partners",
        lambda: services.project_update(
            project=made,
            acting_user=users["editor"],
            data={},
            partners=(row for row in [{"organization": partners["hanoi"], "role": "coordinator"}]),
        ),
    )
    assert error.message_dict["partners"] == ["Row 1: a project has one coordinator, and another partner already is."]
    assert made.partners.get().organization == tenants["qn"]


@pytest.mark.parametrize("new_first", [False, True])
def test_the_coordinator_may_be_handed_over_in_one_save(users, tenants, partners, new_first):
    made = project(users["editor"], partners=[{"organization": tenants["qn"], "role": "coordinator"}])
    current = made.partners.get()
    rows = [
        {"id": current.pk, "organization": tenants["qn"], "role": "partner"},
        {"organization": partners["hanoi"], "role": "coordinator"},
    ]

    services.project_update(
        project=made,
        acting_user=users["editor"],
        data={},
        partners=(row for row in (reversed(rows) if new_first else rows)),
    )

    assert dict(made.partners.values_list("organization__name", "role")) == {
        "Quảng Ninh Department of Education and Training": "partner",
        "Hanoi National University of Education": "coordinator",
    }


def test_the_shares_of_the_partners_cannot_exceed_the_budget(users, tenants, partners):
    error = _refused_project(
        "partners",
        lambda: project(
            users["editor"],
            budget=Decimal(1000),
            partners=[
                {"organization": tenants["qn"], "role": "coordinator", "budget_share": Decimal(600)},
                {"organization": partners["hanoi"], "budget_share": Decimal("400.01")},
            ],
        ),
    )
    assert "1000.01" in error.message_dict["partners"][0]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"currency": "XYZ"}, "currency"),
        ({"currency": ""}, "currency"),
        ({"currency": "VND", "budget": Decimal("1000.5")}, "budget"),
        ({"budget": Decimal(-1)}, "budget"),
        ({"ends_on": D(2020, 1, 1)}, "ends_on"),
        ({"title": " "}, "title"),
    ],
)
def test_a_project_with_bad_figures_is_refused(users, data, field):
    _refused_project(field, lambda: project(users["editor"], **data))


def test_a_budget_in_dong_is_whole_and_in_euro_has_cents(users):
    assert project(users["editor"], currency="vnd", budget=Decimal(25_000_000_000)).currency == "VND"
    assert project(users["editor"], acronym="REVFIN", budget=Decimal("12.50")).budget == Decimal("12.50")


def test_errors_in_partner_and_output_rows_name_the_row(users, tenants, partners):
    error = _refused_project(
        "partners",
        lambda: project(
            users["editor"],
            partners=[
                {"organization": tenants["qn"], "role": "coordinator"},
                {"organization": partners["hanoi"], "role": "sponsor"},
            ],
            outputs=[{"title": "Report"}, {"title": "", "kind": "deliverable"}],
        ),
    )
    assert any(m.startswith("Row 2: role") for m in error.message_dict["partners"])
    assert any(m.startswith("Row 2: title") for m in error.message_dict["outputs"])


def test_the_same_partner_twice_is_refused(users, tenants, partners):
    error = _refused_project(
        "partners",
        lambda: project(
            users["editor"],
            partners=[{"organization": partners["hanoi"]}, {"organization": partners["hanoi"]}],
        ),
    )
    assert error.message_dict["partners"] == ["Row 2: this entry is given twice."]


# --- concurrency (PostgreSQL) ------------------------------------------------------------------------


def _at_once(*calls):
    """Run the calls in threads, each with its own database connection, released together."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test looks at
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("level", ["child", "top"])
def test_two_allocations_made_at_once_never_exceed_the_parent(users, tenants, guangxi, level):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (select_for_update) are only tested on PostgreSQL; SQLite serialises every write")
    other, editor = users["other"], users["editor"]
    for attempt in range(5):
        made = scheme(other, funder=guangxi, total=Decimal(10), name=f"Plan {level} {attempt}")
        parent = allocate(other, made, tenants["qn"], 10) if level == "child" else None
        user = editor if level == "child" else other
        first, second = (tenants["hlu"], tenants["qui"]) if level == "child" else (tenants["qn"], tenants["hp"])

        # when each asks for 6 of 10 at the same moment
        results = _at_once(
            lambda u=user, s=made, p=parent, r=first: allocate(u, s, r, 6, parent=p),
            lambda u=user, s=made, p=parent, r=second: allocate(u, s, r, 6, parent=p),
        )

        # then exactly one gets them, the other is told what remains
        made_ok = [r for r in results if isinstance(r, Allocation)]
        refused = [r for r in results if isinstance(r, ValidationError)]
        assert len(made_ok) == 1 and len(refused) == 1, results
        assert "at most 4 remains" in refused[0].message_dict["quantity"][0]
        siblings = Allocation.objects.filter(scheme=made, parent=parent)
        assert sum(a.quantity for a in siblings) <= 10
        assert siblings.count() == 1


def test_lowering_the_budget_below_the_partners_shares_is_refused(users, tenants, partners):
    made = project(
        users["editor"],
        budget=Decimal(1000),
        partners=[{"organization": tenants["qn"], "role": "coordinator", "budget_share": Decimal(800)}],
    )

    with pytest.raises(ValidationError) as caught:
        services.project_update(project=made, acting_user=users["editor"], data={"budget": Decimal(700)})

    assert "exceed the budget" in " ".join(caught.value.message_dict["partners"])
    assert fresh(made).budget == 1000


def test_a_negative_quantity_is_refused(users, tenants, plan):
    _refused_quantity(lambda: allocate(users["other"], plan["scheme"], tenants["hp"], -1))


def test_the_currency_of_an_allocated_amount_scheme_cannot_change(users, tenants, guangxi):
    other = users["other"]
    euro = scheme(other, funder=guangxi, unit="amount", currency="EUR", total=Decimal(1000), name="Grant EUR")
    allocate(other, euro, tenants["hp"], "10.50")

    with pytest.raises(ValidationError) as caught:
        services.scheme_update(scheme=euro, acting_user=other, data={"currency": "VND"})

    assert "currency" in caught.value.message_dict
    assert fresh(euro).currency == "EUR"
