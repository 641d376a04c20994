"""``python manage.py bench_generate --scale ministry --seed 1 --meta var/bench-meta.json``."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from accord.bench.generate import SCALES, BenchError, generate


class Command(BaseCommand):
    help = _(
        "Load the deterministic benchmark data set (organisations, agreements, engagements, mobilities…) into a "
        "fresh database and write a JSON file describing it. Refuses a database that holds other data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            default="ministry",
            help=_("%(names)s, or a positive factor of the ministry scale such as 0.1.") % {"names": ", ".join(SCALES)},
        )
        parser.add_argument("--seed", default="1", help=_("Whole number; the same seed gives the same data."))
        parser.add_argument("--meta", required=True, help=_("Where to write the JSON file describing the data."))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Load even though the database already holds organisations that are not bench data."),
        )

    def handle(self, *args, scale, seed, meta, force, **options):
        try:
            result = generate(scale, seed, meta, force=force, stdout=self.stdout)
        except BenchError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(
            _("Loaded %(rows)s rows in %(seconds)s s; described in %(meta)s.")
            % {"rows": sum(result["counts"].values()), "seconds": result["seconds"], "meta": meta}
        )
