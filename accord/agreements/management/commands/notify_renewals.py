import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accord.agreements.alerts import notify_renewals


class Command(BaseCommand):
    help = gettext_lazy(
        "Expire agreements past their date and tell managers about renewals due and lapsed agreements (daily)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help=gettext_lazy("Run as if today were this date (YYYY-MM-DD)."))
        parser.add_argument(
            "--base-url",
            default="",
            help=gettext_lazy("Prefix for links in e-mails, such as https://accord.example.edu.vn"),
        )
        parser.add_argument(
            "--enqueue", action="store_true", help=gettext_lazy("Enqueue as a background task instead of running now.")
        )

    def handle(self, *args, **options):
        try:
            today = datetime.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as exc:
            raise CommandError(_("--date must be YYYY-MM-DD, not “%(value)s”.") % {"value": options["date"]}) from exc
        if options["enqueue"]:
            from accord.agreements.tasks import notify_renewals_task

            result = notify_renewals_task.enqueue(today.isoformat() if today else None)
            self.stdout.write(_("Enqueued task %(id)s.") % {"id": result.id})
            return
        counts = notify_renewals(today=today, base_url=options["base_url"])
        self.stdout.write(
            _(
                "Expired %(expired)s, renewed automatically %(auto_renewed)s, new notifications %(notifications)s, "
                "e-mails sent %(emails)s."
            )
            % counts
        )
