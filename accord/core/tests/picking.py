"""Choosing a record in a search-as-you-type picker (accord.core.widgets), as a user does."""

from __future__ import annotations


def pick(page, select_id: str, text: str, value) -> None:
    """Type ``text`` in the picker's box before ``#select_id`` and choose the record ``value``."""
    page.locator(f"#{select_id}_search").fill(text)
    page.wait_for_selector(f'#{select_id} option[value="{value}"]', state="attached")
    page.locator(f"#{select_id}").select_option(str(value))
