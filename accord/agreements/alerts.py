"""The daily renewal job: agreements entering their renewal window or lapsed, told once to managers."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accord.agreements.choices import AgreementStatus
from accord.agreements.models import Agreement
from accord.agreements.services import agreement_expire_due
from accord.notifications.services import Item, notify, send_digests


def _in_reader_language(render) -> str:
    # Rendered when read, in the language active then: notify() reads it once per
    # recipient, in that recipient's language.
    return lazy(render, str)()


def renewal_items(today: datetime.date) -> list[Item]:
    items: list[Item] = []
    entering = Agreement.objects.filter(
        status=AgreementStatus.ACTIVE, renewal_starts_on__lte=today, expires_on__gte=today
    ).select_related("owner")
    for agreement in entering:
        items.append(
            Item(
                organization_id=agreement.owner_id,
                kind="agreement_renewal",
                key=f"agreement:{agreement.pk}:renewal:{agreement.expires_on.isoformat()}",
                title=_in_reader_language(
                    lambda a=agreement: (
                        _("Renew “%(title)s”: it expires on %(date)s.")
                        % {"title": a.title, "date": a.expires_on.isoformat()}
                    )
                ),
                body=_in_reader_language(
                    lambda days=(agreement.expires_on - today).days: (
                        ngettext("%(days)s day left.", "%(days)s days left.", days) % {"days": days}
                    )
                ),
                url=agreement.get_absolute_url(),
                due_on=agreement.expires_on,
            )
        )
    lapsed = Agreement.objects.filter(
        Q(status=AgreementStatus.EXPIRED, successor__isnull=True, expires_on__gte=today - datetime.timedelta(days=365))
    ).select_related("owner")
    for agreement in lapsed:
        items.append(
            Item(
                organization_id=agreement.owner_id,
                kind="agreement_lapsed",
                key=f"agreement:{agreement.pk}:lapsed:{agreement.expires_on.isoformat()}",
                title=_in_reader_language(
                    lambda a=agreement: (
                        _("“%(title)s” lapsed on %(date)s and was not renewed.")
                        % {"title": a.title, "date": a.expires_on.isoformat()}
                    )
                ),
                url=agreement.get_absolute_url(),
                due_on=agreement.expires_on,
            )
        )
    return items


def notify_renewals(*, today: datetime.date | None = None, base_url: str = "") -> dict[str, int]:
    """Expire what is due, then notify each home organisation's managers of what is new.

    Running it twice sends nothing new: each item has a key and exists once per recipient.
    """
    today = today or timezone.localdate()
    counts = agreement_expire_due(today=today)
    new = notify(renewal_items(today) + action_items(today))
    counts["notifications"] = len(new)
    counts["emails"] = send_digests(new, base_url=base_url)
    return counts


def action_items(today: datetime.date) -> list[Item]:
    """Follow-up actions coming due within a week, and those overdue: each told once."""
    from accord.engagements.models import ActionStatus, FollowUpAction

    items: list[Item] = []
    soon = today + datetime.timedelta(days=7)
    for action in FollowUpAction.objects.filter(status=ActionStatus.OPEN, due_on__isnull=False, due_on__lte=soon):
        overdue = action.due_on < today
        items.append(
            Item(
                organization_id=action.owner_id,
                kind="action_overdue" if overdue else "action_due",
                key=f"action:{action.pk}:{'overdue' if overdue else 'due'}:{action.due_on.isoformat()}",
                title=_in_reader_language(
                    lambda a=action, late=overdue: (
                        (_("Overdue since %(date)s: %(title)s") if late else _("Due on %(date)s: %(title)s"))
                        % {"date": a.due_on.isoformat(), "title": a.title}
                    )
                ),
                url=action.get_absolute_url(),
                due_on=action.due_on,
            )
        )
    return items
