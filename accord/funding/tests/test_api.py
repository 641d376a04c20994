"""The REST API of funding schemes, allocations (quotas) with their usage, and funded projects:
CRUD, the quota invariant, bad input, the permission matrix, a bounded number of queries and
the OpenAPI schema.

The users are those of the root conftest: a viewer, an editor, a manager and an admin of
Quảng Ninh DoET, ``other`` (an editor of Hải Phòng DoET, another tenant) and ``unit`` (an
editor of Ha Long University, under Quảng Ninh).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import yaml
from django.urls import reverse

from accord.core.testing import (
    ROLES_WITH_UNIT,
    Op,
    api_operations,
    assert_refused,
    assert_written_or_not,
    cases,
    covered_operations,
    queries_of,
    results,
    session_client,
    token_client,
)
from accord.funding import services
from accord.funding.models import Allocation, FundingScheme, Project, ProjectOutput, ProjectPartner
from accord.mobility import services as mobility_services
from accord.partners import services as partner_services

SCHEMES = "/api/v1/funding-schemes/"
ALLOCATIONS = "/api/v1/allocations/"
PROJECTS = "/api/v1/projects/"
D = datetime.date


@pytest.fixture
def api(users):
    """The editor of Quảng Ninh DoET, with a token, as another system would call."""
    return token_client(users["editor"])


def _mobility(user, name, allocation, host):
    return mobility_services.mobility_create(
        acting_user=user,
        data={
            "direction": "outgoing",
            "category": "student",
            "full_name": name,
            "fictitious": True,
            "host_organization": host,
            "allocation": allocation,
            "planned_start": D(2025, 10, 1),
            "planned_end": D(2026, 6, 30),
        },
    )


@pytest.fixture
def records(users, tenants):
    """The "100,000 AI talents for ASEAN" plan of the Guangxi Education Department kept by Quảng
    Ninh DoET: 20 places to Quảng Ninh, of which 8 passed on to Ha Long University and 3 to
    Quang Ninh University of Industry; one student on each of the first two. A spare budget
    line in euros, the VIETMUS project, and a scheme of Hải Phòng DoET."""
    editor, unit, other = users["editor"], users["unit"], users["other"]

    def org(name, country, kind="university"):
        return partner_services.organization_create(
            acting_user=editor, data={"kind": kind, "name": name, "country": country, "shared": True}
        )

    guangxi = org("Guangxi Education Department", "CN", "government_body")
    eu = org("European Union", "BE", "government_body")
    gxnu = org("Nanning Normal University", "CN")
    ai = services.scheme_create(
        acting_user=editor,
        data={
            "name": "100,000 AI talents for ASEAN",
            "kind": "quota_plan",
            "funder": guangxi,
            "unit": "places",
            "total": Decimal(100),
            "starts_on": D(2025, 1, 1),
            "ends_on": D(2030, 12, 31),
        },
    )
    spare = services.scheme_create(
        acting_user=editor,
        data={
            "name": "Provincial budget line",
            "kind": "budget_line",
            "funder": tenants["qn"],
            "unit": "amount",
            "currency": "VND",
            "total": Decimal(2_000_000_000),
        },
    )
    qn_share = services.allocation_create(
        acting_user=editor, scheme=ai, data={"recipient": tenants["qn"], "quantity": Decimal(20), "period": "2025"}
    )
    hlu_share = services.allocation_create(
        acting_user=editor, scheme=ai, parent=qn_share, data={"recipient": tenants["hlu"], "quantity": Decimal(8)}
    )
    qui_share = services.allocation_create(
        acting_user=editor, scheme=ai, parent=qn_share, data={"recipient": tenants["qui"], "quantity": Decimal(3)}
    )
    _mobility(editor, "Vũ Thị Hoa", qn_share, gxnu)
    _mobility(unit, "Lý Văn Phúc", hlu_share, gxnu)
    vietmus = services.project_create(
        acting_user=editor,
        data={
            "acronym": "VIETMUS",
            "title": "Vietnamese music heritage in higher education",
            "funder": eu,
            "budget": Decimal("812345.50"),
            "currency": "EUR",
            "starts_on": D(2024, 1, 1),
            "ends_on": D(2026, 12, 31),
            "themes": "music, heritage",
        },
        partners=[
            {"organization": tenants["hlu"], "role": "coordinator", "budget_share": Decimal("300000")},
            {"organization": gxnu, "role": "partner"},
        ],
        outputs=[{"kind": "deliverable", "title": "Curriculum of traditional music", "due_on": D(2025, 6, 30)}],
    )
    theirs = services.scheme_create(
        acting_user=other,
        data={"name": "Hải Phòng scholarships", "kind": "scholarship", "funder": guangxi, "unit": "people"},
    )
    their_project = services.project_create(
        acting_user=other, data={"acronym": "HPX", "title": "Hải Phòng exchange project"}
    )
    return {
        "guangxi": guangxi,
        "eu": eu,
        "gxnu": gxnu,
        "ai": ai,
        "spare": spare,
        "qn_share": qn_share,
        "hlu_share": hlu_share,
        "qui_share": qui_share,
        "vietmus": vietmus,
        "theirs": theirs,
        "their_project": their_project,
    }


def _counts() -> dict[str, int]:
    models = (FundingScheme, Allocation, Project, ProjectPartner, ProjectOutput)
    counts = {model.__name__: model.objects.count() for model in models}
    counts["history"] = sum(model.history.model.objects.count() for model in models)
    return counts


def _refused(client, url, body, field, *, method="post"):
    """Send ``body``; assert a 400 that names ``field`` and that nothing was written."""
    return assert_refused(client, url, body, field, counts=_counts, method=method)


# --- schemes ---------------------------------------------------------------------------------


def test_create_a_scheme(api, tenants, records):
    response = api.post(
        SCHEMES,
        {
            "name": "Erasmus+ capacity building",
            "kind": "grant",
            "funder": records["eu"].pk,
            "unit": "amount",
            "currency": "eur",
            "total": "1000000.00",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["owner"], data["currency"], data["total"], data["funder_name"]) == (
        tenants["qn"].pk,
        "EUR",
        "1000000.00",
        "European Union",
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"currency": "ABC"}, "currency"),
        ({"currency": "XXX"}, "currency"),
        ({"currency": ""}, "currency"),  # an amount needs its currency
        ({"currency": "VND", "total": "1.5"}, "total"),  # the đồng has no decimals
        ({"total": "-10"}, "total"),
        ({"unit": "bottles"}, "unit"),
        ({"ends_on": "2024-12-31"}, "ends_on"),
        ({"funder": None}, "funder"),
    ],
)
def test_a_bad_scheme_is_refused(api, records, overrides, field):
    body = {
        "name": "Erasmus+ capacity building",
        "kind": "grant",
        "funder": records["eu"].pk,
        "unit": "amount",
        "currency": "EUR",
        "total": "1000.00",
        "starts_on": "2025-01-01",
    }
    body.update(overrides)

    _refused(api, SCHEMES, body, field)


def test_a_total_below_what_is_allocated_is_refused(api, records):
    errors = _refused(api, f"{SCHEMES}{records['ai'].pk}/", {"total": "10"}, "total", method="patch")

    assert "20" in errors["total"][0]


def test_update_and_delete_schemes(api, records):
    updated = api.patch(
        f"{SCHEMES}{records['ai'].pk}/", {"total": "120", "description": "Five provinces"}, format="json"
    )
    used = api.delete(f"{SCHEMES}{records['ai'].pk}/")
    deleted = api.delete(f"{SCHEMES}{records['spare'].pk}/")

    assert updated.status_code == 200 and updated.json()["total"] == "120.00"
    assert used.status_code == 400  # mobilities use its allocations
    assert deleted.status_code == 204
    assert not FundingScheme.objects.filter(pk=records["spare"].pk).exists()


def test_a_recipient_sees_the_scheme_but_other_tenants_do_not(users, records):
    by_unit = {s["name"] for s in results(token_client(users["unit"]).get(SCHEMES))}
    by_other = {s["name"] for s in results(token_client(users["other"]).get(SCHEMES))}
    by_viewer = {s["name"] for s in results(token_client(users["viewer"]).get(SCHEMES))}

    assert by_unit == {"100,000 AI talents for ASEAN"}
    assert by_other == {"Hải Phòng scholarships"}
    assert by_viewer == {"100,000 AI talents for ASEAN", "Provincial budget line"}


# --- allocations -----------------------------------------------------------------------------


def test_allocations_come_with_their_usage(api, records):
    rows = {a["id"]: a for a in results(api.get(ALLOCATIONS, {"scheme": records["ai"].pk}))}

    qn = rows[records["qn_share"].pk]
    assert (qn["recipient_name"], qn["quantity"], qn["unit"], qn["parent"]) == (
        "Quảng Ninh Department of Education and Training",
        "20.00",
        "places",
        None,
    )
    # 8 + 3 passed on, one student of its own, one more under Ha Long University: 20 − 11 − 1 remain
    assert qn["usage"] == {
        "quantity": "20.00",
        "passed_on": "11.00",
        "used_here": "1.00",
        "used": "2.00",
        "remaining": "8.00",
        "percent": 60,
        "exceeded": False,
    }
    hlu = rows[records["hlu_share"].pk]
    assert hlu["parent"] == records["qn_share"].pk
    assert (hlu["usage"]["used"], hlu["usage"]["remaining"]) == ("1.00", "7.00")


def test_filter_allocations_by_parent_and_level(api, records):
    top = results(api.get(ALLOCATIONS, {"top": "true"}))
    under = results(api.get(ALLOCATIONS, {"parent": records["qn_share"].pk}))

    assert [a["id"] for a in top] == [records["qn_share"].pk]
    assert [a["recipient_name"] for a in under] == ["Ha Long University", "Quang Ninh University of Industry"]


def test_pass_on_part_of_an_allocation(api, tenants, records):
    response = api.post(
        ALLOCATIONS,
        {
            "scheme": records["ai"].pk,
            "parent": records["qn_share"].pk,
            "recipient": records["gxnu"].pk,
            "quantity": "8",
            "period": "2026",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["quantity"], data["usage"]["remaining"], data["usage"]["used"]) == ("8.00", "8.00", "0.00")
    qn = api.get(f"{ALLOCATIONS}{records['qn_share'].pk}/").json()
    assert (qn["usage"]["passed_on"], qn["usage"]["remaining"], qn["usage"]["percent"]) == ("19.00", "0.00", 100)
    assert Allocation.objects.get(pk=data["id"]).parent == records["qn_share"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"parent": "qn_share", "quantity": "10"}, "quantity"),  # 8 + 3 given, at most 9 remain
        ({"parent": None, "quantity": "81"}, "quantity"),  # the scheme's total is 100, 20 given
        ({"parent": "qn_share", "quantity": "1.5"}, "quantity"),  # places are whole
        ({"parent": "qn_share", "quantity": "-1"}, "quantity"),
        ({"parent": "qn_share", "recipient": None}, "recipient"),
        ({"parent": "qn_share", "scheme": "spare"}, "parent"),  # passed on within its own scheme only
    ],
)
def test_an_allocation_beyond_its_parent_or_bad_is_refused(api, tenants, records, body, field):
    payload = {"scheme": records["ai"].pk, "recipient": tenants["qui"].pk, "quantity": "1"}
    for key, value in body.items():
        payload[key] = records[value].pk if isinstance(value, str) and value in records else value

    errors = _refused(api, ALLOCATIONS, payload, field)

    if body.get("quantity") == "10":
        assert "at most 9" in errors["quantity"][0]


def test_growing_an_allocation_beyond_its_parent_is_refused(api, records):
    url = f"{ALLOCATIONS}{records['hlu_share'].pk}/"

    _refused(api, url, {"quantity": "18"}, "quantity", method="patch")
    errors = _refused(api, f"{ALLOCATIONS}{records['qn_share'].pk}/", {"quantity": "10"}, "quantity", method="patch")
    assert "passed on" in errors["quantity"][0]
    assert Allocation.objects.get(pk=records["hlu_share"].pk).quantity == 8


def test_an_allocation_does_not_move(api, records):
    _refused(api, f"{ALLOCATIONS}{records['qui_share'].pk}/", {"parent": None}, "parent", method="patch")


def test_update_and_delete_allocations(api, records):
    updated = api.patch(f"{ALLOCATIONS}{records['qui_share'].pk}/", {"quantity": "5", "note": "For IT"}, format="json")
    with_children = api.delete(f"{ALLOCATIONS}{records['qn_share'].pk}/")
    deleted = api.delete(f"{ALLOCATIONS}{records['qui_share'].pk}/")

    assert updated.status_code == 200 and updated.json()["quantity"] == "5.00"
    assert with_children.status_code == 400
    assert deleted.status_code == 204
    assert not Allocation.objects.filter(pk=records["qui_share"].pk).exists()


def test_a_recipient_passes_on_what_it_was_given_but_not_more(users, tenants, records):
    unit = token_client(users["unit"])

    from_own = unit.post(
        ALLOCATIONS,
        {
            "scheme": records["ai"].pk,
            "parent": records["hlu_share"].pk,
            "recipient": records["gxnu"].pk,
            "quantity": "4",
        },
        format="json",
    )
    from_above = unit.post(
        ALLOCATIONS,
        {
            "scheme": records["ai"].pk,
            "parent": records["qn_share"].pk,
            "recipient": records["gxnu"].pk,
            "quantity": "1",
        },
        format="json",
    )
    beyond = unit.post(
        ALLOCATIONS,
        {
            "scheme": records["ai"].pk,
            "parent": records["hlu_share"].pk,
            "recipient": records["gxnu"].pk,
            "quantity": "5",
        },
        format="json",
    )

    assert from_own.status_code == 201, from_own.content
    assert from_above.status_code == 400 and "parent" in from_above.json()  # Quảng Ninh's share is not its to see
    assert beyond.status_code == 400 and "quantity" in beyond.json()  # 8, of which 4 given: at most 4 remain
    assert {a["id"] for a in results(unit.get(ALLOCATIONS))} == {records["hlu_share"].pk, from_own.json()["id"]}


# --- projects --------------------------------------------------------------------------------


def _project_body(records, tenants, **overrides):
    body = {
        "acronym": "REVFIN",
        "title": "Renewable energy for the fishing industry",
        "funder": records["eu"].pk,
        "budget": "450000.00",
        "currency": "EUR",
        "starts_on": "2025-03-01",
        "ends_on": "2028-02-29",
        "status": "running",
        "themes": "energy, fisheries",
        "partners": [
            {"organization": tenants["hlu"].pk, "role": "coordinator", "budget_share": "200000"},
            {"organization": records["gxnu"].pk, "role": "associate"},
        ],
        "outputs": [{"kind": "milestone", "title": "Pilot boat equipped", "due_on": "2026-09-30"}],
    }
    body.update(overrides)
    return body


def test_create_a_project_with_partners_and_outputs(api, tenants, records):
    response = api.post(PROJECTS, _project_body(records, tenants), format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    project = Project.objects.get(pk=data["id"])
    assert project.owner == tenants["qn"]
    assert (data["budget"], data["currency"]) == ("450000.00", "EUR")
    assert {(p["organization_name"], p["role"], p["budget_share"]) for p in data["partners"]} == {
        ("Ha Long University", "coordinator", "200000.00"),
        ("Nanning Normal University", "associate", None),
    }
    assert [(o["title"], o["due_on"]) for o in data["outputs"]] == [("Pilot boat equipped", "2026-09-30")]
    assert data["url"].endswith(reverse("funding:project_detail", args=[project.pk]))


def test_a_budget_in_dong_is_whole(api, tenants, records):
    response = api.post(PROJECTS, _project_body(records, tenants, budget="1200000000", currency="VND"), format="json")

    assert response.status_code == 201, response.content
    assert (response.json()["budget"], response.json()["currency"]) == ("1200000000.00", "VND")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"currency": "ABC"}, "currency"),
        ({"currency": "XXX"}, "currency"),
        ({"currency": ""}, "currency"),  # a budget needs its currency
        ({"currency": "VND", "budget": "1.5"}, "budget"),
        ({"budget": "-1"}, "budget"),
        ({"ends_on": "2024-12-31"}, "ends_on"),
        ({"title": ""}, "title"),
        ({"status": "dreamed"}, "status"),
        (
            {
                "partners": [
                    {"organization": 1, "role": "coordinator"},
                    {"organization": 2, "role": "coordinator"},
                ]
            },
            "partners",
        ),
        ({"partners": [{"organization": "gxnu", "role": "partner", "budget_share": "500000"}]}, "partners"),
        ({"outputs": [{"kind": "deliverable", "title": ""}]}, "outputs"),
    ],
)
def test_a_bad_project_is_refused(api, tenants, records, overrides, field):
    if "partners" in overrides:
        rows = overrides["partners"]
        ids = {1: tenants["hlu"].pk, 2: records["gxnu"].pk, "gxnu": records["gxnu"].pk}
        overrides = {"partners": [{**row, "organization": ids[row["organization"]]} for row in rows]}

    _refused(api, PROJECTS, _project_body(records, tenants, **overrides), field)


def test_a_project_partner_that_another_tenant_keeps_unshared_is_refused(users, tenants, records):
    hidden = partner_services.organization_create(
        acting_user=users["other"],
        data={"kind": "company", "name": "Bạch Đằng shipyard", "country": "VN", "shared": False},
    )
    body = _project_body(records, tenants, partners=[{"organization": hidden.pk, "role": "partner"}])

    _refused(token_client(users["editor"]), PROJECTS, body, "partners")


def test_update_the_nested_rows_and_delete_a_project(api, tenants, records):
    vietmus = records["vietmus"]
    output = vietmus.outputs.get()
    partner = vietmus.partners.get(organization=records["gxnu"])

    updated = api.patch(
        f"{PROJECTS}{vietmus.pk}/",
        {
            "status": "completed",
            "outputs": [
                {"id": output.pk, "delivered_on": "2025-06-15"},
                {"kind": "output", "title": "Concert recordings"},
            ],
            "partners": [{"id": partner.pk, "DELETE": True}],
        },
        format="json",
    )
    deleted = api.delete(f"{PROJECTS}{vietmus.pk}/")

    assert updated.status_code == 200, updated.content
    data = updated.json()
    assert data["status"] == "completed"
    assert {(o["title"], o["delivered_on"]) for o in data["outputs"]} == {
        ("Curriculum of traditional music", "2025-06-15"),
        ("Concert recordings", None),
    }
    assert [p["organization_name"] for p in data["partners"]] == ["Ha Long University"]
    assert deleted.status_code == 204
    assert not Project.objects.filter(pk=vietmus.pk).exists()
    assert not ProjectOutput.objects.filter(pk=output.pk).exists()


def test_filter_projects(api, records):
    running = results(api.get(PROJECTS, {"status": "running"}))
    by_partner = results(api.get(PROJECTS, {"partner": records["gxnu"].pk}))
    proposed = results(api.get(PROJECTS, {"status": "proposed"}))

    assert [p["acronym"] for p in running] == ["VIETMUS"]
    assert [p["acronym"] for p in by_partner] == ["VIETMUS"]
    assert proposed == []


# --- permission matrix -----------------------------------------------------------------------

ROLES = ROLES_WITH_UNIT


def _tenants():
    from accord.partners.models import Organization

    return {o.name: o for o in Organization.objects.filter(is_home=True)}


PAYLOADS = {
    ("funding-scheme-list", "post"): lambda r: {"name": "Study in Korea", "kind": "scholarship", "funder": r["eu"].pk},
    ("funding-scheme-detail", "put"): lambda r: {
        "name": "100,000 AI talents for ASEAN (2025–2030)",
        "kind": "quota_plan",
        "funder": r["guangxi"].pk,
        "unit": "places",
        "total": "100",
    },
    ("funding-scheme-detail", "patch"): lambda r: {"description": "Announced in 2024."},
    ("allocation-list", "post"): lambda r: {
        "scheme": r["ai"].pk,
        "parent": r["qn_share"].pk,
        "recipient": r["gxnu"].pk,
        "quantity": "2",
    },
    ("allocation-detail", "put"): lambda r: {
        "scheme": r["ai"].pk,
        "parent": r["qn_share"].pk,
        "recipient": _tenants()["Ha Long University"].pk,
        "quantity": "6",
    },
    ("allocation-detail", "patch"): lambda r: {"note": "For computer science"},
    ("project-list", "post"): lambda r: {
        "acronym": "SEA",
        "title": "Sea and coast",
        "budget": "1000",
        "currency": "USD",
    },
    ("project-detail", "put"): lambda r: {
        "acronym": "VIETMUS",
        "title": "Music heritage",
        "budget": "800000",
        "currency": "EUR",
    },
    ("project-detail", "patch"): lambda r: {"summary": "Three universities."},
}

# Statuses in the order of ROLES. Ha Long University received part of the AI plan, so it sees
# the plan and its own share but may change neither (403); Hải Phòng DoET sees none of it (404,
# or 400 when it names such a record in what it sends).
READ = (403, 200, 200, 200, 200, 200, 200)
READ_OWNED = (403, 200, 200, 200, 200, 404, 404)
READ_GIVEN = (403, 200, 200, 200, 200, 404, 200)
CREATE = (403, 403, 201, 201, 201, 201, 201)
CREATE_UNDER = (403, 403, 201, 201, 201, 400, 400)
CHANGE = (403, 403, 200, 200, 200, 404, 404)
CHANGE_GIVEN = (403, 403, 200, 200, 200, 404, 403)
DELETE = (403, 403, 204, 204, 204, 404, 404)

API_TABLE = [
    (Op("funding-scheme-list"), "get", READ),
    (Op("funding-scheme-list"), "post", CREATE),
    (Op("funding-scheme-detail", "ai"), "get", READ_GIVEN),
    (Op("funding-scheme-detail", "ai"), "put", CHANGE_GIVEN),
    (Op("funding-scheme-detail", "ai"), "patch", CHANGE_GIVEN),
    (Op("funding-scheme-detail", "spare"), "delete", DELETE),
    (Op("allocation-list"), "get", READ),
    (Op("allocation-list"), "post", CREATE_UNDER),
    (Op("allocation-detail", "qn_share"), "get", READ_OWNED),
    (Op("allocation-detail", "hlu_share"), "get", READ_GIVEN),
    (Op("allocation-detail", "hlu_share"), "put", CHANGE_GIVEN),
    (Op("allocation-detail", "hlu_share"), "patch", CHANGE_GIVEN),
    (Op("allocation-detail", "qui_share"), "delete", DELETE),
    (Op("project-list"), "get", READ),
    (Op("project-list"), "post", CREATE),
    (Op("project-detail", "vietmus"), "get", READ_OWNED),
    (Op("project-detail", "vietmus"), "put", CHANGE),
    (Op("project-detail", "vietmus"), "patch", CHANGE),
    (Op("project-detail", "vietmus"), "delete", DELETE),
]


def _state():
    return (
        set(FundingScheme.objects.values_list("pk", "name", "description", "updated_at")),
        set(Allocation.objects.values_list("pk", "quantity", "note", "updated_at")),
        set(Project.objects.values_list("pk", "title", "summary", "updated_at")),
    )


@pytest.mark.parametrize(("op", "method", "role", "expected"), cases(API_TABLE, ROLES))
def test_api_permissions(users, records, op, method, role, expected):
    # given
    client = session_client(users.get(role))
    payload = PAYLOADS.get((op.name, method))
    data = payload(records) if payload else None
    before = _state()

    # when
    call = getattr(client, method)
    response = call(op.resolve(records), data, format="json") if data else call(op.resolve(records))

    # then
    assert response.status_code == expected, response.content[:500]
    assert_written_or_not(_state, before, expected, method)


def test_every_api_operation_of_funding_has_permission_rows():
    assert api_operations({"funding-scheme", "allocation", "project"}) == covered_operations(API_TABLE)


def test_rows_of_other_tenants_are_never_listed(users, records):
    other = token_client(users["other"])
    viewer = token_client(users["viewer"])

    assert {p["acronym"] for p in results(other.get(PROJECTS))} == {"HPX"}
    assert {p["acronym"] for p in results(viewer.get(PROJECTS))} == {"VIETMUS"}
    assert results(other.get(ALLOCATIONS)) == []
    assert records["theirs"].pk not in {s["id"] for s in results(viewer.get(SCHEMES))}
    assert viewer.get(f"{PROJECTS}{records['their_project'].pk}/").status_code == 404


# --- a bounded number of queries -------------------------------------------------------------


def _more(users, tenants, records, count):
    editor = users["editor"]
    for number in range(count):
        scheme = services.scheme_create(
            acting_user=editor,
            data={"name": f"Scheme {number}", "kind": "grant", "funder": records["eu"], "unit": "people"},
        )
        top = services.allocation_create(
            acting_user=editor, scheme=scheme, data={"recipient": tenants["qn"], "quantity": Decimal(10)}
        )
        services.allocation_create(
            acting_user=editor, scheme=scheme, parent=top, data={"recipient": tenants["qui"], "quantity": Decimal(2)}
        )
        _mobility(editor, f"Student {number}", top, records["gxnu"])
        services.project_create(
            acting_user=editor,
            data={"acronym": f"P{number}", "title": f"Project {number}", "budget": Decimal(10), "currency": "EUR"},
            partners=[{"organization": records["gxnu"], "role": "coordinator"}],
            outputs=[{"title": f"Report {number}"}],
        )


@pytest.mark.parametrize("url", [SCHEMES, ALLOCATIONS, PROJECTS])
def test_lists_ask_the_same_number_of_queries_for_few_or_many_rows(users, tenants, records, url):
    client = token_client(users["viewer"])
    client.get(url)
    first, few = queries_of(client, url)
    before = first.json()["count"]
    _more(users, tenants, records, 6)

    response, many = queries_of(client, url)

    assert response.status_code == 200
    assert response.json()["count"] >= before + 6
    assert len(many) == len(few), [q["sql"] for q in many]
    assert len(many) <= 10


@pytest.mark.parametrize(
    "url",
    [
        lambda r: f"{SCHEMES}{r['ai'].pk}/",
        lambda r: f"{ALLOCATIONS}{r['qn_share'].pk}/",
        lambda r: f"{PROJECTS}{r['vietmus'].pk}/",
    ],
)
def test_details_ask_a_bounded_number_of_queries(users, records, url, django_assert_max_num_queries):
    client = token_client(users["viewer"])

    with django_assert_max_num_queries(10):
        response = client.get(url(records))

    assert response.status_code == 200


# --- schema ----------------------------------------------------------------------------------


def test_the_openapi_schema_documents_the_funding_operations(api):
    response = api.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/funding-schemes/", "post"),
        ("/api/v1/funding-schemes/{id}/", "patch"),
        ("/api/v1/allocations/", "post"),
        ("/api/v1/allocations/{id}/", "delete"),
        ("/api/v1/projects/", "post"),
        ("/api/v1/projects/{id}/", "put"),
    ]:
        assert method in paths.get(path, {}), (path, method)
    allocation = schema["components"]["schemas"]["Allocation"]["properties"]
    assert {"usage", "parent", "quantity"} <= set(allocation)
    project = schema["components"]["schemas"]["Project"]["properties"]
    assert project["budget"]["type"] == "string"
    assert {"partners", "outputs", "currency"} <= set(project)
