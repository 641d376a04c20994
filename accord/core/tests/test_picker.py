"""Pickers: a choice among many records (partners, people, agreements, engagements, home
organisations) is made by typing, not by scrolling a select of every record.

The select renders only what is chosen; its picker endpoint answers what the user types with
the records that user may see, and the form still refuses a record outside its own choices.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.core.tests.test_search import THAI, organization, person, world  # noqa: F401 - the fixture
from accord.core.views_search import PICK_LIMIT
from accord.engagements.forms import ActionForm
from accord.engagements.models import FollowUpAction


def pick(client, kind: str, query: str) -> dict:
    response = client.get(reverse("core:pick", args=[kind]), {"q": query})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def labels(found: dict) -> list[str]:
    return [row["label"] for row in found["results"]]


def test_finds_an_organisation_typed_without_accents_or_by_its_thai_name(client, users, world):  # noqa: F811 - the fixture
    client.force_login(users["viewer"])

    assert "Hạ Long Bay Maritime College" in labels(pick(client, "organizations", "ha long bay"))
    found = pick(client, "organizations", THAI)
    assert labels(found) == ["Kasetsart University"]
    assert found["results"][0]["id"] == world["kasetsart"].pk
    assert found["message"] == "1 match."


def test_another_tenant_never_picks_a_record_it_may_not_see(client, users, world):  # noqa: F811 - the fixture
    client.force_login(users["other"])

    assert labels(pick(client, "organizations", "private training")) == []
    assert labels(pick(client, "people", "Phạm Hạ Long")) == []
    assert labels(pick(client, "engagements", "osaka delegation")) == []
    assert labels(pick(client, "engagements", "hai phong visit")) == ["Hải Phòng visit to Hạ Long"]


def test_a_query_too_short_finds_nothing_and_says_why(client, users, world):  # noqa: F811 - the fixture
    client.force_login(users["editor"])

    found = pick(client, "organizations", "h")
    assert found["results"] == [] and found["total"] == 0
    assert found["message"] == "Type at least 2 letters."


def test_home_organisations_are_only_those_the_user_may_give_records_to(client, users, world, tenants):  # noqa: F811 - the fixture
    client.force_login(users["editor"])  # Quảng Ninh DoET, with Ha Long University under it

    found = {row["id"] for row in pick(client, "homes", "ha long")["results"]}
    assert tenants["hlu"].pk in found
    assert world["bay"].pk not in found  # a partner, not a home organisation
    client.force_login(users["other"])  # Hải Phòng DoET
    assert tenants["hlu"].pk not in {row["id"] for row in pick(client, "homes", "ha long")["results"]}


def test_many_matches_are_cut_and_the_message_says_so(client, users, tenants):
    editor = users["editor"]
    for i in range(PICK_LIMIT + 5):
        organization(editor, f"Osaka Partner School {i:02d}", "JP")
    client.force_login(editor)

    found = pick(client, "organizations", "osaka partner")
    assert len(found["results"]) == PICK_LIMIT and found["total"] == PICK_LIMIT + 5
    assert found["message"] == f"{PICK_LIMIT} of {PICK_LIMIT + 5} matches shown; type more to narrow them."


def test_an_unknown_kind_is_not_found(client, users):
    client.force_login(users["editor"])

    assert client.get(reverse("core:pick", args=["mobilities"]), {"q": "ha long"}).status_code == 404


def test_the_form_renders_only_the_chosen_person_whatever_their_number(users, tenants):
    editor = users["editor"]
    chosen = person(editor, "Trần Chosen")
    for i in range(30):
        person(editor, f"Someone Else {i:02d}")

    def rendered():
        form = ActionForm(user=editor, initial={"responsible": chosen.pk})
        with CaptureQueriesContext(connection) as queries:
            html = str(form["responsible"])
        return html, len(queries)

    html, queries = rendered()
    assert "Trần Chosen" in html and "Someone Else" not in html
    assert f'data-picker="{reverse("core:pick", args=["people"])}"' in html
    assert queries == 1  # the chosen one


def test_the_form_still_refuses_a_person_it_does_not_offer(users, tenants):
    stranger = person(users["other"], "Hải Phòng Stranger")  # Hải Phòng's own person
    form = ActionForm(
        {"title": "Send the list", "responsible": stranger.pk, "due_precision": "day", "due_on": "2026-12-01"},
        user=users["editor"],
    )

    assert not form.is_valid()
    assert "responsible" in form.errors
    assert not FollowUpAction.objects.exists()


@pytest.mark.parametrize("rows", [3, 40])
def test_the_mobility_list_renders_only_the_chosen_partner(client, users, world, rows):  # noqa: F811 - the fixture
    editor = users["editor"]
    for i in range(rows):
        organization(editor, f"Partner {i:02d}", "JP")
    client.force_login(editor)

    page = client.get(reverse("mobility:mobility_list"), {"partner": world["osaka"].pk}).content.decode()
    start = page.index('id="id_partner"')
    select = page[start : page.index("</select>", start)]
    assert "Osaka University of Education" in select
    assert "Partner 0" not in select
    assert f'data-picker="{reverse("core:pick", args=["organizations"])}"' in select


@pytest.mark.parametrize("parties", [2, 6])
def test_an_agreements_party_rows_render_only_their_organisations_read_once(users, tenants, parties):
    from accord.agreements.forms import PartyFormSet
    from accord.agreements.tests.test_views import make_agreement

    editor = users["editor"]
    chosen = [organization(editor, f"Chosen Partner {i}", "JP") for i in range(parties - 1)]
    organization(editor, "Never Chosen University", "JP")
    agreement = make_agreement(editor, "MoU of many parties", [tenants["qn"], *chosen])

    formset = PartyFormSet(instance=agreement, prefix="parties", user=editor)
    with CaptureQueriesContext(connection) as queries:
        html = "".join(str(form["organization"]) for form in formset.forms)

    assert all(org.name in html for org in chosen) and "Never Chosen University" not in html
    assert len(queries) == 0  # the chosen organisations were read once, with the formset
    assert html.count(f'data-picker="{reverse("core:pick", args=["organizations"])}"') == len(formset.forms)
