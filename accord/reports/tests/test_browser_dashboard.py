"""The dashboard in the browser: in Vietnamese, with its map and charts drawn, each figure leading to its list.

The screenshot test rewrites the README's picture of the dashboard (``ACCORD_SCREENSHOTS=1``).
"""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from accord.partners.tests.test_browser import SCREENSHOTS, sign_in
from accord.reports.tests.test_dashboard import build_world

pytestmark = pytest.mark.browser

# How many pixels of a canvas are drawn (not transparent).
DRAWN_PIXELS = """(id) => {
  const canvas = document.getElementById(id);
  if (!canvas || !canvas.width || !canvas.height) return 0;
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) drawn++;
  return drawn;
}"""

CANVASES = ("partner-map", "chart-signed", "chart-mobility", "chart-quotas")


def wait_until_drawn(page, canvas_id: str) -> int:
    page.wait_for_function(f"({DRAWN_PIXELS})('{canvas_id}') > 500")
    return page.evaluate(DRAWN_PIXELS, canvas_id)


def test_dashboard_in_vietnamese_draws_map_and_charts_and_leads_to_the_lists(page, live_server, tenants, make_user):
    # Given generated records and a viewer of Quảng Ninh DoET who reads Vietnamese
    build_world(tenants)
    viewer = make_user("viewer", username="qn-vi", language="vi")
    sign_in(page, live_server, viewer)

    # When they open the dashboard
    page.goto(live_server.url + "/reports/")

    # Then the page is in Vietnamese, and the map and every chart are drawn
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("#dashboard-organization")).to_have_text(tenants["qn"].name)
    for canvas in CANVASES:
        assert wait_until_drawn(page, canvas) > 500, canvas
    # The accessible table behind the map names the countries in Vietnamese
    expect(page.locator("#countries-table")).to_contain_text("Nhật")

    # When they follow the figure of active agreements with Japanese partners
    link = page.locator('[data-figure="agreements-country-JP"]')
    count = int(link.get_attribute("data-count"))
    assert count == 6
    link.click()

    # Then the agreement list shows exactly those rows
    expect(page).to_have_url(re.compile(r"/agreements/list/\?within=\d+&status=active&country=JP"))
    expect(page.locator("#agreement-table tbody tr[data-agreement]")).to_have_count(count)

    # And back on the dashboard, the outgoing stays of this academic year lead to as many stays
    page.go_back()
    link = page.locator('[data-figure="mobility-outgoing"]')
    count = int(link.get_attribute("data-count"))
    link.click()
    expect(page.locator("#mobility-table tbody tr[data-mobility]")).to_have_count(count)


def test_an_oversight_user_picks_a_university_under_it(page, live_server, tenants, users):
    build_world(tenants)
    sign_in(page, live_server, users["admin"])
    page.goto(live_server.url + "/reports/dashboard/")
    page.locator("#id_organization").select_option(str(tenants["hlu"].pk))
    expect(page.locator("#dashboard-organization")).to_have_text(tenants["hlu"].name)
    expect(page.locator('[data-figure="agreements-active"]')).to_have_attribute("data-count", "3")
    assert wait_until_drawn(page, "partner-map") > 500


@pytest.mark.skipif(
    not os.environ.get("ACCORD_SCREENSHOTS"), reason="set ACCORD_SCREENSHOTS=1 to rewrite docs/screenshots"
)
def test_screenshot_of_the_demo_dashboard(page, live_server, transactional_db):
    # Given the demo data, seen by an editor of Quảng Ninh DoET (consolidated over HLU and QUI)
    from accord.accounts.models import User
    from accord.reports.tests.test_dashboard import load_demo_data

    load_demo_data()
    editor = User.objects.get(username="qn-editor")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server, editor)

    # When the dashboard is shown at 1280×800 with its map drawn
    page.goto(live_server.url + "/reports/")
    for canvas in CANVASES:
        wait_until_drawn(page, canvas)
    page.screenshot(path=SCREENSHOTS / "dashboard.png", full_page=True)

    # Then the picture is written
    assert (SCREENSHOTS / "dashboard.png").stat().st_size > 10_000
