"""Dates of engagements and actions as people write them, in the reader's language.

A day ("Nov. 2, 2025"), a range within a month ("Nov. 2–3, 2025", "2–3 novembre 2025"), a
longer range, or only a month ("September 2025"). Built from Django's localized date formats
(``DATE_FORMAT`` and ``YEAR_MONTH_FORMAT``), so each language keeps its own order.
"""

from __future__ import annotations

import datetime

from django import template
from django.utils import formats
from django.utils.dateformat import format as format_date

from accord.engagements.models import DatePrecision

register = template.Library()

DASH = "\u2013"  # en dash, as in "2–3 November"


def _literal(text: str) -> str:
    """``text`` escaped so that a date format prints it as it is."""
    return "".join("\\" + char for char in text)


def _days_in_format(fmt: str, first: datetime.date, last: datetime.date) -> str | None:
    """``fmt`` with its day of the month (``j`` or ``d``) replaced by the span of days, or None."""
    out, escaped, replaced = [], False, False
    for char in fmt:
        if escaped:
            out.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "jd" and not replaced:
            pattern = "%d" if char == "j" else "%02d"
            out.append(_literal(f"{pattern % first.day}{DASH}{pattern % last.day}"))
            replaced = True
        else:
            out.append(char)
    return "".join(out) if replaced else None


def date_span(first: datetime.date | None, last: datetime.date | None, precision: str = DatePrecision.DAY) -> str:
    """A day, a range of days or a month, written the way the reader's language writes dates."""
    if first is None:
        return ""
    if precision == DatePrecision.MONTH:
        month = formats.get_format("YEAR_MONTH_FORMAT")
        if last is None or (last.year, last.month) == (first.year, first.month):
            return format_date(first, month)
        return f"{format_date(first, month)} {DASH} {format_date(last, month)}"
    day = formats.get_format("DATE_FORMAT")
    if last is None or last == first:
        return format_date(first, day)
    if (last.year, last.month) == (first.year, first.month):
        span = _days_in_format(day, first, last)
        if span:
            return format_date(first, span)
    return f"{format_date(first, day)} {DASH} {format_date(last, day)}"


def due_label(due_on: datetime.date | None, precision: str = DatePrecision.DAY) -> str:
    """When an action is due: a day, or a month ("by September 2025" is written "September 2025")."""
    if due_on is None:
        return ""
    fmt = "YEAR_MONTH_FORMAT" if precision == DatePrecision.MONTH else "DATE_FORMAT"
    return format_date(due_on, formats.get_format(fmt))


@register.filter
def dates(engagement) -> str:
    """``{{ engagement|dates }}``: its day, range of days or month."""
    return date_span(engagement.starts_on, engagement.ends_on, engagement.precision)


@register.filter
def due(action) -> str:
    """``{{ action|due }}``: the day or the month the action is due by."""
    return due_label(action.due_on, action.due_precision)
