"""Browser fixtures: Debian's Chromium driven by Playwright for Python, against ``live_server``.

One Chromium runs per test session (per xdist worker); every test gets a fresh browser
context, so cookies, storage and downloads never leak from one test to the next. Playwright's
own browser downloads are never used (``playwright install`` must not run here): the browser
is the system's, at /usr/bin/chromium or at the path in ``ACCORD_CHROMIUM``.

Without that browser the browser tests are skipped loudly on a workstation, and fail in CI
(``CI=true``), where a silently skipped suite would look green.

Static files: pytest-django's ``live_server`` wraps the site in Django's
``StaticFilesHandler`` when ``django.contrib.staticfiles`` is installed, which serves
``/static/`` from the staticfiles finders (``accord/static``) whatever ``DEBUG`` says, so no
``collectstatic`` is needed. The ``page`` fixture fails the test when a static file answers
with an error or a script raises, so a broken asset cannot go unnoticed.
"""

from __future__ import annotations

import asyncio
import os
import warnings

import pytest

# Playwright's sync API keeps an asyncio loop marked as running in the test thread, where
# Django would then refuse ORM calls; the root conftest sets this too, this makes the
# browser tests independent of it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 10_000

_not_run: list[str] = []


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _browser_unavailable(reason: str) -> None:
    """Fail in CI, skip loudly elsewhere: a missing browser is never silent."""
    message = f"BROWSER TESTS NOT RUN: {reason}"
    if _in_ci():
        pytest.fail(f"{message}. CI=true requires them to run.", pytrace=False)
    if not _not_run:
        _not_run.append(message)
        warnings.warn(message, UserWarning, stacklevel=2)
    pytest.skip(message)


def pytest_terminal_summary(terminalreporter):
    for message in _not_run:
        terminalreporter.write_line("")
        terminalreporter.write_line(f"*** {message} ***", yellow=True, bold=True)


def _set_running_loop(loop) -> None:
    # Playwright's sync API leaves its loop marked as running in this thread between calls,
    # so that asyncio.run() and async_to_sync() would fail in every later test of the
    # session. The mark is lifted between browser tests and put back before the next one.
    asyncio._set_running_loop(loop)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (or xdist worker)."""
    executable = os.environ.get("ACCORD_CHROMIUM") or DEFAULT_CHROMIUM
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
        _browser_unavailable(f"no Chromium at {executable} (install Debian's chromium package or set ACCORD_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_unavailable("Playwright for Python is not installed in the virtualenv")

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
    except Exception as exc:
        playwright.stop()
        _set_running_loop(None)
        _browser_unavailable(f"Chromium at {executable} did not start: {exc}")
    loop = asyncio.get_running_loop()
    _set_running_loop(None)
    chromium.accord_loop = loop
    yield chromium
    _set_running_loop(loop)
    chromium.close()
    playwright.stop()
    _set_running_loop(None)


@pytest.fixture
def page(browser):
    """A page in a fresh context: English, 1280×800, downloads accepted.

    The test fails when a static file answers with an error or a script on the page raises.
    """
    from django.conf import settings

    _set_running_loop(browser.accord_loop)
    context = browser.new_context(accept_downloads=True, locale="en", viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    problems: list[str] = []
    static_url = "/" + settings.STATIC_URL.lstrip("/")

    def check_response(response):
        if static_url in response.url and response.status >= 400:
            problems.append(f"{response.status} {response.url}")

    def check_request(request):
        # A load the browser cancels because the page moved on (net::ERR_ABORTED) is not a broken
        # asset; a missing or failing file answers with an error status, caught above.
        if static_url in request.url and "ERR_ABORTED" not in (request.failure or ""):
            problems.append(f"failed {request.url}: {request.failure}")

    context.on("response", check_response)
    context.on("requestfailed", check_request)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"script error on {page.url}: {error}"))
    yield page
    context.close()
    _set_running_loop(None)
    if problems:
        pytest.fail("The browser met broken assets or script errors:\n" + "\n".join(problems), pytrace=False)
