import datetime

from django.core.management.base import BaseCommand, CommandError

from accord.agreements.alerts import notify_renewals


class Command(BaseCommand):
    help = "Expire agreements past their date and tell managers about renewals due and lapsed agreements (daily)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as if today were this date (YYYY-MM-DD).")
        parser.add_argument("--base-url", default="", help="Prefix for links in e-mails, such as https://accord.example.edu.vn")
        parser.add_argument("--enqueue", action="store_true", help="Enqueue as a background task instead of running now.")

    def handle(self, *args, **options):
        try:
            today = datetime.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}") from exc
        if options["enqueue"]:
            from accord.agreements.tasks import notify_renewals_task

            result = notify_renewals_task.enqueue(today.isoformat() if today else None)
            self.stdout.write(f"enqueued task {result.id}")
            return
        counts = notify_renewals(today=today, base_url=options["base_url"])
        self.stdout.write(
            "expired {expired}, renewed automatically {auto_renewed}, new notifications {notifications}, "
            "e-mails sent {emails}".format(**counts)
        )
