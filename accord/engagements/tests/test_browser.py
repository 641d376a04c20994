"""What a user does with engagements in the browser: record a delegation's visit with its
participants and the agreement signed there, add the follow-up action agreed, close it, and find
it all on the partner's page.

Each test drives Debian's Chromium against the live server (see accord/conftest.py) and asserts
what the user sees; the database is read only to confirm what was saved.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accord.agreements.tests.test_views import make_agreement
from accord.core.tests.picking import pick
from accord.engagements.models import Engagement, FollowUpAction
from accord.engagements.tests.test_views import organization, person
from accord.partners.tests.test_browser import sign_in

pytestmark = pytest.mark.browser


def test_record_a_delegation_visit_close_its_follow_up_and_see_it_on_the_partners_timeline(
    page, live_server, users, tenants
):
    # Given a partner with three people, and the agreement it signed with Quảng Ninh during the visit
    editor, qn = users["editor"], tenants["qn"]
    today = timezone.localdate()
    visit_day = today - datetime.timedelta(days=20)
    lntu = organization(editor, "Liaoning Technical University", "CN")
    principal = person(editor, "Ma Tu Tuyen", lntu)
    interpreter = person(editor, "Li Wei", lntu)
    dean = person(editor, "Zhang Min", lntu)
    agreement = make_agreement(editor, "MoU on joint training in mining", [qn, lntu], signed_on=visit_day)
    sign_in(page, live_server, editor)
    page.goto(live_server.url + "/")

    # When the user opens the engagements from the menu and records the visit, forgetting to
    # list LNTU among the organisations
    page.locator("#nav-engagements").click()
    page.locator("#nav .dropdown-menu.show").get_by_role("link", name="Engagements", exact=True).click()
    page.get_by_role("link", name="New engagement").click()
    expect(page.locator("h1")).to_have_text("New engagement")
    page.locator("#id_title").fill("LNTU delegation to Quảng Ninh")
    page.locator("#id_kind").select_option("incoming_delegation")
    page.locator("#id_starts_on").fill(visit_day.isoformat())
    page.locator("#id_ends_on").fill((visit_day + datetime.timedelta(days=1)).isoformat())
    page.locator("#id_city").fill("Hạ Long")
    page.locator("#id_country").select_option("VN")
    pick(page, "id_host", "Quang Ninh", qn.pk)  # typed without accents
    pick(page, "id_agreements", "joint training", agreement.pk)
    pick(page, "id_organizations-0-organization", "Quang Ninh", qn.pk)
    page.locator("#id_organizations-0-role").select_option("host")
    for i, (who, role) in enumerate(((principal, "head"), (interpreter, "member"), (dean, "member"))):
        pick(page, f"id_participants-{i}-person", who.name, who.pk)
        page.locator(f"#id_participants-{i}-role").select_option(role)
    page.locator("#save").click()

    # Then the page says LNTU is not taking part and offers to add it
    offer = page.locator("#missing-organizations")
    expect(offer).to_contain_text("Liaoning Technical University")
    assert not Engagement.objects.exists()

    # When they accept
    offer.get_by_role("button", name="Add them as guests and save").click()

    # Then the visit is saved with LNTU as a guest, the three participants and the agreement
    expect(page.locator("h1")).to_have_text("LNTU delegation to Quảng Ninh")
    expect(page.locator(".alert-info")).to_contain_text("Added as guests: Liaoning Technical University.")
    expect(page.locator("#organizations")).to_contain_text("Liaoning Technical University")
    expect(page.locator("#participants tbody tr")).to_have_count(3)
    expect(page.locator("#participants")).to_contain_text("Head of delegation")
    expect(page.locator("#agreements").get_by_role("link", name=agreement.title)).to_be_visible()

    # When they add the follow-up action agreed there, due in a month
    expect(page.locator("#add-action")).to_have_attribute("open", "")  # open while there is none
    page.locator("#id_title").fill("Send the list of exchange students")
    pick(page, "id_responsible", "Ma Tu", principal.pk)
    page.locator("#id_due_on").fill((today + datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Add the action").click()

    # Then it is listed on the visit, open
    action_link = page.locator("#actions").get_by_role("link", name="Send the list of exchange students")
    expect(action_link).to_be_visible()
    expect(page.locator("#actions .action")).to_have_attribute("data-status", "open")

    # When they mark it done, fulfilled by the visit itself
    action_link.click()
    page.locator("#done summary").click()
    visit = Engagement.objects.get(title="LNTU delegation to Quảng Ninh")
    pick(page, "id_done-fulfilled_by", "LNTU delegation", visit.pk)
    page.get_by_role("button", name="Mark as done").click()

    # Then the action is done, and links the visit
    expect(page.locator("#status")).to_have_text("Done")
    expect(page.locator("#fulfilled-by")).to_contain_text("LNTU delegation to Quảng Ninh")

    # And the partner's page tells the whole story: the agreement, the visit and the action done
    page.goto(live_server.url + lntu.get_absolute_url())
    history = page.locator("#cooperation-history")
    expect(history.locator(".timeline-entry[data-kind=engagement]")).to_contain_text("LNTU delegation to Quảng Ninh")
    expect(history.locator(".timeline-entry[data-kind=agreement]")).to_contain_text(agreement.title)
    expect(history.locator(".timeline-entry[data-kind=action]")).to_contain_text("Send the list of exchange students")
    expect(history.locator(".timeline-entry[data-kind=action]")).to_contain_text("Done")
    saved = FollowUpAction.objects.get()
    assert saved.status == "done" and saved.fulfilled_by == visit and saved.engagement == visit
    assert {o.organization for o in visit.organizations.all()} == {qn, lntu}
