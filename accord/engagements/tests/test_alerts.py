"""The daily job tells managers once about follow-up actions coming due within a week and overdue.

On 15 January 2026 Quảng Ninh DoET has actions agreed at the working session with LNTU:
one due on 20 January, one on 22 January (a week later, the last day counted), one on
23 January (too far), one overdue since 10 January, one due in January (month only, so on
the 31st), one already done and one cancelled. Hải Phòng DoET has one overdue action of
its own.
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accord.agreements.alerts import notify_renewals
from accord.engagements import services
from accord.notifications.models import Notification

D = datetime.date
TODAY = D(2026, 1, 15)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """The actions are recorded on 2 January 2026, before any of them was due."""
    real = timezone.localdate
    monkeypatch.setattr(
        timezone,
        "localdate",
        lambda value=None, timezone=None: D(2026, 1, 2) if value is None else real(value, timezone),
    )


@pytest.fixture
def hp_manager(make_user):
    return make_user("manager", org="hp")


@pytest.fixture
def actions(users, hp_manager):
    editor = users["editor"]
    session = services.engagement_create(
        acting_user=editor,
        data={"kind": "working_session", "title": "Working session with LNTU", "starts_on": D(2025, 11, 3)},
    )

    def action(title, user=editor, engagement=session, **data):
        return services.action_create(acting_user=user, data={"title": title, "engagement": engagement, **data})

    made = {
        "soon": action("Send the list of exchange students", due_on=D(2026, 1, 20)),
        "week": action("Book the lecture hall", due_on=D(2026, 1, 22)),
        "later": action("Draft the 2+2 programme", due_on=D(2026, 1, 23)),
        "overdue": action("Answer LNTU's letter", due_on=D(2026, 1, 10)),
        "month": action("Report to the province", due_on=D(2026, 1, 1), due_precision="month"),
        "undated": action("Keep in touch"),
        "done": action("Translate the MoU", due_on=D(2026, 1, 18)),
        "cancelled": action("Visit the mining park", due_on=D(2026, 1, 12)),
    }
    services.action_complete(action=made["done"], acting_user=editor, done_on=D(2026, 1, 5))
    services.action_cancel(action=made["cancelled"], acting_user=editor)
    theirs = services.engagement_create(
        acting_user=users["other"],
        data={"kind": "working_session", "title": "Working session with Naju", "starts_on": D(2025, 5, 27)},
    )
    made["theirs"] = action("Plan the joint classes", user=users["other"], engagement=theirs, due_on=D(2026, 1, 9))
    return made


def _told(user) -> set[tuple[str, str]]:
    return set(Notification.objects.filter(recipient=user).values_list("kind", "title"))


def test_managers_hear_of_actions_due_within_a_week_and_of_those_overdue(actions, users, hp_manager):
    # when
    counts = notify_renewals(today=TODAY)

    # then
    expected = {
        ("action_due", "Due on 2026-01-20: Send the list of exchange students"),
        ("action_due", "Due on 2026-01-22: Book the lecture hall"),
        ("action_overdue", "Overdue since 2026-01-10: Answer LNTU's letter"),
    }
    assert _told(users["manager"]) == expected
    assert _told(users["admin"]) == expected
    assert _told(hp_manager) == {("action_overdue", "Overdue since 2026-01-09: Plan the joint classes")}
    assert not Notification.objects.filter(recipient__in=[users["editor"], users["viewer"]]).exists()
    assert counts["notifications"] == 7
    assert counts["emails"] == 3
    assert Notification.objects.get(recipient=users["manager"], kind="action_overdue").url == (
        actions["overdue"].get_absolute_url()
    )


def test_each_manager_gets_one_digest_listing_the_actions(actions, users):
    # when
    notify_renewals(today=TODAY)

    # then
    digest = next(m for m in mail.outbox if m.to == [users["manager"].email])
    assert "3 items" in digest.subject
    assert "Answer LNTU's letter" in digest.body
    assert "Book the lecture hall" in digest.body


def test_done_cancelled_and_distant_actions_are_not_told(actions, users):
    # when
    notify_renewals(today=TODAY)

    # then
    titles = " ".join(title for _kind, title in _told(users["manager"]))
    for key in ("later", "month", "undated", "done", "cancelled"):
        assert actions[key].title not in titles


def test_a_second_run_sends_nothing_new(actions, users):
    # given
    notify_renewals(today=TODAY)
    notifications = Notification.objects.count()
    mail.outbox.clear()

    # when
    counts = notify_renewals(today=TODAY)

    # then
    assert counts["notifications"] == counts["emails"] == 0
    assert Notification.objects.count() == notifications
    assert mail.outbox == []


def test_an_action_told_as_coming_due_is_told_again_once_overdue(actions, users):
    # given
    notify_renewals(today=TODAY)

    # when
    later = notify_renewals(today=D(2026, 1, 21))

    # then
    overdue = Notification.objects.filter(recipient=users["manager"], kind="action_overdue")
    assert set(overdue.values_list("title", flat=True)) == {
        "Overdue since 2026-01-10: Answer LNTU's letter",
        "Overdue since 2026-01-20: Send the list of exchange students",
    }
    # Also new on the 21st: the action due on the 23rd comes within a week.
    assert set(
        Notification.objects.filter(recipient=users["manager"], kind="action_due").values_list("title", flat=True)
    ) == {
        "Due on 2026-01-20: Send the list of exchange students",
        "Due on 2026-01-22: Book the lecture hall",
        "Due on 2026-01-23: Draft the 2+2 programme",
    }
    assert later["notifications"] == 4  # two new items, each for the manager and the admin


def test_an_action_done_before_the_run_is_not_told(actions, users):
    # given
    services.action_complete(action=actions["overdue"], acting_user=users["editor"], done_on=D(2026, 1, 14))

    # when
    notify_renewals(today=TODAY)

    # then
    assert ("action_overdue", "Overdue since 2026-01-10: Answer LNTU's letter") not in _told(users["manager"])
    assert not Notification.objects.filter(kind="action_overdue", recipient=users["manager"]).exists()
