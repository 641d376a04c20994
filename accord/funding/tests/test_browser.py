"""What a user does with a quota plan in the browser: record a scheme of 100 places, allocate it
to two provinces, let one province pass part of its share on to its schools, be stopped when
passing on more than remains, and read what remains at every level.

Each test drives Debian's Chromium against the live server (see accord/conftest.py) and asserts
what the user sees; the database is read only to confirm what was (not) saved.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accord.engagements.tests.test_views import organization
from accord.funding.models import Allocation, FundingScheme
from accord.partners.tests.test_browser import sign_in

pytestmark = pytest.mark.browser


def _row(page, name: str):
    return page.locator("#allocation-tree tbody tr").filter(has=page.locator(".recipient", has_text=name))


def test_allocate_a_quota_plan_to_provinces_and_schools_and_see_what_remains(page, live_server, users):
    # Given the funder, two provinces and two schools of the first province in the directory
    editor = users["editor"]
    guangxi = organization(editor, "Guangxi Education Department", "CN")
    lang_son = organization(editor, "Lạng Sơn Department of Education and Training", "VN")
    cao_bang = organization(editor, "Cao Bằng Department of Education and Training", "VN")
    gifted = organization(editor, "Lạng Sơn High School for the Gifted", "VN")
    vocational = organization(editor, "Lạng Sơn Vocational College", "VN")
    sign_in(page, live_server, editor)
    page.goto(live_server.url + "/")

    # When the user opens Funding from the menu and records the plan of 100 places
    page.locator("#nav").get_by_role("link", name="Funding").click()
    expect(page.locator("h1")).to_have_text("Funding schemes")
    page.get_by_role("link", name="New scheme").click()
    page.locator("#id_name").fill("100,000 AI talents for ASEAN")
    page.locator("#id_kind").select_option("quota_plan")
    page.locator("#id_funder").select_option(str(guangxi.pk))
    page.locator("#id_unit").select_option("places")
    page.locator("#id_total").fill("100")
    page.locator("#save").click()

    # Then the scheme page shows the whole plan, nothing allocated yet
    expect(page.locator("h1")).to_have_text("100,000 AI talents for ASEAN")
    expect(page.locator("#scheme-total")).to_have_text("100")
    expect(page.locator("#allocation-tree")).to_contain_text("Nothing allocated yet.")

    # When they allocate 60 places to Lạng Sơn and 40 to Cao Bằng
    for province, quantity in ((lang_son, "60"), (cao_bang, "40")):
        details = page.locator("#add-allocation")
        if details.get_attribute("open") is None:
            details.locator("summary").click()
        page.locator("#id_recipient").select_option(str(province.pk))
        page.locator("#id_quantity").fill(quantity)
        page.locator("#allocate").click()
        expect(page.locator(".alert-success")).to_contain_text(f"{quantity} allocated to {province.name}.")

    # Then both provinces are listed and nothing of the plan is left
    expect(_row(page, lang_son.name).locator(".remaining")).to_have_text("60")
    expect(_row(page, cao_bang.name).locator(".remaining")).to_have_text("40")
    expect(page.locator("#scheme-remaining")).to_have_text("0")

    # When Lạng Sơn passes 40 of its places on to the school for the gifted
    _row(page, lang_son.name).get_by_role("link", name="Pass on").click()
    expect(page.locator("#room")).to_contain_text("Remaining: 60.")
    page.locator("#id_recipient").select_option(str(gifted.pk))
    page.locator("#id_quantity").fill("40")
    page.locator("#save").click()
    expect(page.locator(".alert-success")).to_contain_text(f"40 allocated to {gifted.name}.")

    # And then tries to pass 30 more on to the vocational college
    _row(page, lang_son.name).get_by_role("link", name="Pass on").click()
    expect(page.locator("#room")).to_contain_text("Remaining: 20.")
    page.locator("#id_recipient").select_option(str(vocational.pk))
    page.locator("#id_quantity").fill("30")
    page.locator("#save").click()

    # Then the page refuses, with the figures, and nothing is saved
    expect(page.locator("#allocation-form .invalid-feedback")).to_have_text(
        f"the allocation to {lang_son.name} is 60, of which 40 is already allocated; at most 20 remains."
    )
    expect(page.locator("#id_quantity")).to_have_class(re.compile(r"\bis-invalid\b"))
    assert not Allocation.objects.filter(recipient=vocational).exists()

    # When they go back to the scheme
    page.get_by_role("link", name="100,000 AI talents for ASEAN").click()

    # Then the tree shows what each level passed on and what remains
    province = _row(page, lang_son.name)
    expect(province.locator(".quantity")).to_have_text("60")
    expect(province.locator(".passed-on")).to_have_text("40")
    expect(province.locator(".remaining")).to_have_text("20")
    school = _row(page, gifted.name)
    expect(school).to_have_attribute("data-depth", "1")
    expect(school.locator(".remaining")).to_have_text("40")
    expect(_row(page, cao_bang.name).locator(".remaining")).to_have_text("40")
    expect(province.locator(".progress-bar")).to_have_text("66%")
    expect(page.locator("#allocation-tree .exceeded")).to_have_count(0)
    scheme = FundingScheme.objects.get()
    assert sorted(scheme.allocations.values_list("quantity", flat=True)) == [40, 40, 60]
