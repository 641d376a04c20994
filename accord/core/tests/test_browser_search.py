"""The header's search box in the browser: type, see the suggestions grouped by kind, move with
the arrow keys, close with Escape and open a record with Enter.

Drives Debian's Chromium against the live server (see accord/conftest.py).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accord.core.tests.test_search import agreement, organization, person
from accord.partners.tests.test_browser import sign_in

pytestmark = pytest.mark.browser


def test_type_in_the_header_move_with_the_arrows_and_open_a_result_with_enter(page, live_server, users, tenants):
    # Given an editor of Quảng Ninh DoET with a partner, a person and an agreement about Hạ Long
    editor = users["editor"]
    college = organization(editor, "Hạ Long Bay Maritime College", "VN", names=[("Cao đẳng Hàng hải Hạ Long", "vi")])
    person(editor, "Phạm Hạ Long", college, position="Rector")
    deal = agreement(editor, "MoU on teacher training in Hạ Long", [tenants["qn"], college])
    sign_in(page, live_server, editor)
    page.goto(live_server.url + "/")

    # When they type into the search box of the header, without accents
    box = page.get_by_role("combobox", name="Search everything")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press_sequentially("ha long")

    # Then the suggestions open, grouped by kind
    listbox = page.get_by_role("listbox", name="Search results")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    groups = listbox.get_by_role("group")
    expect(groups).to_have_count(3)
    expect(listbox.locator("#global-search-group-organizations")).to_contain_text("Organisations")
    expect(listbox.get_by_role("group", name="Organisations").get_by_role("option")).to_contain_text(
        ["Hạ Long Bay Maritime College", "Ha Long University"]
    )
    expect(listbox.get_by_role("group", name="People")).to_contain_text("Phạm Hạ Long")
    expect(listbox.get_by_role("group", name="Agreements")).to_contain_text("MoU on teacher training in Hạ Long")

    # When they move down twice and up once, the focus stays in the box and the active option follows
    options = listbox.get_by_role("option")
    box.press("ArrowDown")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "global-search-organizations-0")
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(options.nth(0)).to_have_attribute("aria-selected", "false")
    box.press("ArrowUp")
    expect(box).to_have_attribute("aria-activedescendant", "global-search-organizations-0")
    expect(box).to_be_focused()

    # When they press Escape, the list closes; ArrowDown opens it again
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile(".+"))
    box.press("ArrowDown")
    expect(listbox).to_be_visible()

    # When they move to the agreement and press Enter, its page opens
    agreement_option = listbox.get_by_role("option", name=re.compile("MoU on teacher training"))
    for _step in range(10):
        if agreement_option.get_attribute("aria-selected") == "true":
            break
        box.press("ArrowDown")
    expect(agreement_option).to_have_attribute("aria-selected", "true")
    box.press("Enter")

    expect(page).to_have_url(live_server.url + deal.get_absolute_url())
    expect(page.locator("h1")).to_contain_text("MoU on teacher training in Hạ Long")


def test_enter_without_choosing_opens_the_search_page(page, live_server, users):
    sign_in(page, live_server, users["viewer"])
    page.goto(live_server.url + "/")

    box = page.get_by_role("combobox", name="Search everything")
    box.fill("Hạ Long")
    expect(page.get_by_role("listbox", name="Search results")).to_be_visible()
    box.press("Enter")

    expect(page).to_have_url(re.compile(r"/search/\?q=H%E1%BA%A1\+Long$"))
    expect(page.locator("h1")).to_have_text("Search")
    expect(page.locator("[data-kind=organizations]")).to_contain_text("Ha Long University")
