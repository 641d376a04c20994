"""The selection in the browser: an editor signs in, opens a call with twelve applicants and five
places drawing on a quota of ten, runs the selection, confirms it, and sees the five nominated
mobilities and the quota's usage on the call's page.

The data is made through the services; the database is read only to confirm what was saved.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.mobility.models import Application, Mobility
from accord.mobility.tests.test_call_views import NAMES, allocation_of, apply, make_call, make_programme, partner
from accord.partners.tests.test_browser import sign_in_through_form

pytestmark = pytest.mark.browser


def test_run_and_confirm_a_selection_of_five_among_twelve(page, live_server, users, tenants):
    # Given a call for five places at Shizuoka University, on a quota of ten places, with twelve applicants
    editor = users["editor"]
    shizuoka = partner(editor)
    programme = make_programme(editor, "Study in Japan", partners=[shizuoka])
    allocation = allocation_of(editor, tenants["qn"], quantity=10)
    call = make_call(
        editor, programme, "Outstanding students to Japan 2026", places=5, host=shizuoka, allocation=allocation
    )
    for i, name in enumerate(NAMES):
        apply(editor, call, name, student_number=f"QN-{i:03d}", gpa=f"{2.6 + i * 0.1:.1f}", interview=str(60 + i))
    sign_in_through_form(page, live_server, editor.username)

    # When they open the call from the list of calls
    page.goto(live_server.url + "/mobility/calls/")
    page.locator("#call-table").get_by_role("link", name="Outstanding students to Japan 2026").click()

    # Then they see the twelve applications, the rule with its weights, and the quota untouched
    expect(page.locator("h1")).to_have_text("Outstanding students to Japan 2026")
    expect(page.locator("#application-table tr.application")).to_have_count(12)
    expect(page.locator("#weights tr[data-criterion=gpa]")).to_contain_text("50")
    expect(page.locator("#quota-usage")).to_have_text("0 of 10 places used · 10 remaining")

    # When they run the selection
    page.locator("#run-selection").click()

    # Then five are selected, seven wait on the list, each score explained
    expect(page.locator(".alert-success")).to_contain_text("5 selected, 7 on the waiting list, 0 not eligible")
    expect(page.locator("#application-table tr[data-status=selected]")).to_have_count(5)
    expect(page.locator("#application-table tr[data-status=waitlisted]")).to_have_count(7)
    first = page.locator("#application-table tr.application").first
    expect(first).to_contain_text("Lý Thị Ngọc")
    first.locator("details.explanation summary").click()
    expect(first.locator(".parts li[data-criterion=gpa]")).to_contain_text("GPA 3.7 of 4 → 92.50 points × weight 50")
    expect(page.locator("#quota-usage")).to_have_text("5 of 10 places used · 5 remaining")

    # When they confirm it
    page.locator("#confirm-selection").click()

    # Then the five are nominated: their mobilities are listed with links, and the quota counts them
    expect(page.locator(".alert-success")).to_contain_text("5 applicants were nominated")
    expect(page.locator("#mobilities tr.mobility")).to_have_count(5)
    expect(page.locator("#application-table tr[data-status=nominated]")).to_have_count(5)
    expect(page.locator("#quota-usage")).to_have_text("5 of 10 places used · 5 remaining")
    expect(page.locator("#confirmed-by")).to_contain_text("Confirmed by")
    expect(page.locator("#run-selection")).to_have_count(0)
    nominated = {a.full_name for a in Application.objects.filter(call=call, status="nominated")}
    assert nominated == set(NAMES[-5:])
    assert {m.full_name for m in Mobility.objects.filter(allocation=allocation)} == nominated

    # And a mobility opens from the call's page
    link = page.locator("#mobilities tr.mobility a").first
    href = link.get_attribute("href")
    assert href.startswith("/mobility/") and href.rstrip("/").split("/")[-1].isdigit()
