"""Moving between the dashboard, the lists it opens and the annual report."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "route",
    ["agreements:agreement_list", "engagements:engagement_list", "engagements:action_list", "mobility:mobility_list"],
)
def test_a_list_opened_from_the_dashboard_keeps_and_names_its_hidden_filters(client, users, tenants, route):
    client.force_login(users["editor"])
    qn = tenants["qn"]

    page = client.get(reverse(route), {"within": qn.pk, "cancelled": "false"}).content.decode()

    assert f'<input type="hidden" name="within" value="{qn.pk}">' in page
    assert '<input type="hidden" name="cancelled" value="false">' in page
    assert f"Kept by {qn.name} or an organisation under it" in page
    assert "Show all" in page


def test_a_list_never_names_an_organisation_the_reader_may_not_see(client, users, tenants):
    tenants["qn"].shared = False  # kept out of the shared directory
    tenants["qn"].save()
    client.force_login(users["other"])  # Hải Phòng DoET
    page = client.get(reverse("agreements:agreement_list"), {"within": tenants["qn"].pk}).content.decode()

    assert tenants["qn"].name not in page


def test_the_dashboard_opens_the_annual_report_of_the_organisation_it_shows(client, users, tenants):
    client.force_login(users["editor"])
    hlu = tenants["hlu"]

    dashboard = client.get(reverse("reports:dashboard"), {"organization": hlu.pk}).content.decode()
    link = f"{reverse('reports:annual_report')}?organization={hlu.pk}"
    form = client.get(link).content.decode()

    assert f'href="{link}"' in dashboard
    assert f'<option value="{hlu.pk}" selected>' in form
