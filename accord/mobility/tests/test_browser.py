"""What an international office does with mobilities in the browser: find a student's stay among
the others with the filters, and follow it from nomination to its end.
"""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from accord.mobility.models import Mobility
from accord.mobility.tests.test_views import make_mobility, organization
from accord.partners.tests.test_browser import sign_in

pytestmark = pytest.mark.browser
D = datetime.date


def test_filter_the_list_and_move_a_stay_from_nominated_to_completed(page, live_server, users):
    # Given stays with Osaka and Liaoning, going and coming
    editor = users["editor"]
    osaka = organization(editor, "Osaka University of Education", "JP")
    lntu = organization(editor, "Liaoning Technical University", "CN")
    lan = make_mobility(editor, osaka, D(2025, 10, 1), D(2026, 2, 28), name="Nguyễn Thị Lan")
    make_mobility(editor, lntu, D(2025, 9, 15), D(2026, 1, 15), name="Trần Văn Minh")
    make_mobility(editor, osaka, D(2025, 9, 1), D(2026, 6, 30), direction="incoming", name="Sato Yuki")
    sign_in(page, live_server, editor)

    # When the officer opens the mobility area and its list
    page.goto(live_server.url + "/mobility/")
    page.locator("#link-mobilities").click()
    rows = page.locator("#mobility-table tbody tr[data-mobility]")
    expect(rows).to_have_count(3)

    # And keeps the outgoing stays to Japan
    page.locator("#id_direction").select_option("outgoing")
    expect(rows).to_have_count(2)
    page.locator("#id_country").select_option("JP")
    expect(rows).to_have_count(1)
    expect(page.locator("#result-count")).to_have_text("1 mobility")
    expect(page).to_have_url(re.compile(r"/mobility/list/\?.*direction=outgoing.*country=JP"))
    expect(rows.first).to_contain_text("Nguyễn Thị Lan")

    # When they open it, and confirm it
    rows.first.get_by_role("link", name="Nguyễn Thị Lan").click()
    expect(page.locator("h1")).to_contain_text("Nguyễn Thị Lan")
    expect(page.locator("#status")).to_have_text("Nominated")
    page.locator("#transition-confirm").click()

    # Then it is confirmed, and may start
    expect(page.locator(".alert-success")).to_contain_text("The mobility is confirmed.")
    expect(page.locator("#status")).to_have_text("Confirmed")
    expect(page.locator("#transition-confirm")).to_have_count(0)

    # When the student leaves two days late
    page.locator("#transition-start").locator("xpath=..").locator("input[name=day]").fill("2025-10-03")
    page.locator("#transition-start").click()

    # Then the stay is ongoing from the day they left
    expect(page.locator("#status")).to_have_text("Ongoing")
    expect(page.locator("#actual")).to_contain_text("2025-10-03")

    # When they come back as planned
    page.locator("#transition-complete").click()

    # Then the stay is completed, with nothing more to do
    expect(page.locator("#status")).to_have_text("Completed")
    expect(page.locator("#actual")).to_have_text("2025-10-03 – 2026-02-28")
    expect(page.locator("#transitions")).to_have_count(0)
    saved = Mobility.objects.get(pk=lan.pk)
    assert saved.status == "completed"
    assert (saved.actual_start, saved.actual_end) == (D(2025, 10, 3), D(2026, 2, 28))


def test_pick_a_partner_by_typing_part_of_its_name_without_accents(page, live_server, users):
    # Given stays with two partners, one of them with a Vietnamese name
    editor = users["editor"]
    hue = organization(editor, "Đại học Huế", "VN")
    lntu = organization(editor, "Liaoning Technical University", "CN")
    make_mobility(editor, hue, D(2025, 10, 1), D(2026, 2, 28), name="Nguyễn Thị Lan")
    make_mobility(editor, lntu, D(2025, 9, 15), D(2026, 1, 15), name="Trần Văn Minh")
    sign_in(page, live_server, editor)
    page.goto(live_server.url + "/mobility/list/")
    rows = page.locator("#mobility-table tbody tr[data-mobility]")
    expect(rows).to_have_count(2)
    # The partner select offers no partner until one is searched for
    expect(page.locator("#id_partner option")).to_have_count(1)

    # When the officer types "dai hoc hue" in the partner's search box
    page.locator("#id_partner_search").fill("dai hoc hue")

    # Then the partner is offered, and the status line says how many match
    expect(page.locator(f'#id_partner option[value="{hue.pk}"]')).to_have_count(1)
    expect(page.locator("#id_partner_status")).to_have_text("1 match.")

    # When they choose it, the list keeps its stays only, and the address says so
    page.locator("#id_partner").select_option(str(hue.pk))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Nguyễn Thị Lan")
    expect(page).to_have_url(re.compile(rf"partner={hue.pk}"))

    # And reloading the page keeps the choice, the one partner rendered as chosen
    page.reload()
    expect(page.locator("#id_partner option:checked")).to_have_text("Đại học Huế")
    expect(rows).to_have_count(1)
