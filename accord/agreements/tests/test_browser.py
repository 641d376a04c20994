"""What a user does with agreements in the browser: create one with its parties and
commitments, sign it, attach the signed PDF, record evidence, and find it among those expiring.

Each test drives Debian's Chromium against the live server (see accord/conftest.py) and
asserts what the user sees; the database is read only to confirm what was saved.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accord.agreements.models import ActivityType, Agreement
from accord.agreements.tests.test_views import PDF, days, make_agreement, partner
from accord.core.tests.picking import pick
from accord.partners.tests.test_browser import sign_in

pytestmark = pytest.mark.browser


def test_create_sign_attach_and_find_a_three_party_agreement_expiring_soon(page, live_server, users, tenants, tmp_path):
    # Given two partners in the directory, and an agreement that expires much later
    editor, qn = users["editor"], tenants["qn"]
    lntu = partner(editor, "Liaoning Technical University", country="CN")
    osaka = partner(editor, "Osaka University of Education", country="JP")
    later = make_agreement(editor, "Osaka summer school", [qn, osaka], signed_on=days(-10), expires_on=days(200))
    sign_in(page, live_server, editor)
    page.goto(live_server.url + "/agreements/")
    expect(page.locator("#agreement-table")).to_contain_text(later.title)

    # When the user creates an agreement of three parties with two commitments
    page.get_by_role("link", name="New agreement").click()
    expect(page.locator("h1")).to_have_text("New agreement")
    page.locator("#id_title").fill("Tripartite student exchange")
    page.locator("#id_kind").select_option("student_exchange")
    page.locator("#id_expires_on").fill(days(60).isoformat())
    pick(page, "id_parties-0-organization", "quang ninh", qn.pk)  # a picker: typed, found, chosen
    page.locator("#id_parties-0-signatory_name").fill("Ms. Nguyễn Thị Hạnh, Director")
    pick(page, "id_parties-1-organization", "Liaoning", lntu.pk)
    page.locator("#id_parties-1-role").select_option("partner")
    page.locator("[data-formset-add=parties]").click()
    expect(page.locator("#id_parties-TOTAL_FORMS")).to_have_value("3")
    pick(page, "id_parties-2-organization", "Osaka Univ", osaka.pk)  # the added row has its picker too
    page.locator("#id_parties-2-role").select_option("partner")
    exchange = ActivityType.objects.get(code="student_exchange")
    research = ActivityType.objects.get(code="joint_research")
    page.locator("#id_commitments-0-activity_type").select_option(str(exchange.pk))
    page.locator("#id_commitments-0-direction").select_option("outgoing")
    page.locator("#id_commitments-0-quantity_per_year").fill("4")
    page.locator("#id_commitments-0-unit").select_option("students")
    page.locator("#id_commitments-0-subject_areas").fill("0613")
    page.locator("#id_commitments-0-cefr_level").select_option("B2")
    page.locator("[data-formset-add=commitments]").click()
    page.locator("#id_commitments-1-activity_type").select_option(str(research.pk))
    page.locator("#id_commitments-1-description").fill("Joint research on mine safety")
    page.locator("#save").click()

    # Then its page shows the three parties and the two commitments, as a draft
    expect(page.locator("h1")).to_have_text("Tripartite student exchange")
    expect(page.locator(".alert-success")).to_contain_text("was saved.")
    parties = page.locator("#parties tbody tr")
    expect(parties).to_have_count(3)
    expect(page.locator("#parties")).to_contain_text("Ms. Nguyễn Thị Hạnh, Director")
    expect(page.locator(".commitment")).to_have_count(2)
    expect(page.locator("#status")).to_have_text("Draft")

    # When they sign it yesterday
    page.locator("#sign summary").click()
    page.locator("#id_sign-signed_on").fill(days(-1).isoformat())
    page.get_by_role("button", name="Record the signature").click()

    # Then it is active, and at risk: it is inside its renewal window
    expect(page.locator("#status")).to_have_text("Active")
    expect(page.locator("h1 + div .health-badge")).to_have_text("Due for renewal")

    # When they attach the signed PDF
    page.locator("#id_document-file").set_input_files(
        files=[{"name": "MoU signed.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Attach").click()

    # Then it is listed, and downloads with its name and bytes
    link = page.locator("#documents").get_by_role("link", name="MoU signed.pdf")
    expect(link).to_be_visible()
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "MoU signed.pdf"
    download.save_as(tmp_path / "copy.pdf")
    assert (tmp_path / "copy.pdf").read_bytes() == PDF

    # When they record evidence for the student exchange, first forgetting the note
    page.evaluate("window.sameDocument = true")
    card = page.locator(".commitment[data-activity=student_exchange]")
    card.locator("input[name$=quantity]").fill("2")
    card.get_by_role("button", name="Add").click()
    expect(page.locator(".commitment[data-activity=student_exchange]")).to_contain_text("This field is required.")
    card = page.locator(".commitment[data-activity=student_exchange]")
    card.locator("input[name$=note]").fill("Two students left for Fuxin")
    card.get_by_role("button", name="Add").click()

    # Then the commitment's bar moves to half, in place
    card = page.locator(".commitment[data-activity=student_exchange]")
    expect(card).to_contain_text("Two students left for Fuxin")
    expect(card.locator(".progress-bar")).to_have_text("50%")
    assert page.evaluate("window.sameDocument") is True, "the page was reloaded instead of updated"

    # When they list the agreements expiring within 90 days
    page.goto(live_server.url + "/agreements/list/")
    page.locator("#id_expiring").select_option("90")

    # Then the new agreement is there with its partners, and the later one is not
    expect(page).to_have_url(re.compile(r"/agreements/list/\?(.*&)?expiring=90(&|$)"))
    expect(page.locator("#result-count")).to_have_text("1 agreement")
    row = page.locator("#agreement-table tbody tr")
    expect(row).to_contain_text("Tripartite student exchange")
    expect(row).to_contain_text("Liaoning Technical University")
    expect(row).to_contain_text("Osaka University of Education")
    expect(row.locator(".health-badge")).to_have_text("Due for renewal")
    expect(page.locator("#agreement-table")).not_to_contain_text(later.title)
    saved = Agreement.objects.get(title="Tripartite student exchange")
    assert saved.status == "active" and saved.parties.count() == 3 and saved.commitments.count() == 2
    assert saved.documents.get().filename == "MoU signed.pdf"
