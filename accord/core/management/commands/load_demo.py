"""``python manage.py load_demo``: load the demo organisations, people, users, agreements, engagements,
sources, funding (quotas and projects), mobility (programmes, a call with its selection, stays) and the plan
with its tasks and indicators, safe to run again."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from accord.accounts.models import User
from accord.agreements.demo import load_demo_agreements
from accord.engagements.demo import load_demo_engagements
from accord.funding.demo import load_demo_funding
from accord.mobility.demo import load_demo_mobility
from accord.partners.demo import ADMIN_USERNAME, DemoError, load_demo
from accord.plans.demo import load_demo_plans


class Command(BaseCommand):
    help = _(
        "Load the demo organisations, people, users, agreements, engagements and sources of the seed articles. "
        "Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet", action="store_true", help=_("Print nothing (the passwords file is still written).")
        )

    def handle(self, *args, quiet: bool = False, **options):
        stdout = None if quiet else self.stdout
        try:
            load_demo(stdout=stdout)
            # The partners demo made sure this superuser exists; the agreements are written as it.
            admin = User.objects.get(username=ADMIN_USERNAME)
            load_demo_agreements(acting_user=admin, stdout=stdout)
            load_demo_engagements(acting_user=admin, stdout=stdout)
            load_demo_funding(acting_user=admin, stdout=stdout)
            load_demo_mobility(acting_user=admin, stdout=stdout)
            load_demo_plans(acting_user=admin, stdout=stdout)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
