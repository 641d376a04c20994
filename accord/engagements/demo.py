"""The demo engagements, follow-up actions and sources: what the seed articles report happened.

On top of the partners and agreements demos (load those first), from ``../shared/seeds/``:

* the seed articles themselves, each recorded as a source with its address, publisher, date
  and language, and a one-line summary of our own (the articles' text stays in ``shared/``);
  the English, French and Thai versions of the Báo Quảng Ninh report form one story;
* the 2025 education exchange conference of five Vietnamese provinces and cities with
  Guangxi, where the memorandum ``DEMO-GX-2025`` was signed (Quảng Ninh DoET);
* the working session of Hải Phòng DoET with the Naju Office of Education Support on
  27 May 2025, the cooperation agreed there as follow-up actions, and the cultural exchange
  and joint classes planned for September 2025 (Hải Phòng DoET);
* the QUI delegation at Liaoning Technical University on 2–3 November 2025, with its site
  visit and the working session where ``DEMO-QUI-LNTU-2025`` was signed (QUI);
* Ha Long University's annual activities with its Japanese partners, as a series;
* the training courses on international integration for civil servants that Quảng Ninh
  DoET's Plan No. 850/KH-SGDĐT calls for.

Each record cites the source it comes from. Where an article leaves a fact out (a day, a
place) the record's summary says so rather than inventing it.

Everything is written through the services, acting as the ``admin`` superuser. A second run
finds each record by a stable key (a source by owner and title, an engagement by owner, title
and first day, an action by engagement and title, a series by owner and name) and creates
nothing. The texts below are record content, not interface strings, so they are stored as
written and not marked for translation.
"""

from __future__ import annotations

import datetime
from typing import Any, TextIO

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from accord.agreements.demo import (
    GUANGXI_REFERENCE,
    GUANGXI_SIGNED_ON,
    HAI_PHONG_NAJU_REFERENCE,
    QUI_LNTU_2002_REFERENCE,
    QUI_LNTU_2025_REFERENCE,
    _Organizations,
)
from accord.agreements.models import Agreement
from accord.engagements import services
from accord.engagements.models import (
    DatePrecision,
    Engagement,
    EngagementKind,
    EngagementSeries,
    FollowUpAction,
    OrganizationRole,
    ParticipantRole,
)
from accord.partners.demo import HAI_PHONG_ARTICLE, QUANG_NINH_ARTICLE, DemoError
from accord.partners.models import Person
from accord.sources import services as source_services
from accord.sources.models import Citation, Source, SourceKind, Story

D = datetime.date
HOST, GUEST, CHAIR, CO = (
    OrganizationRole.HOST,
    OrganizationRole.GUEST,
    OrganizationRole.CHAIR,
    OrganizationRole.CO_ORGANISER,
)
HEAD, MEMBER, HOST_REP = ParticipantRole.HEAD, ParticipantRole.MEMBER, ParticipantRole.HOST_REPRESENTATIVE

# --- Sources ---------------------------------------------------------------------------------
# One per seed article. Titles and summaries are ours; the article text is not copied.

QUANG_NINH_TITLE = "Quảng Ninh's education sector steps up international integration"
SOURCES: list[dict[str, Any]] = [
    {
        "key": "qn-en",
        "owner": "qn-doet",
        "title": QUANG_NINH_TITLE,
        "url": QUANG_NINH_ARTICLE,
        "publisher": "Báo Quảng Ninh",
        "language": "en",
        "text": (
            "Report on international cooperation in Quảng Ninh's education sector: Ha Long University's "
            "partners, Plan No. 850/KH-SGDĐT, and the 2025 conference with Guangxi and its memorandum. "
            "The collected page gives no publication date."
        ),
    },
    {
        "key": "qn-fr",
        "owner": "qn-doet",
        "title": f"{QUANG_NINH_TITLE} (French version)",
        "url": QUANG_NINH_ARTICLE,
        "publisher": "Báo Quảng Ninh",
        "language": "fr",
        "text": "French version of the Báo Quảng Ninh report on international integration in education.",
    },
    {
        "key": "qn-th",
        "owner": "qn-doet",
        "title": f"{QUANG_NINH_TITLE} (Thai version)",
        "url": QUANG_NINH_ARTICLE,
        "publisher": "Báo Quảng Ninh",
        "language": "th",
        "text": "Thai version of the Báo Quảng Ninh report on international integration in education.",
    },
    {
        "key": "hp",
        "owner": "hp-doet",
        "title": "Hải Phòng DoET and the Naju Office of Education Support hold a working session",
        "url": HAI_PHONG_ARTICLE,
        "publisher": "Hải Phòng City portal (haiphong.gov.vn)",
        "published_on": D(2025, 5, 27),
        "language": "en",
        "text": (
            "The 27 May 2025 working session: both school systems in figures, the cooperation agreed and the "
            "joint activities planned for September."
        ),
    },
    {
        "key": "qui",
        "owner": "qui",
        "title": "QUI delegation visits Liaoning Technical University and signs a strategic cooperation MoU",
        "url": "",
        "publisher": "Quang Ninh University of Industry (QUI)",
        "published_on": D(2025, 12, 3),
        "language": "en",
        "text": (
            "The QUI delegation's visit to LNTU on 2–3 November 2025 and the memorandum signed there, after "
            "cooperation since 2002. The collected article carries no address; it names the Chinese "
            "university inconsistently."
        ),
    },
]

STORY = {
    "owner": "qn-doet",
    "title": "International integration of Quảng Ninh's education sector (2025)",
    "summary": "One Báo Quảng Ninh report, collected in English, French and Thai.",
    "sources": ["qn-en", "qn-fr", "qn-th"],
}

# --- Engagements -----------------------------------------------------------------------------

GUANGXI_CONFERENCE = {
    "key": "guangxi-conference",
    "owner": "qn-doet",
    "kind": EngagementKind.CONFERENCE,
    "title": (
        "2025 education exchange conference of Quảng Ninh, Lạng Sơn, Cao Bằng, Tuyên Quang and Hải Phòng "
        "with the Guangxi Zhuang Autonomous Region"
    ),
    # The article gives only the year: the same date as the memorandum's signature in the
    # agreements demo (see GUANGXI_SIGNED_ON there).
    "starts_on": GUANGXI_SIGNED_ON,
    "summary": (
        "Chaired by the Education Department of the Guangxi Zhuang Autonomous Region; the memorandum of "
        "understanding on educational exchange was signed there. The article gives only the year 2025 and "
        "does not say where the conference was held. The date recorded, 1 July 2025, is the one the demo "
        "agreements use for the memorandum's signature (the earliest date consistent with the five provinces "
        "and cities the article names); correct it when the date is known."
    ),
    "organizations": [
        ("guangxi-education", CHAIR),
        ("qn-doet", GUEST),
        ("ls-doet", GUEST),
        ("cb-doet", GUEST),
        ("tq-doet", GUEST),
        ("hp-doet", GUEST),
    ],
    "agreements": [GUANGXI_REFERENCE],
    "citations": [
        ("qn-en", "Reports the conference, its chair, the five provinces and cities and the memorandum signed there."),
        ("qn-fr", "The same report in French."),
        ("qn-th", "The same report in Thai."),
    ],
}

HAI_PHONG_SESSION = {
    "key": "naju-session",
    "owner": "hp-doet",
    "kind": EngagementKind.WORKING_SESSION,
    "title": "Working session of Hải Phòng DoET with the Naju Office of Education Support",
    "starts_on": D(2025, 5, 27),
    "city": "Hải Phòng",
    "country": "VN",
    "host": "hp-doet",
    "summary": (
        "Morning working session on education, training and cultural exchange between the two localities, "
        "led by Director Bui Van Kiem (Hải Phòng DoET) and Director Byeon Jeong Bin (Naju Office of Education "
        "Support). The article speaks of a Naju delegation received by the department but names no venue; "
        "Hải Phòng is recorded as the city. The two sides agreed in principle on the cooperation recorded as "
        "follow-up actions, and planned cultural exchange activities and joint classes for September 2025."
    ),
    "organizations": [("hp-doet", HOST), ("naju-education", GUEST)],
    "participants": [
        ("hp-doet", "Bui Van Kiem", "hp-doet", HOST_REP),
        ("hp-doet", "Byeon Jeong Bin", "naju-education", HEAD),
    ],
    "citations": [("hp", "Reports the working session, who led it and what was agreed.")],
    "actions": [
        "Exchange teachers between Hải Phòng and Naju",
        "Coordinate career orientation for students",
        "Cooperate on digital transformation in education",
        "Cooperate on applying artificial intelligence in education",
        "Develop students' language skills and global competencies",
    ],
    "action_description": "Agreed at the working session of 27 May 2025; the article sets no deadline and names no one.",
    "action_citation": ("hp", "Listed among the cooperation contents agreed at the end of the session."),
}

HAI_PHONG_SEPTEMBER = {
    "key": "naju-september",
    "owner": "hp-doet",
    "kind": EngagementKind.CULTURAL_EXCHANGE,
    "title": "Cultural exchange activities and joint classes for students of Hải Phòng and Naju",
    "starts_on": D(2025, 9, 1),
    "precision": DatePrecision.MONTH,
    "summary": (
        "Planned at the working session of 27 May 2025 for September 2025, for students of both countries to "
        "learn about each other's culture and practise the language. The article gives the month only, no "
        "place, and does not report whether the activities took place."
    ),
    "organizations": [("hp-doet", CO), ("naju-education", CO)],
    "citations": [("hp", "The activities planned for September 2025.")],
}

QUI_PEOPLE = [
    ("qui", "Hoang Hung Thang", "qui", HEAD),
    ("qui", "Ta Van Kien", "qui", MEMBER),
    ("qui", "Lanh Thi Hoa", "qui", MEMBER),
]
LNTU_PEOPLE = [
    ("qui", "Ma Tu Tuyen", "lntu", HOST_REP),
    ("qui", "Ngu Phu Phat", "lntu", HOST_REP),
    ("qui", "Ton Vi", "lntu", HOST_REP),
    ("qui", "To Quoc", "lntu", HOST_REP),
    ("qui", "Ly Boi Boi", "lntu", HOST_REP),
]

QUI_DELEGATION = {
    "key": "qui-delegation",
    "owner": "qui",
    "kind": EngagementKind.OUTGOING_DELEGATION,
    "title": "Quang Ninh University of Industry delegation to Liaoning Technical University",
    "starts_on": D(2025, 11, 2),
    "ends_on": D(2025, 11, 3),
    "city": "Fuxin",
    "country": "CN",
    "host": "lntu",
    "summary": (
        "Official visit led by Dr. Hoang Hung Thang, Rector of QUI, with Dr. Ta Van Kien and Dr. Lanh Thi Hoa: "
        "a visit of LNTU's training facilities and of Haizhou Mining Park on 2 November, and the working "
        "session where the memorandum on strategic cooperation was signed on 3 November, marking over "
        "twenty years of cooperation (2002–2025)."
    ),
    "organizations": [("qui", GUEST), ("lntu", HOST)],
    "participants": QUI_PEOPLE + LNTU_PEOPLE,
    "citations": [("qui", "Reports the visit, the delegation and LNTU's representatives.")],
    "parts": [
        {
            "key": "qui-site-visit",
            "owner": "qui",
            "kind": EngagementKind.SITE_VISIT,
            "title": "Visit to LNTU's training facilities, Haizhou Mining Park and the Mining Museum",
            "starts_on": D(2025, 11, 2),
            "city": "Fuxin",
            "country": "CN",
            "host": "lntu",
            "summary": (
                "The delegation surveyed LNTU's training facilities, workshops and laboratories, and visited "
                "Haizhou Mining Park (“Hai Chau” in the article) and its Mining Museum, a model combining "
                "training, the preservation of mining heritage and industrial tourism."
            ),
            "organizations": [("qui", GUEST), ("lntu", HOST), ("haizhou-mining-park", HOST)],
            "participants": QUI_PEOPLE,
            "citations": [("qui", "The visit of 2 November 2025.")],
        },
        {
            "key": "qui-signing",
            "owner": "qui",
            "kind": EngagementKind.WORKING_SESSION,
            "title": "Working session and signing of the memorandum on strategic cooperation",
            "starts_on": D(2025, 11, 3),
            "city": "Fuxin",
            "country": "CN",
            "host": "lntu",
            "summary": (
                "Official working session at LNTU's Fuxin campus (“Phu Tan” in the article), where the "
                "presidents of the two universities signed the memorandum of understanding on strategic "
                "cooperation."
            ),
            "organizations": [("qui", GUEST), ("lntu", HOST)],
            "participants": QUI_PEOPLE + LNTU_PEOPLE,
            "agreements": [QUI_LNTU_2025_REFERENCE],
            "citations": [("qui", "The working session of 3 November 2025 and the memorandum signed there.")],
        },
    ],
}

TRAINING_COURSES = {
    "key": "integration-training",
    "owner": "qn-doet",
    "kind": EngagementKind.TRAINING_COURSE,
    "title": "Training courses on international integration for civil servants and public employees",
    # The article gives no date: the courses belong to the 2025 plan, so the plan's year is
    # recorded, month precision, January to December.
    "starts_on": D(2025, 1, 1),
    "ends_on": D(2025, 12, 31),
    "precision": DatePrecision.MONTH,
    "host": "qn-doet",
    "summary": (
        "Planned under Plan No. 850/KH-SGDĐT on the international integration of the education sector, to "
        "build civil servants' and public employees' expertise, foreign language skills and ability to serve "
        "international integration. The article gives no dates, places or numbers: the whole year of the "
        "plan, 2025, is recorded; narrow it when the schedule is known. The article does not report courses "
        "held."
    ),
    "citations": [("qn-en", "Plan No. 850/KH-SGDĐT and the training courses on international integration.")],
}

HLU_SERIES = {
    "owner": "hlu",
    "name": "Ha Long University's annual activities with Japanese partners",
    "description": (
        "The article reports annual activities of Ha Long University with Osaka University, Asahikawa "
        "University and Kitami Institute of Technology (Hokkaido), but gives no date, place or content for "
        "any of them, so no engagement is recorded in this series yet: add each activity when its date is "
        f"known.\nSource: Báo Quảng Ninh, {QUANG_NINH_ARTICLE}"
    ),
}

# Sources cited on the demo agreements: (owner key, reference, source key, note).
AGREEMENT_CITATIONS = [
    ("qn-doet", GUANGXI_REFERENCE, "qn-en", "The memorandum signed at the 2025 conference and its contents."),
    ("qui", QUI_LNTU_2002_REFERENCE, "qui", "Says the two universities have cooperated since 2002."),
    ("qui", QUI_LNTU_2025_REFERENCE, "qui", "The memorandum of 3 November 2025, its signatories and contents."),
    ("hp-doet", HAI_PHONG_NAJU_REFERENCE, "hp", "The cooperation agreed in principle on 27 May 2025."),
]

COUNTERS = ("sources", "stories", "engagements", "actions", "series", "citations")


def load_demo_engagements(*, acting_user, stdout: TextIO | None) -> dict[str, int]:
    """Create whatever demo source, engagement, action or citation is missing, in one transaction.

    Returns what was created; a second run finds everything and creates nothing. Raises
    ``DemoError`` when the demo organisations, people or agreements are missing.
    """
    created = dict.fromkeys(COUNTERS, 0)
    with transaction.atomic():
        loader = _Loader(acting_user, created)
        loader.sources()
        loader.story()
        loader.engagement(GUANGXI_CONFERENCE)
        session = loader.engagement(HAI_PHONG_SESSION)
        loader.actions(session, HAI_PHONG_SESSION)
        loader.engagement(HAI_PHONG_SEPTEMBER)
        loader.engagement(QUI_DELEGATION)
        loader.engagement(TRAINING_COURSES)
        loader.series(HLU_SERIES)
        for owner, reference, source, note in AGREEMENT_CITATIONS:
            loader.cite(loader.agreement(owner, reference), source, note)
    _report(stdout, created)
    return created


class _Loader:
    def __init__(self, user, created: dict[str, int]) -> None:
        self.user = user
        self.created = created
        self.orgs = _Organizations()
        self.found_sources: dict[str, Source] = {}

    # --- sources ---------------------------------------------------------------------

    def sources(self) -> None:
        for spec in SOURCES:
            owner = self.orgs[spec["owner"]]
            source = Source.objects.filter(owner=owner, title=spec["title"]).first()
            if source is None:
                data = {field: spec.get(field) for field in ("title", "url", "publisher", "published_on", "language")}
                data.update(kind=SourceKind.ARTICLE, owner=owner, text=spec["text"])
                source = source_services.source_create(acting_user=self.user, data=data)
                self.created["sources"] += 1
            self.found_sources[spec["key"]] = source

    def story(self) -> None:
        owner = self.orgs[STORY["owner"]]
        if Story.objects.filter(owner=owner, title=STORY["title"]).exists():
            return
        source_services.story_create(
            acting_user=self.user,
            title=STORY["title"],
            summary=STORY["summary"],
            owner=owner,
            sources=[self.found_sources[key] for key in STORY["sources"]],
        )
        self.created["stories"] += 1

    def cite(self, record, source_key: str, note: str) -> None:
        source = self.found_sources[source_key]
        content_type = ContentType.objects.get_for_model(type(record))
        if Citation.objects.filter(source=source, content_type=content_type, object_id=record.pk).exists():
            return
        source_services.citation_add(acting_user=self.user, record=record, source=source, note=note)
        self.created["citations"] += 1

    # --- engagements -------------------------------------------------------------------

    def agreement(self, owner_key: str, reference: str) -> Agreement:
        agreement = Agreement.objects.filter(owner=self.orgs[owner_key], reference=reference).first()
        if agreement is None:
            raise DemoError(
                _("The demo agreement “%(reference)s” is missing; load the demo agreements first.")
                % {"reference": reference}
            )
        return agreement

    def person(self, owner_key: str, name: str) -> Person:
        person = Person.objects.filter(owner=self.orgs[owner_key], name=name).first()
        if person is None:
            raise DemoError(_("The demo person “%(name)s” is missing; load the demo data first.") % {"name": name})
        return person

    def engagement(self, spec: dict[str, Any], parent: Engagement | None = None) -> Engagement:
        owner = self.orgs[spec["owner"]]
        engagement = Engagement.objects.filter(owner=owner, title=spec["title"], starts_on=spec["starts_on"]).first()
        if engagement is None:
            data = {
                "kind": spec["kind"],
                "title": spec["title"],
                "title_language": "en",
                "owner": owner,
                "starts_on": spec["starts_on"],
                "ends_on": spec.get("ends_on"),
                "precision": spec.get("precision", DatePrecision.DAY),
                "city": spec.get("city", ""),
                "country": spec.get("country", ""),
                "host": self.orgs[spec["host"]] if spec.get("host") else None,
                "parent": parent,
                "summary": spec["summary"],
            }
            engagement = services.engagement_create(
                acting_user=self.user,
                data=data,
                organizations=[{"organization": self.orgs[key], "role": role} for key, role in spec["organizations"]]
                if spec.get("organizations")
                else None,
                participants=[
                    {"person": self.person(owner_key, name), "organization": self.orgs[org_key], "role": role}
                    for owner_key, name, org_key, role in spec.get("participants", [])
                ]
                or None,
                agreements=[self.agreement(spec["owner"], reference) for reference in spec.get("agreements", [])]
                or None,
            )
            self.created["engagements"] += 1
        for source_key, note in spec.get("citations", []):
            self.cite(engagement, source_key, note)
        for part in spec.get("parts", []):
            self.engagement(part, parent=engagement)
        return engagement

    def actions(self, engagement: Engagement, spec: dict[str, Any]) -> None:
        source_key, note = spec["action_citation"]
        for title in spec["actions"]:
            action = FollowUpAction.objects.filter(engagement=engagement, title=title).first()
            if action is None:
                action = services.action_create(
                    acting_user=self.user,
                    data={"title": title, "description": spec["action_description"], "engagement": engagement},
                )
                self.created["actions"] += 1
            self.cite(action, source_key, note)

    def series(self, spec: dict[str, Any]) -> None:
        owner = self.orgs[spec["owner"]]
        if EngagementSeries.objects.filter(owner=owner, name=spec["name"]).exists():
            return
        services.series_create(acting_user=self.user, name=spec["name"], owner=owner, description=spec["description"])
        self.created["series"] += 1


def _report(stdout: TextIO | None, created: dict[str, int]) -> None:
    if stdout is None:
        return
    if not any(created.values()):
        stdout.write(_("The demo engagements and sources are already loaded; nothing was changed.") + "\n")
        return
    stdout.write(
        _(
            "Loaded the demo engagements: %(engagements)s engagements, %(actions)s follow-up actions, %(series)s "
            "series, %(sources)s sources, %(stories)s stories and %(citations)s citations created."
        )
        % created
        + "\n"
    )
