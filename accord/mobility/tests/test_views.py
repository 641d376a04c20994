"""The mobility pages as an international office uses them: find, read, record, move a stay through its
statuses, link it to a quota, and read the exchange balance.

Quảng Ninh DoET's editor records students going to Osaka and Liaoning Technical University (LNTU)
and the volunteers and students they receive.
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

from accord.agreements.tests.test_views import make_agreement
from accord.funding import services as funding_services
from accord.mobility import services
from accord.mobility.models import Mobility
from accord.partners import services as partner_services

D = datetime.date
LIST = reverse("mobility:mobility_list")
CREATE = reverse("mobility:mobility_create")
BALANCE = reverse("mobility:balance")


# --- factories, through the services -------------------------------------------------------------


def organization(user, name: str, country: str = "JP", **data):
    return partner_services.organization_create(
        acting_user=user, data={"kind": "university", "name": name, "country": country, **data}, allow_similar=True
    )


def make_programme(user, name: str, kind: str = "exchange", **data):
    return services.programme_create(acting_user=user, data={"name": name, "kind": kind, **data})


def make_mobility(
    user,
    partner,
    start: D,
    end: D,
    *,
    direction: str = "outgoing",
    name: str = "Nguyễn Thị Lan",
    category: str = "student",
    **data,
) -> Mobility:
    """An outgoing stay at ``partner`` (or an incoming one from it), owned by the user's organisation unless told."""
    side = "host_organization" if direction == "outgoing" else "home_organization"
    return services.mobility_create(
        acting_user=user,
        data={
            "direction": direction,
            "category": category,
            "full_name": name,
            side: partner,
            "planned_start": start,
            "planned_end": end,
            **data,
        },
    )


def make_quota(user, recipient, funder, places: int):
    scheme = funding_services.scheme_create(
        acting_user=user,
        data={"name": "Study in Japan places", "kind": "quota_plan", "funder": funder, "unit": "places", "total": 10},
    )
    return funding_services.allocation_create(
        acting_user=user, scheme=scheme, data={"recipient": recipient, "quantity": places}
    )


def mobility_form(partner=None, **fields) -> dict:
    data = {
        "direction": "outgoing",
        "category": "student",
        "full_name": "Trần Văn Minh",
        "email": "minh@example.org",
        "student_number": "HLU-2025-001",
        "host_organization": partner.pk if partner else "",
        "planned_start": "2025-10-01",
        "planned_end": "2026-02-28",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def names_in(html: str) -> list[str]:
    table = html[html.index('id="mobility-table"') :]
    return re.findall(r'<a href="/mobility/\d+/" class="person[^"]*">([^<]+)</a>', table)


def csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def xlsx_rows(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


@pytest.fixture
def world(users, tenants):
    """Two partners, a programme, an agreement, and four stays of Quảng Ninh DoET."""
    editor = users["editor"]
    osaka = organization(editor, "Osaka University of Education", "JP")
    lntu = organization(editor, "Liaoning Technical University", "CN")
    programme = make_programme(editor, "Study in Japan")
    agreement = make_agreement(editor, "MoU with Osaka", [tenants["qn"], osaka], reference="QN-OSA-2024")
    lan = make_mobility(
        editor, osaka, D(2025, 10, 1), D(2026, 2, 28), name="Nguyễn Thị Lan", programme=programme, agreement=agreement
    )
    minh = make_mobility(editor, lntu, D(2025, 9, 15), D(2026, 1, 15), name="Trần Văn Minh", category="lecturer")
    yuki = make_mobility(
        editor, osaka, D(2024, 9, 1), D(2025, 6, 30), direction="incoming", name="Sato Yuki", category="volunteer"
    )
    hoa = make_mobility(editor, lntu, D(2025, 11, 1), D(2025, 11, 30), name="Phạm Hoa")
    services.mobility_cancel(mobility=hoa, acting_user=editor, reason="Visa refused")
    return {
        "osaka": osaka,
        "lntu": lntu,
        "programme": programme,
        "agreement": agreement,
        "lan": lan,
        "minh": minh,
        "yuki": yuki,
        "hoa": hoa,
    }


# --- the landing page ----------------------------------------------------------------------------


def test_the_landing_page_links_the_mobility_pages_and_counts_people(editor_client, world):
    response = editor_client.get(reverse("mobility:index"))

    html = response.content.decode()
    assert response.status_code == 200
    for name in ("mobility_list", "balance", "programme_list", "call_list"):
        assert reverse(f"mobility:{name}") in html
    counts = html[html.index('id="mobility-counts"') :]
    # Lan (student) and Minh (lecturer) outgoing, Yuki (volunteer) incoming; Hoa's stay was cancelled.
    assert re.search(r'data-category="total"><td>Total</td><td class="text-end incoming">1</td>', counts)
    assert re.search(r'<td class="text-end outgoing">2</td></tr></tfoot>', counts)


# --- the list ------------------------------------------------------------------------------------


def test_the_list_shows_every_stay_with_its_person_for_the_owners_editor(editor_client, world):
    response = editor_client.get(LIST)

    html = response.content.decode()
    assert response.status_code == 200
    assert sorted(names_in(html)) == sorted(["Nguyễn Thị Lan", "Trần Văn Minh", "Sato Yuki", "Phạm Hoa"])
    assert "4 mobilities" in html
    assert "Figures: 1 incoming, 2 outgoing" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"direction": "incoming"}, ["Sato Yuki"]),
        ({"category": "lecturer"}, ["Trần Văn Minh"]),
        ({"status": "cancelled"}, ["Phạm Hoa"]),
        ({"academic_year": "2024/2025"}, ["Sato Yuki"]),
        ({"country": "CN"}, ["Phạm Hoa", "Trần Văn Minh"]),
        ({"q": "liaoning"}, ["Phạm Hoa", "Trần Văn Minh"]),
        ({"q": "Osaka education"}, ["Nguyễn Thị Lan", "Sato Yuki"]),
        ({"q": "Yuki"}, ["Sato Yuki"]),
        ({"q": "study japan"}, ["Nguyễn Thị Lan"]),
        ({"direction": "outgoing", "country": "JP"}, ["Nguyễn Thị Lan"]),
    ],
)
def test_the_list_filters(editor_client, world, query, expected):
    response = editor_client.get(LIST, query)

    assert response.status_code == 200
    assert sorted(names_in(response.content.decode())) == sorted(expected)


def test_the_list_filters_by_partner_programme_agreement_and_owner(editor_client, world, tenants):
    by = {
        "partner": (world["lntu"].pk, ["Phạm Hoa", "Trần Văn Minh"]),
        "programme": (world["programme"].pk, ["Nguyễn Thị Lan"]),
        "agreement": (world["agreement"].pk, ["Nguyễn Thị Lan"]),
        "owner": (tenants["hlu"].pk, []),
    }
    for name, (value, expected) in by.items():
        html = editor_client.get(LIST, {name: value}).content.decode()
        assert sorted(names_in(html)) == sorted(expected), name


def test_the_list_answers_htmx_with_the_table_only_and_paginates(editor_client, users, world):
    for n in range(30):
        make_mobility(users["editor"], world["osaka"], D(2023, 10, 1), D(2023, 12, 1), name=f"Student {n:02d}")

    partial = editor_client.get(LIST, {"country": "JP"}, HTTP_HX_REQUEST="true")
    second = editor_client.get(LIST, {"country": "JP", "page": 2})

    assert "<html" not in partial.content.decode() and 'id="mobility-table"' in partial.content.decode()
    assert "32 mobilities" in partial.content.decode()
    assert len(names_in(partial.content.decode())) == 25
    assert len(names_in(second.content.decode())) == 7
    assert "Page 2 of 2" in second.content.decode()


def test_a_bad_filter_value_shows_nothing_rather_than_failing(editor_client, world):
    response = editor_client.get(LIST, {"direction": "sideways"})

    assert response.status_code == 200
    assert names_in(response.content.decode()) == []


def test_the_exports_follow_the_filters_with_the_import_columns(editor_client, world):
    from accord.mobility.tabular import EXPORT_COLUMNS

    as_csv = csv_rows(editor_client.get(reverse("mobility:mobility_export", args=["csv"]), {"country": "CN"}))
    as_xlsx = xlsx_rows(
        editor_client.get(reverse("mobility:mobility_export", args=["xlsx"]), {"direction": "incoming"})
    )

    assert sorted(r["full_name"] for r in as_csv) == ["Phạm Hoa", "Trần Văn Minh"]
    assert as_xlsx[0] == EXPORT_COLUMNS
    yuki = dict(zip(as_xlsx[0], as_xlsx[1], strict=True))
    assert yuki["full_name"] == "Sato Yuki" and yuki["direction"] == "incoming"
    assert yuki["home_organization"] == "Osaka University of Education"
    assert yuki["planned_start"] == datetime.datetime(2024, 9, 1)
    assert yuki["months"] == pytest.approx(10.0)
    assert yuki["academic_year"] == "2024/2025" and yuki["status"] == "nominated"


# --- the record page and the statuses ------------------------------------------------------------


def test_the_record_page_shows_the_stay_its_links_and_history(editor_client, world):
    lan = world["lan"]

    html = editor_client.get(lan.get_absolute_url()).content.decode()

    assert "Nguyễn Thị Lan" in html
    assert "Osaka University of Education" in html
    assert world["programme"].get_absolute_url() in html
    assert world["agreement"].get_absolute_url() in html
    assert 'id="academic-year">2025/2026<' in html
    assert 'id="history"' in html and "created" in html
    assert 'id="transition-confirm"' in html and 'id="transition-cancel"' in html
    assert 'id="transition-complete"' not in html


def test_a_stay_moves_from_nominated_to_confirmed_ongoing_and_completed(editor_client, world):
    lan = world["lan"]

    def step(name, **data):
        return editor_client.post(reverse("mobility:mobility_transition", args=[lan.pk, name]), data)

    assert step("confirm").status_code == 302
    assert Mobility.objects.get(pk=lan.pk).status == "confirmed"
    assert step("start", day="2025-10-03").status_code == 302
    started = Mobility.objects.get(pk=lan.pk)
    assert started.status == "ongoing" and started.actual_start == D(2025, 10, 3)
    assert step("complete").status_code == 302
    done = Mobility.objects.get(pk=lan.pk)
    assert done.status == "completed" and done.actual_end == D(2026, 2, 28)
    html = editor_client.get(lan.get_absolute_url()).content.decode()
    assert 'data-status="completed"' in html and 'id="transitions"' not in html


def test_a_transition_not_allowed_from_the_status_is_refused_with_the_reason(editor_client, world):
    lan = world["lan"]

    response = editor_client.post(reverse("mobility:mobility_transition", args=[lan.pk, "complete"]))

    assert response.status_code == 400
    assert "A mobility that is nominated cannot be completed." in response.content.decode()
    assert Mobility.objects.get(pk=lan.pk).status == "nominated"


def test_cancelling_needs_a_reason(editor_client, world):
    lan = world["lan"]
    url = reverse("mobility:mobility_transition", args=[lan.pk, "cancel"])

    refused = editor_client.post(url, {"cancel-reason": "  "})
    accepted = editor_client.post(url, {"cancel-reason": "Scholarship withdrawn"})

    assert refused.status_code == 400
    assert "Say why the mobility is cancelled." in refused.content.decode()
    assert accepted.status_code == 302
    cancelled = Mobility.objects.get(pk=lan.pk)
    assert cancelled.status == "cancelled" and cancelled.cancellation_reason == "Scholarship withdrawn"
    assert "Scholarship withdrawn" in editor_client.get(lan.get_absolute_url()).content.decode()


def test_an_unknown_transition_is_not_found(editor_client, world):
    response = editor_client.post(reverse("mobility:mobility_transition", args=[world["lan"].pk, "teleport"]))

    assert response.status_code == 404


# --- create, edit, delete ------------------------------------------------------------------------


def test_record_an_outgoing_stay(editor_client, world, tenants):
    response = editor_client.post(CREATE, mobility_form(world["osaka"], programme=world["programme"].pk))

    assert response.status_code == 302, response.content.decode()[:3000]
    saved = Mobility.objects.get(full_name="Trần Văn Minh", student_number="HLU-2025-001")
    assert response["Location"] == saved.get_absolute_url()
    assert saved.owner == tenants["qn"] and saved.home_organization == tenants["qn"]
    assert saved.partner == world["osaka"] and saved.academic_year == "2025/2026"
    assert saved.months == Decimal("5.0")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"planned_end": "2025-09-01"}, "The stay cannot end before it starts."),
        ({"planned_start": "2025-13-01"}, "Enter a valid date."),
        ({"full_name": ""}, "This field is required."),
        ({"direction": "sideways"}, "Select a valid choice."),
    ],
)
def test_a_bad_form_is_refused_with_the_reason_and_nothing_is_written(editor_client, world, fields, message):
    before = Mobility.objects.count()

    response = editor_client.post(CREATE, mobility_form(world["osaka"], **fields))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Mobility.objects.count() == before


def test_dates_outside_the_programme_are_refused(editor_client, users, world):
    short = make_programme(
        users["editor"], "Summer Experience", "summer", starts_on=D(2026, 7, 1), ends_on=D(2026, 8, 31)
    )

    response = editor_client.post(CREATE, mobility_form(world["osaka"], programme=short.pk))

    assert response.status_code == 400
    assert "The programme starts on 2026-07-01; the stay cannot start before." in response.content.decode()


def test_an_edit_over_someone_elses_change_is_refused(editor_client, users, world):
    lan = world["lan"]
    page = editor_client.get(reverse("mobility:mobility_update", args=[lan.pk])).content.decode()
    loaded_at = re.search(r'name="loaded_at" value="([^"]+)"', page).group(1)
    services.mobility_update(mobility=lan, acting_user=users["manager"], data={"note": "Changed meanwhile"})

    response = editor_client.post(
        reverse("mobility:mobility_update", args=[lan.pk]),
        mobility_form(world["osaka"], full_name="Nguyễn Thị Lan", loaded_at=loaded_at, note="Mine"),
    )

    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()
    assert Mobility.objects.get(pk=lan.pk).note == "Changed meanwhile"


def test_an_edit_saves_the_change(editor_client, world):
    lan = world["lan"]
    page = editor_client.get(reverse("mobility:mobility_update", args=[lan.pk])).content.decode()
    loaded_at = re.search(r'name="loaded_at" value="([^"]+)"', page).group(1)

    response = editor_client.post(
        reverse("mobility:mobility_update", args=[lan.pk]),
        mobility_form(world["osaka"], full_name="Nguyễn Thị Lan", loaded_at=loaded_at, planned_end="2026-03-31"),
    )

    assert response.status_code == 302
    assert Mobility.objects.get(pk=lan.pk).planned_end == D(2026, 3, 31)


def test_going_beyond_the_quota_asks_to_confirm_then_records(editor_client, users, world, tenants):
    editor = users["editor"]
    quota = make_quota(editor, tenants["qn"], world["osaka"], places=1)
    make_mobility(editor, world["osaka"], D(2025, 10, 1), D(2026, 1, 31), name="First", allocation=quota)
    before = Mobility.objects.count()

    warned = editor_client.post(CREATE, mobility_form(world["osaka"], allocation=quota.pk))

    html = warned.content.decode()
    assert warned.status_code == 400
    assert 'id="quota-warning"' in html and "This goes beyond the allocation" in html
    assert 'name="allow_over_quota"' in html
    assert Mobility.objects.count() == before

    confirmed = editor_client.post(CREATE, mobility_form(world["osaka"], allocation=quota.pk, allow_over_quota="on"))

    assert confirmed.status_code == 302
    assert Mobility.objects.filter(allocation=quota).count() == 2
    detail = editor_client.get(confirmed["Location"]).content.decode()
    assert 'id="quota-usage"' in detail and "-1" in detail


def test_delete_a_stay(editor_client, world):
    lan = world["lan"]

    page = editor_client.get(reverse("mobility:mobility_delete", args=[lan.pk]))
    response = editor_client.post(reverse("mobility:mobility_delete", args=[lan.pk]))

    assert "Delete the mobility of Nguyễn Thị Lan?" in page.content.decode()
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Mobility.objects.filter(pk=lan.pk).exists()


# --- the exchange balance ------------------------------------------------------------------------


@pytest.fixture
def exchange(users, tenants):
    """Stays with Osaka and LNTU over two academic years, counted by hand below.

    Osaka 2025/2026: out  A 2025-09-01..2025-12-31 (122 days → 4.0 months)
                     out  B 2025-10-01..2026-03-31 (182 days → 6.0 months)
                     in   C 2026-01-05..2026-02-03 (30 days → 1.0 month)
                     out  D cancelled (does not count)
    Osaka 2024/2025: in   E 2024-09-01..2025-06-30 (303 days → 10.0 months)
    LNTU  2025/2026: in   F 2025-09-01..2025-10-31 (61 days → 2.0 months), agreement "LNTU MoU"
                     in   G 2025-11-01..2025-11-30 (30 days → 1.0 month), agreement "LNTU MoU"
                     out  H 2026-02-01..2026-07-31 (181 days → 5.9 months), agreement "LNTU MoU"
    Hải Phòng's stay with Osaka (another tenant) never counts for Quảng Ninh.
    """
    editor = users["editor"]
    osaka = organization(editor, "Osaka University of Education", "JP")
    lntu = organization(editor, "Liaoning Technical University", "CN")
    mou = make_agreement(editor, "LNTU MoU", [tenants["qn"], lntu])
    make_mobility(editor, osaka, D(2025, 9, 1), D(2025, 12, 31), name="A")
    make_mobility(editor, osaka, D(2025, 10, 1), D(2026, 3, 31), name="B", category="lecturer")
    make_mobility(editor, osaka, D(2026, 1, 5), D(2026, 2, 3), name="C", direction="incoming")
    cancelled = make_mobility(editor, osaka, D(2025, 9, 1), D(2026, 6, 30), name="D")
    services.mobility_cancel(mobility=cancelled, acting_user=editor, reason="Withdrew")
    make_mobility(editor, osaka, D(2024, 9, 1), D(2025, 6, 30), name="E", direction="incoming", category="volunteer")
    make_mobility(editor, lntu, D(2025, 9, 1), D(2025, 10, 31), name="F", direction="incoming", agreement=mou)
    make_mobility(editor, lntu, D(2025, 11, 1), D(2025, 11, 30), name="G", direction="incoming", agreement=mou)
    make_mobility(editor, lntu, D(2026, 2, 1), D(2026, 7, 31), name="H", agreement=mou)
    make_mobility(users["other"], osaka, D(2025, 9, 1), D(2026, 6, 30), name="Hải Phòng student")
    return {"osaka": osaka, "lntu": lntu, "mou": mou}


def balance_table(html: str) -> dict[tuple[str, str], tuple]:
    """{(label, year): (in people, out people, people balance, in months, out months, months balance)}."""
    rows = {}
    for row in re.findall(r'<tr class="balance-row"[^>]*>(.*?)</tr>', html, re.S):
        label = re.search(r"<a [^>]+>([^<]+)</a>", row).group(1)
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
        rows[(label, cells[0])] = tuple(cells[1:])
    return rows


def totals_of(html: str) -> tuple:
    row = html[html.index('id="balance-totals"') :]
    row = row[: row.index("</tr>")]
    return tuple(re.findall(r'<td class="text-end[^"]*">([^<]*)</td>', row))


def test_the_balance_per_partner_and_year_counts_people_and_months(editor_client, exchange):
    html = editor_client.get(BALANCE).content.decode()

    assert balance_table(html) == {
        ("Liaoning Technical University", "2025/2026"): ("2", "1", "1", "3.0", "5.9", "-2.9"),
        ("Osaka University of Education", "2024/2025"): ("1", "0", "1", "10.0", "0.0", "10.0"),
        ("Osaka University of Education", "2025/2026"): ("1", "2", "-1", "1.0", "10.0", "-9.0"),
    }
    assert totals_of(html) == ("4", "3", "1", "14.0", "15.9", "-1.9")


def test_the_balance_per_agreement_and_for_one_year(editor_client, exchange):
    per_agreement = editor_client.get(BALANCE, {"by": "agreement"}).content.decode()
    one_year = editor_client.get(BALANCE, {"academic_year": "2024/2025"}).content.decode()

    assert balance_table(per_agreement) == {("LNTU MoU", "2025/2026"): ("2", "1", "1", "3.0", "5.9", "-2.9")}
    assert balance_table(one_year) == {
        ("Osaka University of Education", "2024/2025"): ("1", "0", "1", "10.0", "0.0", "10.0")
    }
    assert totals_of(one_year) == ("1", "0", "1", "10.0", "0.0", "10.0")


def test_the_balance_follows_the_filters(editor_client, exchange):
    students = editor_client.get(BALANCE, {"category": "student", "country": "JP"}).content.decode()

    # Osaka students: A (out, 4.0) and C (in, 1.0) in 2025/2026; B is a lecturer, E a volunteer.
    assert balance_table(students) == {
        ("Osaka University of Education", "2025/2026"): ("1", "1", "0", "1.0", "4.0", "-3.0")
    }


def test_the_balance_exports_numbers_as_numbers(editor_client, exchange):
    from accord.mobility.tabular import BALANCE_COLUMNS

    rows = xlsx_rows(editor_client.get(reverse("mobility:balance_export", args=["xlsx"])))
    as_csv = csv_rows(editor_client.get(reverse("mobility:balance_export", args=["csv"]), {"by": "agreement"}))

    assert rows[0] == BALANCE_COLUMNS
    by_name = {(r[1], r[2]): r for r in rows[1:]}
    osaka = by_name[("Osaka University of Education", "2025/2026")]
    assert osaka[0] == exchange["osaka"].pk
    assert osaka[3:] == [1, 2, -1, pytest.approx(1.0), pytest.approx(10.0), pytest.approx(-9.0)]
    assert all(isinstance(v, (int, float)) for v in osaka[3:])
    total = by_name[("Total", None)]
    assert total[3:] == [4, 3, 1, pytest.approx(14.0), pytest.approx(15.9), pytest.approx(-1.9)]
    assert [(r["name"], r["incoming_people"], r["outgoing_months"]) for r in as_csv] == [
        ("LNTU MoU", "2", "5.9"),
        ("Total", "2", "5.9"),
    ]
