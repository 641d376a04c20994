"""Creating notifications and sending each recipient one digest of what is new."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import ngettext

from accord.accounts.models import User
from accord.notifications.models import Notification


@dataclass
class Item:
    """Something to tell the managers of ``organization`` about, once.

    ``title`` and ``body`` may be lazy texts: each recipient gets them in their language.
    """

    organization_id: int
    kind: str
    key: str
    title: str
    body: str = ""
    url: str = ""
    due_on: object = None


def managers_of(organization_ids) -> dict[int, list[User]]:
    """Active managers and administrators of each home organisation."""
    by_org: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(
        home_organization_id__in=organization_ids, is_active=True, role__in=["manager", "admin"]
    ).order_by("username"):
        by_org[user.home_organization_id].append(user)
    return by_org


@transaction.atomic
def notify(items: list[Item]) -> list[Notification]:
    """Create the notifications not created before; return only the new ones."""
    recipients = managers_of({item.organization_id for item in items})
    new: list[Notification] = []
    for item in items:
        for user in recipients.get(item.organization_id, []):
            # A lazy title or body is written in the recipient's own language.
            with translation.override(user.language or settings.LANGUAGE_CODE):
                title, body = str(item.title)[:300], str(item.body)
            notification, created = Notification.objects.get_or_create(
                recipient=user,
                key=item.key,
                defaults={
                    "organization_id": item.organization_id,
                    "kind": item.kind,
                    "title": title,
                    "body": body,
                    "url": item.url,
                    "due_on": item.due_on,
                },
            )
            if created:
                new.append(notification)
    return new


def send_digests(notifications: list[Notification], *, base_url: str = "") -> int:
    """One e-mail per recipient listing their new items; returns the number of e-mails sent."""
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in notifications:
        by_user[notification.recipient_id].append(notification)
    sent = 0
    for items in by_user.values():
        user = items[0].recipient
        if not user.email:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = ngettext(
                "accord: %(count)s item needs your attention", "accord: %(count)s items need your attention", len(items)
            ) % {"count": len(items)}
            body = render_to_string("notifications/digest.txt", {"user": user, "items": items, "base_url": base_url})
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=timezone.now())
        sent += 1
    return sent


def notification_mark_read(*, user, notification_ids=None) -> int:
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=notification_ids)
    return queryset.update(read_at=timezone.now())
