"""The funding pages as a user works with them: schemes and their allocation tree, passing a
quota on, what is used and what remains; projects with partners, budget and deliverables.

Quảng Ninh DoET keeps the "100,000 AI talents for ASEAN" plan of the Guangxi Education
Department and allocates it to provinces and schools; every test runs on 15 January 2026.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from accord.engagements.tests.test_views import make_engagement, management, organization
from accord.funding import services
from accord.funding.models import Allocation, FundingScheme, Project, ProjectOutput, ProjectPartner

D = datetime.date
TODAY = D(2026, 1, 15)
SCHEMES = reverse("funding:scheme_list")
PROJECTS = reverse("funding:project_list")


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Every test runs on 15 January 2026, whatever the clock says."""
    real = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, timezone=None: TODAY if value is None else real(value, timezone)
    )
    return TODAY


# --- factories, through the services -------------------------------------------------------------


def make_scheme(user, name: str = "100,000 AI talents for ASEAN", *, funder, total=100, **data) -> FundingScheme:
    return services.scheme_create(
        acting_user=user,
        data={
            "name": name,
            "kind": "quota_plan",
            "funder": funder,
            "unit": "places",
            "total": Decimal(total) if total is not None else None,
            **data,
        },
    )


def allocate(user, scheme, recipient, quantity, parent=None, **data) -> Allocation:
    return services.allocation_create(
        acting_user=user,
        scheme=scheme,
        parent=parent,
        data={"recipient": recipient, "quantity": Decimal(quantity), **data},
    )


def make_project(user, acronym: str, title: str, *, partners=(), outputs=(), engagements=None, **data) -> Project:
    """A project; ``partners``: (organisation, role, share); ``outputs``: (kind, title, due_on, delivered_on)."""
    return services.project_create(
        acting_user=user,
        data={"acronym": acronym, "title": title, **data},
        partners=[{"organization": o, "role": role, "budget_share": share} for o, role, share in partners],
        outputs=[
            {"kind": kind, "title": title, "due_on": due, "delivered_on": delivered}
            for kind, title, due, delivered in outputs
        ],
        engagements=engagements,
    )


def scheme_form(**fields) -> dict:
    data = {"name": "Japanese Government (MEXT) scholarships", "kind": "scholarship", "unit": "people"}
    data.update(fields)
    return data


def project_form(*, partners=(), outputs=(), **fields) -> dict:
    """What the project page posts: the project, then its partner and output rows."""
    data = {
        "acronym": "VIETMUS",
        "title": "Music education in Vietnam",
        "status": "running",
        **management("partners", len(partners)),
        **management("outputs", len(outputs)),
    }
    for i, (org, role, share) in enumerate(partners):
        data.update(
            {f"partners-{i}-organization": org.pk, f"partners-{i}-role": role, f"partners-{i}-budget_share": share}
        )
    for i, (kind, title, due) in enumerate(outputs):
        data.update({f"outputs-{i}-kind": kind, f"outputs-{i}-title": title, f"outputs-{i}-due_on": due})
    data.update(fields)
    return data


def cell(html: str, allocation: Allocation, css: str) -> str:
    row = re.search(rf'<tr id="allocation-{allocation.pk}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    return re.search(rf'<td class="(?:[^"]* )?{css}(?: [^"]*)?">([^<]*)</td>', row).group(1).strip()


def field_errors(html: str, field: str) -> list[str]:
    """The messages shown under the field ``field`` of a form page."""
    start = html.index(f'id="id_{field}"')
    block = html[start : html.find('<div class="mb-3', start) % (len(html) + 1)]
    return re.findall(r'<div class="invalid-feedback d-block">([^<]+)</div>', block)


def csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def funding_state() -> tuple:
    """What a write would change."""
    return (
        set(FundingScheme.objects.values_list("pk", "name", "updated_at")),
        set(Allocation.objects.values_list("pk", "quantity", "parent_id", "updated_at")),
        set(Project.objects.values_list("pk", "title", "updated_at")),
        set(ProjectPartner.objects.values_list("pk", "organization_id", "role")),
        set(ProjectOutput.objects.values_list("pk", "title")),
    )


@pytest.fixture
def plan(users, tenants):
    """The Guangxi plan of 100 places: 60 to Lạng Sơn, 40 to Quảng Ninh DoET; Lạng Sơn gives 40 to a school."""
    editor = users["editor"]
    guangxi = organization(editor, "Guangxi Education Department", "CN")
    lang_son = organization(editor, "Lạng Sơn Department of Education and Training", "VN")
    school = organization(editor, "Lạng Sơn High School for the Gifted", "VN")
    scheme = make_scheme(editor, funder=guangxi, starts_on=D(2025, 1, 1), ends_on=D(2030, 12, 31))
    province = allocate(editor, scheme, lang_son, 60, period="2025–2030")
    home = allocate(editor, scheme, tenants["qn"], 40)
    pupils = allocate(editor, scheme, school, 40, parent=province)
    return {
        "guangxi": guangxi,
        "lang_son": lang_son,
        "school": school,
        "scheme": scheme,
        "province": province,
        "home": home,
        "pupils": pupils,
    }


# --- schemes: list, filters, export ----------------------------------------------------------------


def test_the_funding_area_opens_on_the_schemes(client, users):
    client.force_login(users["viewer"])

    response = client.get(reverse("funding:index"))

    assert response.status_code == 302 and response["Location"] == SCHEMES


def test_the_scheme_list_filters_by_kind_funder_and_words(client, users, plan):
    editor = users["editor"]
    japan = organization(editor, "Ministry of Education of Japan", "JP")
    mext = make_scheme(editor, "Japanese Government (MEXT) scholarships", funder=japan, kind="scholarship")
    client.force_login(users["viewer"])

    everything = client.get(SCHEMES).content.decode()
    by_kind = client.get(SCHEMES, {"kind": "scholarship"}).content.decode()
    by_funder = client.get(SCHEMES, {"funder": plan["guangxi"].pk}).content.decode()
    by_word = client.get(SCHEMES, {"q": "guangxi"}).content.decode()

    assert plan["scheme"].name in everything and mext.name in everything
    assert mext.name in by_kind and plan["scheme"].name not in by_kind
    assert plan["scheme"].name in by_funder and mext.name not in by_funder
    assert plan["scheme"].name in by_word and mext.name not in by_word
    assert "Guangxi Education Department" in by_funder  # the funder filter offers it


def test_the_scheme_export_gives_the_filtered_schemes_with_numbers(client, users, plan):
    client.force_login(users["viewer"])

    rows = csv_rows(client.get(reverse("funding:scheme_export", args=["csv"]), {"q": "ASEAN"}))
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("funding:scheme_export", args=["xlsx"])).content))
    sheet = list(book.active.values)

    assert [(r["name"], r["total"], r["funder"], r["unit"]) for r in rows] == [
        ("100,000 AI talents for ASEAN", "100", "Guangxi Education Department", "places")
    ]
    assert sheet[1][sheet[0].index("total")] == 100


# --- schemes: create and edit ----------------------------------------------------------------------


def test_an_editor_creates_a_scheme_for_their_organisation(client, users, tenants):
    japan = organization(users["editor"], "Ministry of Education of Japan", "JP")
    client.force_login(users["editor"])

    response = client.post(reverse("funding:scheme_create"), scheme_form(funder=japan.pk, total="12"))

    scheme = FundingScheme.objects.get()
    assert response.status_code == 302 and response["Location"] == scheme.get_absolute_url()
    assert (scheme.owner, scheme.funder, scheme.total, scheme.unit) == (tenants["qn"], japan, 12, "people")
    page = client.get(scheme.get_absolute_url()).content.decode()
    assert "Nothing allocated yet." in page and "Ministry of Education of Japan" in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"currency": "XYZ", "unit": "amount", "total": "1000"}, "currency", "“XYZ” is not an ISO 4217 currency code."),
        ({"unit": "amount", "total": "1000"}, "currency", "Give the currency of the amounts."),
        ({"currency": "VND", "unit": "amount", "total": "1.5"}, "total", "VND amounts have at most 0 decimals."),
        ({"total": "12.5"}, "total", "Places and people are whole numbers."),
        ({"total": "-3"}, "total", "A quantity cannot be negative."),
        ({"starts_on": "2026-01-01", "ends_on": "2025-01-01"}, "ends_on", "The end cannot come before the start."),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_a_scheme_with_bad_figures_is_refused_with_a_clear_message(client, users, fields, field, message):
    japan = organization(users["editor"], "Ministry of Education of Japan", "JP")
    client.force_login(users["editor"])

    response = client.post(reverse("funding:scheme_create"), scheme_form(funder=japan.pk, **fields))

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html, html[html.index("<form") :][:3000]
    assert message in field_errors(html, field), "the message stands under the field it is about"
    assert not FundingScheme.objects.exists()


def test_a_currency_typed_in_lower_case_is_read_as_its_code(client, users):
    japan = organization(users["editor"], "Ministry of Education of Japan", "JP")
    client.force_login(users["editor"])

    response = client.post(
        reverse("funding:scheme_create"), scheme_form(funder=japan.pk, unit="amount", currency="jpy", total="500000")
    )

    assert response.status_code == 302
    assert FundingScheme.objects.get().currency == "JPY"


def test_a_scheme_edited_meanwhile_by_someone_else_is_not_overwritten(client, users, plan):
    scheme = plan["scheme"]
    client.force_login(users["editor"])
    form = client.get(reverse("funding:scheme_update", args=[scheme.pk])).content.decode()
    loaded_at = re.search(r'name="loaded_at" value="([^"]+)"', form).group(1)
    services.scheme_update(scheme=scheme, acting_user=users["manager"], data={"name": "Renamed by the manager"})

    response = client.post(
        reverse("funding:scheme_update", args=[scheme.pk]),
        scheme_form(name="Renamed by the editor", funder=plan["guangxi"].pk, unit="places", loaded_at=loaded_at),
    )

    assert response.status_code == 400
    assert "Someone else changed this record while you were editing it." in response.content.decode()
    assert FundingScheme.objects.get(pk=scheme.pk).name == "Renamed by the manager"


def test_the_total_cannot_fall_below_what_is_allocated(client, users, plan):
    client.force_login(users["editor"])

    response = client.post(
        reverse("funding:scheme_update", args=[plan["scheme"].pk]),
        scheme_form(name=plan["scheme"].name, funder=plan["guangxi"].pk, unit="places", total="90"),
    )

    assert response.status_code == 400
    assert "100 is already allocated; the total cannot be less." in response.content.decode()
    assert FundingScheme.objects.get(pk=plan["scheme"].pk).total == 100


def test_deleting_a_scheme_asks_first_then_removes_it_with_its_allocations(client, users, plan):
    client.force_login(users["editor"])
    url = reverse("funding:scheme_delete", args=[plan["scheme"].pk])

    asked = client.get(url)
    response = client.post(url)

    assert asked.status_code == 200 and "Delete 100,000 AI talents for ASEAN?" in asked.content.decode()
    assert response.status_code == 302 and response["Location"] == SCHEMES
    assert not FundingScheme.objects.exists() and not Allocation.objects.exists()


# --- schemes: the allocation tree --------------------------------------------------------------------


def test_the_scheme_page_shows_the_tree_with_what_is_passed_on_used_and_remaining(client, users, plan):
    # given a training course of 25 trainees under the school's 40 places
    course = make_engagement(
        users["editor"],
        "AI summer course",
        D(2025, 7, 1),
        kind="training_course",
        headcount=25,
        allocation=plan["pupils"],
    )
    client.force_login(users["viewer"])

    # when
    html = client.get(plan["scheme"].get_absolute_url()).content.decode()

    # then the tree is depth-first: the province, its school, then Quảng Ninh
    order = re.findall(r'<tr id="allocation-(\d+)"[^>]*data-depth="(\d)"', html)
    assert order == [(str(plan["province"].pk), "0"), (str(plan["pupils"].pk), "1"), (str(plan["home"].pk), "0")]
    province, pupils = plan["province"], plan["pupils"]
    assert [cell(html, province, c) for c in ("quantity", "passed-on", "used-here", "used", "remaining")] == [
        "60",
        "40",
        "0",
        "25",
        "20",
    ]
    assert [cell(html, pupils, c) for c in ("quantity", "passed-on", "used-here", "used", "remaining")] == [
        "40",
        "0",
        "25",
        "25",
        "15",
    ]
    assert 'aria-valuenow="62"' in html  # 25 of 40 used at the school
    assert course.title in html and course.get_absolute_url() in html
    assert "exceeded" not in html
    assert re.search(r'id="scheme-allocated">100<', html) and re.search(r'id="scheme-remaining">0<', html)


def test_an_allocation_used_beyond_its_quantity_is_flagged(client, users, plan):
    make_engagement(
        users["editor"],
        "Oversized course",
        D(2025, 7, 1),
        kind="training_course",
        headcount=45,
        allocation=plan["pupils"],
    )
    client.force_login(users["viewer"])

    html = client.get(plan["scheme"].get_absolute_url()).content.decode()

    row = re.search(rf'<tr id="allocation-{plan["pupils"].pk}"[^>]*>.*?</tr>', html, re.S).group(0)
    assert 'class="table-danger"' in row and "exceeded" in row
    assert cell(html, plan["pupils"], "remaining") == "-5"


def test_passing_on_more_than_remains_is_refused_with_the_figures(client, users, plan):
    client.force_login(users["editor"])
    before = funding_state()

    response = client.post(
        reverse("funding:allocation_create", args=[plan["scheme"].pk]),
        {"parent": plan["province"].pk, "recipient": plan["school"].pk, "quantity": "30"},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert (
        "the allocation to Lạng Sơn Department of Education and Training is 60, of which 40 is already allocated; "
        "at most 20 remains."
    ) in html
    assert funding_state() == before


def test_allocating_beyond_the_schemes_total_is_refused(client, users, plan):
    client.force_login(users["editor"])
    before = funding_state()

    response = client.post(
        reverse("funding:allocation_create", args=[plan["scheme"].pk]),
        {"recipient": plan["school"].pk, "quantity": "1"},
    )

    assert response.status_code == 400
    assert "the scheme&#x27;s total is 100, of which 100 is already allocated; at most 0 remains." in (
        response.content.decode()
    )
    assert funding_state() == before


def test_the_pass_on_page_says_what_remains_and_saves_within_it(client, users, plan):
    client.force_login(users["editor"])
    url = reverse("funding:allocation_create", args=[plan["scheme"].pk]) + f"?parent={plan['province'].pk}"

    page = client.get(url).content.decode()
    response = client.post(url, {"recipient": plan["school"].pk, "quantity": "20", "period": "2026"})

    assert "Remaining: 20." in page
    assert response.status_code == 302
    made = Allocation.objects.get(parent=plan["province"], period="2026")
    assert response["Location"] == made.get_absolute_url() and made.quantity == 20


def test_a_parent_of_another_scheme_is_not_found(client, users, plan):
    other = make_scheme(users["editor"], "Another plan", funder=plan["guangxi"])
    client.force_login(users["editor"])

    response = client.get(reverse("funding:allocation_create", args=[other.pk]), {"parent": plan["province"].pk})

    assert response.status_code == 404


def test_a_fractional_number_of_places_is_refused(client, users, plan):
    client.force_login(users["editor"])

    response = client.post(
        reverse("funding:allocation_create", args=[plan["scheme"].pk]) + f"?parent={plan['province'].pk}",
        {"recipient": plan["school"].pk, "quantity": "2.5"},
    )

    assert response.status_code == 400
    assert "Places and people are whole numbers." in response.content.decode()


def test_an_allocation_cannot_shrink_below_what_it_passed_on(client, users, plan):
    client.force_login(users["editor"])

    response = client.post(
        reverse("funding:allocation_update", args=[plan["province"].pk]),
        {"recipient": plan["lang_son"].pk, "quantity": "30"},
    )

    assert response.status_code == 400
    assert "40 of it is passed on to others; the quantity cannot be less." in response.content.decode()
    assert Allocation.objects.get(pk=plan["province"].pk).quantity == 60


def test_an_allocation_is_edited_within_the_room_of_its_scheme(client, users, plan):
    client.force_login(users["editor"])

    refused = client.post(
        reverse("funding:allocation_update", args=[plan["home"].pk]),
        {"recipient": plan["lang_son"].pk, "quantity": "41"},
    )
    accepted = client.post(
        reverse("funding:allocation_update", args=[plan["home"].pk]),
        {"recipient": users["editor"].home_organization.pk, "quantity": "35", "note": "Five returned"},
    )

    assert refused.status_code == 400 and "at most 40 remains." in refused.content.decode()
    assert accepted.status_code == 302
    home = Allocation.objects.get(pk=plan["home"].pk)
    assert (home.quantity, home.note) == (35, "Five returned")


def test_an_allocation_passed_on_cannot_be_deleted_before_its_parts(client, users, plan):
    client.force_login(users["editor"])

    refused = client.post(reverse("funding:allocation_delete", args=[plan["province"].pk]))
    leaf = client.post(reverse("funding:allocation_delete", args=[plan["pupils"].pk]))

    assert refused.status_code == 400
    assert "Parts of this allocation are passed on; delete those first." in refused.content.decode()
    assert leaf.status_code == 302 and leaf["Location"] == plan["scheme"].get_absolute_url()
    assert set(Allocation.objects.values_list("pk", flat=True)) == {plan["province"].pk, plan["home"].pk}


def test_the_allocation_export_gives_the_tree_with_numbers(client, users, plan):
    make_engagement(
        users["editor"],
        "AI summer course",
        D(2025, 7, 1),
        kind="training_course",
        headcount=25,
        allocation=plan["pupils"],
    )
    client.force_login(users["viewer"])

    response = client.get(reverse("funding:allocation_export", args=[plan["scheme"].pk, "xlsx"]))
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    text = csv_rows(client.get(reverse("funding:allocation_export", args=[plan["scheme"].pk, "csv"])))

    header = rows[0]
    table = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    assert [(r["recipient"], r["depth"], r["parent"]) for r in table] == [
        ("Lạng Sơn Department of Education and Training", 0, None),
        ("Lạng Sơn High School for the Gifted", 1, plan["province"].pk),
        ("Quảng Ninh Department of Education and Training", 0, None),
    ]
    assert [(r["quantity"], r["passed_on"], r["used"], r["remaining"]) for r in table] == [
        (60, 40, 25, 20),
        (40, 0, 25, 15),
        (40, 0, 0, 40),
    ]
    assert all(isinstance(r["remaining"], int) for r in table)
    assert [r["remaining"] for r in text] == ["20", "15", "40"]


# --- a recipient passes its quota on ------------------------------------------------------------------


@pytest.fixture
def given_to_hlu(users, tenants, plan):
    """Quảng Ninh DoET gives 10 of its places to Ha Long University, which keeps a partner school."""
    school = organization(users["unit"], "Hạ Long Practice School", "VN")
    hlu_part = allocate(users["editor"], plan["scheme"], tenants["hlu"], 10, parent=plan["home"])
    return {"hlu_part": hlu_part, "school": school}


def test_a_recipient_sees_its_branch_and_passes_part_of_it_on(client, users, plan, given_to_hlu):
    client.force_login(users["unit"])
    hlu_part = given_to_hlu["hlu_part"]

    listed = client.get(SCHEMES).content.decode()
    html = client.get(plan["scheme"].get_absolute_url()).content.decode()
    response = client.post(
        reverse("funding:allocation_create", args=[plan["scheme"].pk]) + f"?parent={hlu_part.pk}",
        {"recipient": given_to_hlu["school"].pk, "quantity": "4"},
    )

    assert plan["scheme"].name in listed
    assert re.findall(r'<tr id="allocation-(\d+)"', html) == [str(hlu_part.pk)]
    assert "Lạng Sơn" not in html, "a recipient does not see the other branches"
    assert 'id="scheme-allocated"' not in html, "nor the figures of the whole scheme"
    assert f"?parent={hlu_part.pk}" in html and 'id="add-allocation"' not in html
    assert reverse("funding:scheme_update", args=[plan["scheme"].pk]) not in html
    assert response.status_code == 302
    assert Allocation.objects.get(parent=hlu_part).recipient == given_to_hlu["school"]
    again = client.get(plan["scheme"].get_absolute_url()).content.decode()
    assert cell(again, hlu_part, "remaining") == "6"


def test_a_recipient_cannot_pass_on_more_than_it_received(client, users, plan, given_to_hlu):
    client.force_login(users["unit"])
    before = funding_state()

    response = client.post(
        reverse("funding:allocation_create", args=[plan["scheme"].pk]),
        {"parent": given_to_hlu["hlu_part"].pk, "recipient": given_to_hlu["school"].pk, "quantity": "11"},
    )

    assert response.status_code == 400
    assert "the allocation to Ha Long University is 10, of which 0 is already allocated; at most 10 remains." in (
        response.content.decode()
    )
    assert funding_state() == before


def test_a_recipient_cannot_allocate_at_the_top_nor_change_what_it_was_given(client, users, plan, given_to_hlu):
    client.force_login(users["unit"])
    before = funding_state()

    top = client.post(
        reverse("funding:allocation_create", args=[plan["scheme"].pk]),
        {"recipient": given_to_hlu["school"].pk, "quantity": "1"},
    )
    own = client.post(
        reverse("funding:allocation_update", args=[given_to_hlu["hlu_part"].pk]),
        {"recipient": users["unit"].home_organization.pk, "quantity": "40"},
    )
    scheme = client.post(
        reverse("funding:scheme_update", args=[plan["scheme"].pk]),
        scheme_form(name="Taken over", funder=plan["guangxi"].pk, unit="places"),
    )

    assert (top.status_code, own.status_code, scheme.status_code) == (403, 403, 403)
    assert funding_state() == before


# --- projects ----------------------------------------------------------------------------------------


@pytest.fixture
def projects(users, tenants):
    editor = users["editor"]
    eu = organization(editor, "European Commission", "BE")
    germany = organization(editor, "German Federal Ministry of Education and Research", "DE")
    sibelius = organization(editor, "Sibelius Academy", "FI")
    hanoi = organization(editor, "Vietnam National Academy of Music", "VN")
    vietmus = make_project(
        editor,
        "VIETMUS",
        "Music education in Vietnam",
        funder=eu,
        budget=Decimal("998000"),
        currency="EUR",
        starts_on=D(2023, 1, 1),
        ends_on=D(2026, 12, 31),
        status="running",
        themes="music, teacher training",
        partners=[(sibelius, "coordinator", Decimal("400000")), (tenants["qn"], "partner", Decimal("150000"))],
        outputs=[
            ("deliverable", "Curriculum for music teachers", D(2025, 6, 30), None),
            ("deliverable", "Mid-term report", D(2024, 12, 31), D(2024, 12, 20)),
            ("milestone", "Final conference", D(2026, 11, 1), None),
        ],
    )
    revfin = make_project(
        editor,
        "REVFIN",
        "Renewable energy and finance",
        funder=germany,
        budget=Decimal("450000"),
        currency="EUR",
        starts_on=D(2020, 1, 1),
        ends_on=D(2022, 12, 31),
        status="completed",
        themes="energy",
        partners=[(hanoi, "partner", None)],
    )
    return {"eu": eu, "germany": germany, "sibelius": sibelius, "hanoi": hanoi, "vietmus": vietmus, "revfin": revfin}


def test_the_project_page_shows_coordinator_partners_budget_and_overdue_deliverables(client, users, projects):
    vietmus = projects["vietmus"]
    visit = make_engagement(users["editor"], "Sibelius Academy visit", D(2025, 3, 2))
    services.project_update(project=vietmus, acting_user=users["editor"], data={}, engagements=[visit])
    client.force_login(users["viewer"])

    html = client.get(vietmus.get_absolute_url()).content.decode()

    assert re.search(r'id="coordinator"><a [^>]+>Sibelius Academy</a>', html)
    assert re.search(r'id="budget">€998,000.00<', html)
    assert "€400,000.00" in html and "€150,000.00" in html
    overdue = re.findall(r'<li class="[^"]*\boverdue\b[^"]*" data-output="(\d+)"', html)
    curriculum = vietmus.outputs.get(title="Curriculum for music teachers")
    assert overdue == [str(curriculum.pk)], "only the undelivered deliverable past its date is overdue"
    assert "delivered on 2024-12-20" in html and "due on 2026-11-01" in html
    assert visit.title in html and "teacher training" in html
    assert 'id="citations-funding-project-' in html


def test_the_project_list_filters_by_status_funder_partner_theme_and_year(client, users, projects):
    client.force_login(users["viewer"])

    def acronyms(**query):
        html = client.get(PROJECTS, query).content.decode()
        return re.findall(r'<tr data-project="\d+">\s*<td[^>]*><a [^>]+>([^<]+)</a>', html)

    assert acronyms() == ["VIETMUS", "REVFIN"]
    assert acronyms(status="completed") == ["REVFIN"]
    assert acronyms(funder=projects["eu"].pk) == ["VIETMUS"]
    assert acronyms(partner=projects["hanoi"].pk) == ["REVFIN"]
    assert acronyms(theme="teacher training") == ["VIETMUS"]
    assert acronyms(year="2021") == ["REVFIN"]
    assert acronyms(year="2025") == ["VIETMUS"]
    assert acronyms(q="sibelius") == ["VIETMUS"]
    list_page = client.get(PROJECTS).content.decode()
    assert "€998,000.00" in list_page and "Sibelius Academy" in list_page


def test_the_project_export_gives_partners_and_budget_as_a_number(client, users, projects):
    client.force_login(users["viewer"])

    rows = csv_rows(client.get(reverse("funding:project_export", args=["csv"]), {"status": "running"}))
    sheet = list(
        openpyxl.load_workbook(
            io.BytesIO(client.get(reverse("funding:project_export", args=["xlsx"])).content)
        ).active.values
    )

    assert [(r["acronym"], r["coordinator"], r["budget"], r["outputs"]) for r in rows] == [
        ("VIETMUS", "Sibelius Academy", "998000.00", "3")
    ]
    assert "Quảng Ninh Department of Education and Training (partner)" in rows[0]["partners"]
    assert sheet[1][sheet[0].index("budget")] == 998000


def test_an_editor_records_a_project_with_partners_and_deliverables(client, users, tenants, projects):
    client.force_login(users["editor"])

    response = client.post(
        reverse("funding:project_create"),
        project_form(
            acronym="EDUVN",
            title="Teacher education network",
            funder=projects["eu"].pk,
            budget="1200000",
            currency="eur",
            starts_on="2026-01-01",
            ends_on="2028-12-31",
            partners=[(projects["sibelius"], "coordinator", "500000"), (tenants["qn"], "partner", "")],
            outputs=[("deliverable", "Needs analysis", "2026-06-30"), ("milestone", "Kick-off", "")],
        ),
    )

    project = Project.objects.get(acronym="EDUVN")
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert project.currency == "EUR" and project.owner == tenants["qn"]
    assert set(project.partners.values_list("organization__name", "role")) == {
        ("Sibelius Academy", "coordinator"),
        ("Quảng Ninh Department of Education and Training", "partner"),
    }
    assert list(project.outputs.order_by("title").values_list("title", flat=True)) == ["Kick-off", "Needs analysis"]
    assert "Teacher education network" in client.get(PROJECTS).content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"budget": "1000", "currency": "ABC"}, "“ABC” is not an ISO 4217 currency code."),
        ({"budget": "1.5", "currency": "VND"}, "VND amounts have at most 0 decimals."),
        ({"budget": "1000"}, "Give the currency of the budget."),
        ({"starts_on": "2026-01-01", "ends_on": "2025-01-01"}, "The end cannot come before the start."),
        ({"title": ""}, "This field is required."),
    ],
)
def test_a_project_with_a_bad_budget_or_dates_is_refused(client, users, projects, fields, message):
    client.force_login(users["editor"])
    before = funding_state()

    response = client.post(reverse("funding:project_create"), project_form(acronym="BAD", **fields))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert funding_state() == before


def test_two_coordinators_or_shares_beyond_the_budget_are_refused(client, users, tenants, projects):
    client.force_login(users["editor"])
    before = funding_state()

    two = client.post(
        reverse("funding:project_create"),
        project_form(
            partners=[(projects["sibelius"], "coordinator", ""), (projects["hanoi"], "coordinator", "")],
        ),
    )
    beyond = client.post(
        reverse("funding:project_create"),
        project_form(
            budget="1000",
            currency="EUR",
            partners=[(projects["sibelius"], "partner", "800"), (tenants["qn"], "partner", "300")],
        ),
    )

    assert two.status_code == 400 and "A project has one coordinator." in two.content.decode()
    assert beyond.status_code == 400
    assert "The partners&#x27; shares (1100) exceed the budget (1000)." in beyond.content.decode()
    assert funding_state() == before


def test_a_project_is_edited_with_its_rows_and_deleted(client, users, projects):
    revfin = projects["revfin"]
    partner = revfin.partners.get()
    client.force_login(users["editor"])
    form = client.get(reverse("funding:project_update", args=[revfin.pk])).content.decode()
    loaded_at = re.search(r'name="loaded_at" value="([^"]+)"', form).group(1)
    data = project_form(
        acronym="REVFIN",
        title="Renewable energy and finance (extended)",
        funder=projects["germany"].pk,
        budget="450000",
        currency="EUR",
        status="completed",
        loaded_at=loaded_at,
        partners=[(projects["hanoi"], "coordinator", "")],
    )
    data.update(management("partners", 1, 1))
    data["partners-0-id"] = partner.pk

    edited = client.post(reverse("funding:project_update", args=[revfin.pk]), data)
    deleted = client.post(reverse("funding:project_delete", args=[revfin.pk]))

    assert edited.status_code == 302
    assert deleted.status_code == 302 and deleted["Location"] == PROJECTS
    assert not Project.objects.filter(pk=revfin.pk).exists()


def test_a_source_can_be_cited_on_a_project_and_a_scheme(client, users, projects, plan):
    client.force_login(users["editor"])

    for record, label in ((projects["vietmus"], "funding.project"), (plan["scheme"], "funding.fundingscheme")):
        page = client.get(record.get_absolute_url()).content.decode()
        form = client.get(reverse("sources:citation_add", args=[label, record.pk]))

        assert reverse("sources:citation_add", args=[label, record.pk]) in page
        assert form.status_code == 200


# --- the engagement form offers the quotas the user may see -------------------------------------------


def test_a_training_course_is_linked_to_a_quota_the_user_may_see(client, users, tenants, plan, given_to_hlu):
    client.force_login(users["unit"])

    html = client.get(reverse("engagements:engagement_create")).content.decode()
    select = html[html.index('name="allocation"') : html.index("</select>", html.index('name="allocation"'))]
    response = client.post(
        reverse("engagements:engagement_create"),
        {
            "title": "AI course for Ha Long pupils",
            "title_language": "en",
            "kind": "training_course",
            "precision": "day",
            "starts_on": "2025-08-01",
            "headcount": "6",
            "allocation": given_to_hlu["hlu_part"].pk,
            **management("titles", 0),
            **management("organizations", 0),
            **management("participants", 0),
        },
    )

    assert "Ha Long University · 100,000 AI talents for ASEAN" in select
    assert "Lạng Sơn" not in select, "allocations of other branches are not offered"
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert re.search(r'id="allocation"><a href="[^"]+">100,000 AI talents for ASEAN</a>', detail)
    tree = client.get(plan["scheme"].get_absolute_url()).content.decode()
    assert "AI course for Ha Long pupils" in tree and cell(tree, given_to_hlu["hlu_part"], "used-here") == "6"
