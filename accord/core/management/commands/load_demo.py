"""``python manage.py load_demo``: load the demo organisations, people and users (safe to run again)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from accord.partners.demo import DemoError, load_demo


class Command(BaseCommand):
    help = _("Load the demo organisations, people and users of the seed articles. Running it again changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet", action="store_true", help=_("Print nothing (the passwords file is still written).")
        )

    def handle(self, *args, quiet: bool = False, **options):
        try:
            load_demo(stdout=None if quiet else self.stdout)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
