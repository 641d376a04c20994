"""Background tasks (django-tasks): load by id or date, call the service."""

import datetime

from django_tasks import task

from accord.agreements.alerts import notify_renewals


@task()
def notify_renewals_task(today: str | None = None) -> dict:
    return notify_renewals(today=datetime.date.fromisoformat(today) if today else None)
