"""The daily renewal job: managers hear once about agreements entering their renewal window or lapsed.

On 1 January 2026, in Quảng Ninh DoET, the MoU with LNTU enters its renewal window (it
expires on 30 June 2026, 180 days later) and the MoU with Guangxi Normal University expired
the day before without a renewal. Hải Phòng DoET has its own agreement entering its window.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus

from accord.agreements import services
from accord.agreements.alerts import notify_renewals
from accord.agreements.choices import AgreementStatus
from accord.agreements.models import Agreement
from accord.agreements.tasks import notify_renewals_task
from accord.notifications.models import Notification
from accord.partners import services as partner_services

D = datetime.date
NEW_YEAR = D(2026, 1, 1)
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """The records are made on 1 December 2025, when every agreement below was in force."""
    real = timezone.localdate
    day = D(2025, 12, 1)
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, timezone=None: day if value is None else real(value, timezone)
    )
    return day


@pytest.fixture
def people(users, make_user):
    """The Quảng Ninh users of the root conftest (the manager reads French), and a manager of Hải Phòng."""
    users["manager"].language = "fr"
    users["manager"].save()
    users["admin"].language = "en"
    users["admin"].save()
    return {**users, "hp_manager": make_user("manager", org="hp")}


def _agreement(user, owner, partner, title, *, signed_on, expires_on, **data):
    agreement = services.agreement_create(
        acting_user=user,
        data={"kind": "mou", "title": title, "owner": owner, "expires_on": expires_on, **data},
        parties=[{"organization": owner}, {"organization": partner}],
    )
    return services.agreement_sign(agreement=agreement, acting_user=user, signed_on=signed_on)


@pytest.fixture
def agreements(people, tenants):
    editor = people["editor"]
    lntu = partner_services.organization_create(
        acting_user=editor, data={"kind": "university", "name": "Liaoning Technical University", "country": "CN"}
    )
    gxnu = partner_services.organization_create(
        acting_user=editor, data={"kind": "university", "name": "Guangxi Normal University", "country": "CN"}
    )
    return {
        "renewal": _agreement(
            editor,
            tenants["qn"],
            lntu,
            "MoU with LNTU",
            signed_on=D(2021, 7, 1),
            expires_on=D(2026, 6, 30),
            renewal_lead_days=180,
        ),
        "lapsing": _agreement(
            editor,
            tenants["qn"],
            gxnu,
            "MoU with Guangxi Normal University",
            signed_on=D(2020, 12, 1),
            expires_on=D(2025, 12, 31),
        ),
        "quiet": _agreement(
            editor,
            tenants["qn"],
            gxnu,
            "Research agreement with Guangxi Normal University",
            signed_on=D(2024, 1, 1),
            expires_on=D(2029, 12, 31),
        ),
        "hp": _agreement(
            people["other"],
            tenants["hp"],
            lntu,
            "Hải Phòng MoU with LNTU",
            signed_on=D(2021, 7, 1),
            expires_on=D(2026, 6, 30),
            renewal_lead_days=180,
        ),
    }


def _notified(user) -> set[str]:
    return set(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def _mail_to(mailoutbox, user):
    found = [message for message in mailoutbox if message.to == [user.email]]
    assert len(found) == 1, [m.to for m in mailoutbox]
    return found[0]


# --- who hears what ------------------------------------------------------------------------


def test_managers_and_admins_of_the_owner_get_one_notification_per_item_and_one_digest(people, agreements, mailoutbox):
    # when
    counts = notify_renewals(today=NEW_YEAR)

    # then: the lapsed one is expired first, then both are told to each manager and admin
    assert Agreement.objects.get(pk=agreements["lapsing"].pk).status == AgreementStatus.EXPIRED
    assert counts == {"expired": 1, "auto_renewed": 0, "notifications": 5, "emails": 3}
    for role in ("manager", "admin"):
        rows = Notification.objects.filter(recipient=people[role])
        assert sorted(rows.values_list("kind", "url")) == [
            ("agreement_lapsed", agreements["lapsing"].get_absolute_url()),
            ("agreement_renewal", agreements["renewal"].get_absolute_url()),
        ]
        assert all(row.read_at is None and row.emailed_at is not None for row in rows)
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        people[role].email for role in ("manager", "admin", "hp_manager")
    )


def test_the_digest_lists_both_items_in_english_for_an_english_reader(people, agreements, mailoutbox):
    notify_renewals(today=NEW_YEAR, base_url="https://accord.example.edu.vn")

    message = _mail_to(mailoutbox, people["admin"])
    assert message.subject.startswith("accord") and "2" in message.subject
    assert "Renew “MoU with LNTU”: it expires on 2026-06-30." in message.body
    assert "180 days left." in message.body
    assert "“MoU with Guangxi Normal University” lapsed on 2025-12-31 and was not renewed." in message.body
    assert f"https://accord.example.edu.vn{agreements['renewal'].get_absolute_url()}" in message.body
    assert "Research agreement" not in message.body


def _spaced(text: str) -> str:
    # French typography puts (narrow) non-breaking spaces before : and inside « »
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_the_digest_and_the_notifications_are_in_the_language_of_each_recipient(people, agreements, mailoutbox):
    notify_renewals(today=NEW_YEAR)

    message = _mail_to(mailoutbox, people["manager"])
    body = _spaced(message.body)
    assert "2" in message.subject
    assert "Les éléments suivants nécessitent votre attention" in body
    assert "Renouvelez la convention « MoU with LNTU » : elle expire le 2026-06-30." in body
    assert "Renew “" not in body and "These items" not in body
    titles = {
        _spaced(t) for t in Notification.objects.filter(recipient=people["manager"]).values_list("title", flat=True)
    }
    assert "Renouvelez la convention « MoU with LNTU » : elle expire le 2026-06-30." in titles
    english = set(Notification.objects.filter(recipient=people["admin"]).values_list("title", flat=True))
    assert "Renew “MoU with LNTU”: it expires on 2026-06-30." in english


def test_viewers_editors_and_other_tenants_hear_nothing_of_quang_ninh(people, agreements, mailoutbox):
    notify_renewals(today=NEW_YEAR)

    for role in ("viewer", "editor", "unit", "other"):
        assert not Notification.objects.filter(recipient=people[role]).exists(), role
    recipients = {message.to[0] for message in mailoutbox}
    assert not recipients & {people[role].email for role in ("viewer", "editor", "unit", "other")}
    # Hải Phòng's manager hears of Hải Phòng's agreement only, and Quảng Ninh's never of it
    hp = Notification.objects.get(recipient=people["hp_manager"])
    assert hp.url == agreements["hp"].get_absolute_url()
    assert "LNTU" in _mail_to(mailoutbox, people["hp_manager"]).body
    assert "Guangxi" not in _mail_to(mailoutbox, people["hp_manager"]).body
    assert not Notification.objects.filter(
        recipient=people["manager"], url=agreements["hp"].get_absolute_url()
    ).exists()


def test_the_e_mail_is_plain_text_and_does_not_escape_titles(people, agreements, tenants, mailoutbox):
    fuxin = partner_services.organization_create(
        acting_user=people["editor"], data={"kind": "college", "name": "Fuxin Higher Training College", "country": "CN"}
    )
    _agreement(
        people["editor"],
        tenants["qn"],
        fuxin,
        "Hạ Long & Fuxin: teachers' exchange",
        signed_on=D(2021, 7, 1),
        expires_on=D(2026, 6, 30),
        renewal_lead_days=180,
    )

    notify_renewals(today=NEW_YEAR)

    body = _mail_to(mailoutbox, people["admin"]).body
    assert "Renew “Hạ Long & Fuxin: teachers' exchange”: it expires on 2026-06-30." in body
    assert "&amp;" not in body and "&#x27;" not in body


def test_a_manager_without_an_e_mail_address_still_gets_the_notification(people, agreements, mailoutbox):
    people["admin"].email = ""
    people["admin"].save()

    counts = notify_renewals(today=NEW_YEAR)

    assert _notified(people["admin"]) == {"agreement_renewal", "agreement_lapsed"}
    assert counts["emails"] == 2
    assert all(message.to != [""] for message in mailoutbox)


def test_an_inactive_manager_hears_nothing(people, agreements, mailoutbox):
    people["admin"].is_active = False
    people["admin"].save()

    notify_renewals(today=NEW_YEAR)

    assert not Notification.objects.filter(recipient=people["admin"]).exists()
    assert people["admin"].email not in {message.to[0] for message in mailoutbox}


def test_nothing_is_due_before_the_windows_open(people, agreements, mailoutbox):
    # the earliest window, of the MoU with Guangxi Normal University, opens on 4 July 2025
    counts = notify_renewals(today=D(2025, 7, 3))

    assert counts == {"expired": 0, "auto_renewed": 0, "notifications": 0, "emails": 0}
    assert mailoutbox == []


# --- once only -----------------------------------------------------------------------------


def test_running_twice_the_same_day_or_the_next_day_sends_nothing_new(people, agreements, mailoutbox):
    notify_renewals(today=NEW_YEAR)
    notifications = Notification.objects.count()
    mails = len(mailoutbox)

    again = notify_renewals(today=NEW_YEAR)
    next_day = notify_renewals(today=NEW_YEAR + datetime.timedelta(days=1))

    assert again == {"expired": 0, "auto_renewed": 0, "notifications": 0, "emails": 0}
    assert next_day == {"expired": 0, "auto_renewed": 0, "notifications": 0, "emails": 0}
    assert Notification.objects.count() == notifications
    assert len(mailoutbox) == mails


def test_a_renewed_and_signed_agreement_is_no_longer_reported_as_lapsed(people, agreements, mailoutbox):
    notify_renewals(today=NEW_YEAR)
    services.agreement_renew(
        agreement=agreements["lapsing"],
        acting_user=people["editor"],
        expires_on=D(2030, 12, 31),
        signed_on=D(2026, 1, 5),
    )
    mailoutbox.clear()

    notify_renewals(today=D(2026, 1, 6))

    assert mailoutbox == []
    assert Notification.objects.filter(recipient=people["manager"], kind="agreement_lapsed").count() == 1


# --- the three ways to run it --------------------------------------------------------------


def test_the_management_command_runs_the_job_for_the_date_given(people, agreements, mailoutbox):
    out = io.StringIO()

    call_command("notify_renewals", "--date", "2026-01-01", stdout=out)

    assert "Expired 1, renewed automatically 0, new notifications 5, e-mails sent 3." in out.getvalue()
    assert _notified(people["manager"]) == {"agreement_renewal", "agreement_lapsed"}
    assert len(mailoutbox) == 3


@pytest.mark.parametrize("value", ["2026-13-01", "01/01/2026", "tomorrow"])
def test_the_management_command_refuses_a_bad_date_and_does_nothing(people, agreements, mailoutbox, value):
    with pytest.raises(CommandError) as caught:
        call_command("notify_renewals", "--date", value, stdout=io.StringIO())

    assert value in str(caught.value)
    assert not Notification.objects.exists()
    assert Agreement.objects.get(pk=agreements["lapsing"].pk).status == AgreementStatus.ACTIVE
    assert mailoutbox == []


def test_the_background_task_gives_the_same_result(people, agreements, mailoutbox, settings):
    settings.TASKS = IMMEDIATE

    result = notify_renewals_task.enqueue("2026-01-01")

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"expired": 1, "auto_renewed": 0, "notifications": 5, "emails": 3}
    assert _notified(people["admin"]) == {"agreement_renewal", "agreement_lapsed"}
    assert len(mailoutbox) == 3


def test_the_command_can_enqueue_the_task(people, agreements, mailoutbox, settings):
    settings.TASKS = IMMEDIATE
    out = io.StringIO()

    call_command("notify_renewals", "--date", "2026-01-01", "--enqueue", stdout=out)

    assert "Enqueued task" in out.getvalue()
    assert _notified(people["manager"]) == {"agreement_renewal", "agreement_lapsed"}
    assert len(mailoutbox) == 3


# --- reading them --------------------------------------------------------------------------


def _badge(html: str) -> str | None:
    import re

    match = re.search(r'id="notifications-link".*?</a>', html, re.S)
    assert match, "no notifications link in the navigation"
    badge = re.search(r'<span class="badge[^"]*">(\d+)</span>', match.group(0))
    return badge.group(1) if badge else None


def test_the_notifications_page_lists_them_and_mark_all_as_read_clears_the_badge(client, people, agreements):
    notify_renewals(today=NEW_YEAR)
    client.force_login(people["admin"])

    page = client.get("/notifications/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Renew “MoU with LNTU”: it expires on 2026-06-30." in html
    assert "“MoU with Guangxi Normal University” lapsed on 2025-12-31 and was not renewed." in html
    assert f'href="{agreements["renewal"].get_absolute_url()}"' in html
    assert _badge(html) == "2"

    done = client.post("/notifications/read/")
    after = client.get("/notifications/").content.decode()

    assert done.status_code == 302
    assert _badge(after) is None
    assert "Renew “MoU with LNTU”" in after  # read items stay listed
    assert not Notification.objects.filter(recipient=people["admin"], read_at__isnull=True).exists()


def test_a_user_never_sees_or_clears_another_users_notifications(client, people, agreements):
    notify_renewals(today=NEW_YEAR)
    theirs = Notification.objects.filter(recipient=people["hp_manager"]).values_list("pk", flat=True)
    client.force_login(people["admin"])

    page = client.get("/notifications/").content.decode()
    client.post("/notifications/read/", {"id": [str(pk) for pk in theirs]})

    assert "Hải Phòng MoU with LNTU" not in page
    assert Notification.objects.filter(recipient=people["hp_manager"], read_at__isnull=True).count() == len(theirs) == 1
    assert Notification.objects.filter(recipient=people["admin"], read_at__isnull=True).count() == 2


def test_a_viewer_has_no_notifications(client, people, agreements):
    notify_renewals(today=NEW_YEAR)
    client.force_login(people["viewer"])

    html = client.get("/notifications/").content.decode()

    assert "Nothing needs your attention." in html
    assert _badge(html) is None


def test_the_notifications_page_needs_a_signed_in_user(client, db):
    response = client.get("/notifications/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
