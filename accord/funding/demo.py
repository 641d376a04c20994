"""The demo funding: the Guangxi quota plan and its allocations, and Ha Long University's projects.

On top of the partners, agreements and engagements demos (load those first), from
``../shared/seeds/`` (the Báo Quảng Ninh report, 000–002):

* the plan “Cultivating One Hundred Thousand Artificial Intelligence Talents” for ASEAN of the
  Education Department of the Guangxi Zhuang Autonomous Region, as a quota plan counted in
  people, kept by Quảng Ninh DoET; its quotas for the five Vietnamese provinces and cities the
  report names, and Quảng Ninh's quota passed on to two of its universities (Ha Long University
  and Quang Ninh University of Industry). The report gives no figures: the quantities are
  illustrative and every allocation's note says so;
* VIETMUS (music education, funded by the European Union) and REVFIN (fishing gear waste,
  funded by Germany), two of the four research projects Ha Long University took part in. The
  report gives no dates, budget, coordinator or reference, so none is recorded.

Everything is written through the funding services, acting as the ``admin`` superuser. A
second run finds each record by a stable key (a scheme by owner and name, an allocation by
scheme, parent and recipient, a project by owner and acronym) and creates nothing. The texts
below are record content written for the demo (the articles' text is not copied), not
interface strings, so they are stored as written and not marked for translation.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TextIO

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from accord.agreements.demo import _Organizations
from accord.engagements.demo import SOURCES
from accord.funding import services
from accord.funding.models import (
    Allocation,
    AllocationUnit,
    FundingScheme,
    Project,
    ProjectRole,
    ProjectStatus,
    SchemeKind,
)
from accord.partners.demo import QUANG_NINH_ARTICLE, DemoError
from accord.sources import services as source_services
from accord.sources.models import Citation, Source

# --- The quota plan ---------------------------------------------------------------------------

AI_PLAN_NAME = "“100,000 AI talents for ASEAN” plan of the Guangxi Education Department"
AI_PLAN = {
    "owner": "qn-doet",
    "funder": "guangxi-education",
    "name": AI_PLAN_NAME,
    "kind": SchemeKind.QUOTA_PLAN,
    "unit": AllocationUnit.PEOPLE,
    # The plan's own name states its aim: one hundred thousand people trained in AI across ASEAN.
    "total": Decimal(100_000),
    "description": (
        "The Guangxi Education Department's plan to train 100,000 people in artificial intelligence for the "
        "ASEAN countries; under the 2025 memorandum on educational exchange it "
        "sets aside quotas for five Vietnamese provinces and cities, Quảng Ninh among them, to train people at "
        "several levels for the region's AI development.\n"
        "The total is the aim in the plan's name. The report gives no dates and no number for any quota: the "
        "allocations recorded here are illustrative demo figures, to be replaced by the real ones.\n"
        f"Source: Báo Quảng Ninh, {QUANG_NINH_ARTICLE}"
    ),
}

ILLUSTRATIVE = "Illustrative demo figure: the report names the recipient but gives no number."

# (recipient key, quantity, note), in the order of the report; Quảng Ninh's passed on below.
AI_PROVINCES: list[tuple[str, int, str]] = [
    ("qn-doet", 20, f"Quota for Quảng Ninh. {ILLUSTRATIVE}"),
    ("ls-doet", 20, f"Quota for Lạng Sơn. {ILLUSTRATIVE}"),
    ("cb-doet", 20, f"Quota for Cao Bằng. {ILLUSTRATIVE}"),
    ("tq-doet", 20, f"Quota for Tuyên Quang. {ILLUSTRATIVE}"),
    ("hp-doet", 20, f"Quota for Hải Phòng. {ILLUSTRATIVE}"),
]
AI_QUANG_NINH_SCHOOLS: list[tuple[str, int, str]] = [
    (
        "hlu",
        8,
        "Part of Quảng Ninh's quota passed on to Ha Long University. Illustrative demo figure: the report does "
        "not say how the province shares its quota.",
    ),
    (
        "qui",
        10,
        "Part of Quảng Ninh's quota passed on to Quang Ninh University of Industry. Illustrative demo figure: the "
        "report does not say how the province shares its quota.",
    ),
]

# --- Projects ---------------------------------------------------------------------------------

_PROJECT_CAVEAT = (
    "The report names the project, its aim and its funder only: no dates, budget, coordinator, other partners "
    "or grant reference, so none is recorded. It counts the project among the four research projects the "
    "university has taken part in, in the past tense; it is recorded as completed until the dates are known."
)

PROJECTS: list[dict[str, Any]] = [
    {
        "owner": "hlu",
        "acronym": "VIETMUS",
        "title": "Teaching music at universities in Vietnam",
        "funder": "eu",
        "themes": "music education, higher education",
        "summary": (
            "European Union-funded project to develop the teaching of music in Vietnam's universities, one of the "
            "four research projects with the EU and Germany in which Ha Long University took part, giving its "
            f"lecturers, staff and students access to new knowledge and methods.\n{_PROJECT_CAVEAT}"
        ),
        "citation": "Names VIETMUS, its aim, the European Union as funder and Ha Long University's part in it.",
    },
    {
        "owner": "hlu",
        "acronym": "REVFIN",
        "title": "Preventing, reducing and recycling waste fishing gear at sea in Vietnam",
        "funder": "germany",
        "themes": "fishing gear waste, marine litter, recycling, fisheries",
        "summary": (
            "German-funded project against lost and discarded fishing gear in Vietnam's waters (prevention, "
            "reduction, recycling), one of the four research projects with the EU and Germany in which Ha Long "
            "University took part. The report says Germany funded it without naming the ministry or agency.\n"
            f"{_PROJECT_CAVEAT}"
        ),
        "citation": "Names REVFIN, its aim, Germany as funder and Ha Long University's part in it.",
    },
]

SCHEME_CITATION = "The plan, its author and the quotas for five Vietnamese provinces and cities, Quảng Ninh included."
SOURCE_KEY = "qn-en"
COUNTERS = ("schemes", "allocations", "projects", "citations")


def load_demo_funding(*, acting_user, stdout: TextIO | None) -> dict[str, int]:
    """Create whatever demo scheme, allocation, project or citation is missing, in one transaction.

    Returns what was created; a second run creates nothing. Raises ``DemoError`` when the demo
    organisations or sources are missing.
    """
    created = dict.fromkeys(COUNTERS, 0)
    with transaction.atomic():
        loader = _Loader(acting_user, created)
        scheme = loader.scheme(AI_PLAN)
        quang_ninh = None
        for key, quantity, note in AI_PROVINCES:
            allocation = loader.allocation(scheme, None, key, quantity, note)
            if key == "qn-doet":
                quang_ninh = allocation
        for key, quantity, note in AI_QUANG_NINH_SCHOOLS:
            loader.allocation(scheme, quang_ninh, key, quantity, note)
        loader.cite(scheme, SCHEME_CITATION)
        for spec in PROJECTS:
            loader.cite(loader.project(spec), spec["citation"])
    _report(stdout, created)
    return created


def ai_allocation(recipient_key: str) -> Allocation:
    """The demo allocation of the AI plan to ``recipient_key`` (for the mobility demo)."""
    orgs = _Organizations()
    allocation = (
        Allocation.objects.filter(
            scheme__owner=orgs[AI_PLAN["owner"]], scheme__name=AI_PLAN_NAME, recipient=orgs[recipient_key]
        )
        .order_by("pk")
        .first()
    )
    if allocation is None:
        raise DemoError(_("The demo quota plan is missing; load the demo funding first."))
    return allocation


def demo_source(key: str) -> Source:
    """A source of the engagements demo, by its key there."""
    orgs = _Organizations()
    spec = next(s for s in SOURCES if s["key"] == key)
    source = Source.objects.filter(owner=orgs[spec["owner"]], title=spec["title"]).first()
    if source is None:
        raise DemoError(_("The demo sources are missing; load the demo engagements first."))
    return source


def cite_once(acting_user, record, source: Source, note: str) -> bool:
    """Cite ``source`` on ``record`` unless it already is; True when a citation was added."""
    content_type = ContentType.objects.get_for_model(type(record))
    if Citation.objects.filter(source=source, content_type=content_type, object_id=record.pk).exists():
        return False
    source_services.citation_add(acting_user=acting_user, record=record, source=source, note=note)
    return True


class _Loader:
    def __init__(self, user, created: dict[str, int]) -> None:
        self.user = user
        self.created = created
        self.orgs = _Organizations()
        self.source = demo_source(SOURCE_KEY)

    def scheme(self, spec: dict[str, Any]) -> FundingScheme:
        owner = self.orgs[spec["owner"]]
        scheme = FundingScheme.objects.filter(owner=owner, name=spec["name"]).first()
        if scheme is None:
            data = {field: spec[field] for field in ("name", "kind", "unit", "total", "description")}
            data.update(owner=owner, funder=self.orgs[spec["funder"]])
            scheme = services.scheme_create(acting_user=self.user, data=data)
            self.created["schemes"] += 1
        return scheme

    def allocation(
        self, scheme: FundingScheme, parent: Allocation | None, key: str, quantity: int, note: str
    ) -> Allocation:
        recipient = self.orgs[key]
        allocation = Allocation.objects.filter(scheme=scheme, parent=parent, recipient=recipient).first()
        if allocation is None:
            allocation = services.allocation_create(
                acting_user=self.user,
                scheme=scheme,
                parent=parent,
                data={"recipient": recipient, "quantity": Decimal(quantity), "note": note},
            )
            self.created["allocations"] += 1
        return allocation

    def project(self, spec: dict[str, Any]) -> Project:
        owner = self.orgs[spec["owner"]]
        project = Project.objects.filter(owner=owner, acronym=spec["acronym"]).first()
        if project is None:
            data = {field: spec[field] for field in ("acronym", "title", "themes", "summary")}
            data.update(owner=owner, funder=self.orgs[spec["funder"]], status=ProjectStatus.COMPLETED)
            project = services.project_create(
                acting_user=self.user,
                data=data,
                partners=[{"organization": owner, "role": ProjectRole.PARTNER}],
            )
            self.created["projects"] += 1
        return project

    def cite(self, record, note: str) -> None:
        if cite_once(self.user, record, self.source, note):
            self.created["citations"] += 1


def _report(stdout: TextIO | None, created: dict[str, int]) -> None:
    if stdout is None:
        return
    if not any(created.values()):
        stdout.write(_("The demo funding schemes and projects are already loaded; nothing was changed.") + "\n")
        return
    stdout.write(
        _(
            "Loaded the demo funding: %(schemes)s schemes, %(allocations)s allocations, %(projects)s projects and "
            "%(citations)s citations created."
        )
        % created
        + "\n"
    )
