"""The demo agreements: the memoranda the seed articles report, on top of the partners demo.

Three stories from ``../shared/seeds/``:

* the 2025 memorandum on educational exchange between the Guangxi Zhuang Autonomous Region
  Education Department and five Vietnamese provinces and cities (kept by Quảng Ninh DoET);
* the memorandum on strategic cooperation between Quang Ninh University of Industry (QUI) and
  Liaoning Technical University (LNTU) of 3 November 2025, recorded as the renewal of the
  cooperation running since 2002, so that the renewal chain shows 2002 → 2025;
* the cooperation Hải Phòng DoET and the Naju Office of Education Support agreed in principle
  on 27 May 2025, still in negotiation since the article reports no signature.

Everything is written through the agreements services, acting as the ``admin`` superuser, so
every row has its history and every agreement its timeline. The organisations and people are
the partners demo's (found by their ``demo:<key>`` identifier, people by owner and name): load
that first. Each agreement carries a reference code (``DEMO-…``) by which a second run finds
it and creates nothing.

Where an article leaves a fact out (a day, a term, a signatory) the record says so in its
notes rather than inventing it; where a date had to be chosen, the notes say why. Titles are
given in English only: the articles print no official Vietnamese or Chinese titles.

The texts below (titles, summaries, notes, descriptions) are record content, not interface
strings, so they are stored as written and not marked for translation.
"""

from __future__ import annotations

import datetime
from typing import Any, TextIO

from django.db import transaction
from django.utils.translation import gettext as _

from accord.agreements import services
from accord.agreements.choices import AgreementKind, AgreementStatus, Direction, QuantityUnit
from accord.agreements.models import ActivityType, Agreement, Commitment
from accord.partners.choices import IdentifierScheme
from accord.partners.demo import (
    HAI_PHONG_ARTICLE,
    IDENTIFIER_PREFIX,
    QUANG_NINH_ARTICLE,
    QUI_ARTICLE,
    DemoError,
)
from accord.partners.models import Organization, OrganizationIdentifier, Person

GUANGXI_REFERENCE = "DEMO-GX-2025"
QUI_LNTU_2002_REFERENCE = "DEMO-QUI-LNTU-2002"
QUI_LNTU_2025_REFERENCE = "DEMO-QUI-LNTU-2025"
HAI_PHONG_NAJU_REFERENCE = "DEMO-HP-NAJU-2025"

BOTH, INCOMING = Direction.BOTH, Direction.INCOMING

# --- The Guangxi memorandum (Quảng Ninh DoET) ----------------------------------------------

# The article gives only the year. It names the five provinces as Quảng Ninh, Lạng Sơn, Cao
# Bằng, Tuyên Quang and Hải Phòng; before the provincial mergers in force on 1 July 2025 the
# conference was held with Hà Giang (merged into Tuyên Quang on that day), so the conference
# took place on or after 1 July 2025. That earliest possible date is recorded.
GUANGXI_SIGNED_ON = datetime.date(2025, 7, 1)

GUANGXI = {
    "reference": GUANGXI_REFERENCE,
    "kind": AgreementKind.MOU,
    "title": (
        "Memorandum of understanding on educational exchange between the Guangxi Zhuang Autonomous Region "
        "Education Department and five Vietnamese provinces and cities (2025)"
    ),
    "title_language": "en",
    "owner": "qn-doet",
    "parties": ["guangxi-education", "qn-doet", "ls-doet", "cb-doet", "tq-doet", "hp-doet"],
    "summary": (
        "Signed at the 2025 education exchange conference between Quảng Ninh, Lạng Sơn, Cao Bằng, Tuyên Quang, "
        "Hải Phòng and the Guangxi Zhuang Autonomous Region, chaired by the Guangxi Zhuang Autonomous Region "
        "Education Department: regular exchanges with conferences in turn in Guangxi and in the five provinces "
        "and cities, bilateral scholarships, training of international talents in artificial intelligence, "
        "“AI + education” within the School of Intelligence framework."
    ),
    "notes": (
        "The exact date of the signature is not in the source, which gives only the year 2025. Recorded as "
        "1 July 2025, the earliest date consistent with the article: it names Tuyên Quang and Hải Phòng among "
        "the five provinces and cities, a list that fits the provincial mergers in force from 1 July 2025 "
        "(earlier conferences were held with Hà Giang). Correct the date when the memorandum is at hand.\n"
        "The article names the provinces and cities; their Departments of Education and Training are recorded "
        "as the parties. It names no signatories and no term, so none is recorded.\n"
        f"Source: {QUANG_NINH_ARTICLE}"
    ),
    "commitments": [
        {
            "activity_type": "conference",
            "description": (
                "Keep the mechanism of regular exchanges: educational exchange conferences held in turn in "
                "Guangxi (China) and in the five Vietnamese provinces and cities."
            ),
            "direction": BOTH,
            "quantity_per_year": 1,
            "unit": QuantityUnit.EVENTS,
        },
        {
            "activity_type": "scholarship",
            "description": "Continue the bilateral scholarship policy.",
            "direction": BOTH,
        },
        {
            "activity_type": "joint_training",
            "description": (
                "Strengthen the training of international talents in artificial intelligence. The Guangxi "
                "Education Department's plan “Cultivating One Hundred Thousand Artificial Intelligence Talents” "
                "for ASEAN is to allocate quotas to the five Vietnamese provinces and cities, Quảng Ninh included."
            ),
            "direction": BOTH,
        },
        {
            "activity_type": "ai_in_education",
            "description": (
                "Strengthen cooperation on “AI + education” within the framework of the School of Intelligence, "
                "to train the talents of the new era."
            ),
            "direction": BOTH,
        },
    ],
    # (commitment position, date, note, quantity, url): what the article reports as done.
    "evidence": [
        (
            0,
            GUANGXI_SIGNED_ON,
            "2025 education exchange conference between the five Vietnamese provinces and cities and Guangxi, "
            "chaired by the Guangxi Zhuang Autonomous Region Education Department; attended by Quảng Ninh DoET. "
            "The exact date is not in the article (see the agreement's notes).",
            1,
            QUANG_NINH_ARTICLE,
        ),
    ],
}

# --- QUI and LNTU ---------------------------------------------------------------------------

# The article says the cooperation has run since 2002 without naming a document or a day;
# 1 January 2002 stands for "in 2002".
QUI_LNTU_2002_SIGNED_ON = datetime.date(2002, 1, 1)
QUI_LNTU_2025_SIGNED_ON = datetime.date(2025, 11, 3)

QUI_LNTU_2002 = {
    "reference": QUI_LNTU_2002_REFERENCE,
    "kind": AgreementKind.OTHER,
    "title": "Cooperation between Quang Ninh University of Industry and Liaoning Technical University (2002)",
    "title_language": "en",
    "owner": "qui",
    "parties": ["qui", "lntu"],
    "summary": "The cooperation between QUI and LNTU that began in 2002 and was renewed by the 2025 memorandum.",
    "notes": (
        "The source says only that the two universities have cooperated since 2002 (“over 20 years of "
        "effective cooperation … (2002–2025)”). It names no document, title, signatory or terms, and the day "
        "of the signature is unknown: the date recorded, 1 January 2002, stands for the year only. The "
        "institutions' names at the time may have differed from today's.\n"
        f"Source: {QUI_ARTICLE}"
    ),
}

QUI_LNTU_2025 = {
    "reference": QUI_LNTU_2025_REFERENCE,
    "kind": AgreementKind.MOU,
    "title": (
        "Memorandum of understanding on strategic cooperation between Quang Ninh University of Industry and "
        "Liaoning Technical University"
    ),
    "title_language": "en",
    "signatories": {"qui": "Hoang Hung Thang", "lntu": "Ma Tu Tuyen"},
    "summary": (
        "Signed at the working session at LNTU's Fuxin campus on 3 November 2025, opening a new phase of the "
        "cooperation that began in 2002: annual student exchanges, 2+2 and 3+1 joint training, online courses "
        "on AI, energy and electric-vehicle technology, exchanges of lecturers and experts, international "
        "scientific conferences and a “Summer Experience” programme at QUI for Chinese students."
    ),
    "notes": (
        "Signed by the presidents of the two universities, Dr. Hoang Hung Thang (Rector of QUI) and Prof. Ma Tu "
        "Tuyen (Principal of LNTU), at the signing ceremony of 3 November 2025 (“Phu Tan” campus in the "
        "article, i.e. Fuxin). The article gives no term, so no expiry date is recorded; it gives no number of "
        "students for the exchanges either.\n"
        "The article also calls LNTU “Liaoning University of Engineering and Technology”, “LNU” and “LTU”.\n"
        f"Source: {QUI_ARTICLE}"
    ),
    "commitments": [
        {
            "activity_type": "student_exchange",
            "description": (
                "Annual student exchange programme in key fields such as IT, electromechanics, mining "
                "engineering and automation."
            ),
            "direction": BOTH,
            "subject_areas": "0612, 0613, 0714, 0715, 0724",
        },
        {
            "activity_type": "joint_training",
            "description": "Develop 2+2 and 3+1 joint training programmes.",
            "direction": BOTH,
            "eqf_levels": "6",
        },
        {
            "activity_type": "online_course",
            "description": "Organise online courses on AI, energy and electric-vehicle technology.",
            "direction": BOTH,
            "subject_areas": "0613, 0713, 0716",
        },
        {
            "activity_type": "staff_exchange",
            "description": "Regular exchange of lecturers and experts.",
            "direction": BOTH,
        },
        {
            "activity_type": "conference",
            "description": "Organise international scientific conferences.",
            "direction": BOTH,
        },
        {
            "activity_type": "summer_programme",
            "description": "Organise the “Summer Experience” programme at QUI for Chinese students.",
            "direction": INCOMING,
        },
    ],
    "evidence": [
        (
            3,
            QUI_LNTU_2025_SIGNED_ON,
            "QUI delegation at LNTU, 2–3 November 2025: Dr. Hoang Hung Thang (Rector), Dr. Ta Van Kien (Head of "
            "the Department of Scientific Research and International Relations) and Dr. Lanh Thi Hoa (Head of the "
            "Faculty of Economics) visited the training facilities in Fuxin and Haizhou Mining Park and held the "
            f"working session with LNTU's leaders. Source: {QUI_ARTICLE}",
            3,
            "",
        ),
    ],
}

# --- Hải Phòng and Naju ------------------------------------------------------------------------

HAI_PHONG_NAJU = {
    "reference": HAI_PHONG_NAJU_REFERENCE,
    # The article does not say what form a written agreement would take.
    "kind": AgreementKind.OTHER,
    "status": AgreementStatus.NEGOTIATING,
    "title": (
        "Cooperation in education and training between the Hai Phong Department of Education and Training and "
        "the Naju Office of Education Support"
    ),
    "title_language": "en",
    "owner": "hp-doet",
    "parties": ["hp-doet", "naju-education"],
    "summary": (
        "Agreed in principle at the working session of 27 May 2025 between Director Bui Van Kiem (Hải Phòng "
        "DoET) and Director Byeon Jeong Bin (Naju Office of Education Support): teacher exchanges, career "
        "orientation for students, digital transformation, applying artificial intelligence, language skills "
        "and global competencies; cultural exchange activities and joint classes planned for September 2025."
    ),
    "notes": (
        "In negotiation: the article reports an agreement in principle at a working session, not a signature. "
        "Nothing it reports has been carried out yet; the September 2025 activities were planned.\n"
        f"Source: {HAI_PHONG_ARTICLE}"
    ),
    "commitments": [
        {"activity_type": "staff_exchange", "description": "Exchange teachers.", "direction": BOTH},
        {
            "activity_type": "career_orientation",
            "description": "Coordinate career orientation for students.",
            "direction": BOTH,
        },
        {
            "activity_type": "digital_transformation",
            "description": "Cooperate on digital transformation in education.",
            "direction": BOTH,
        },
        {
            "activity_type": "ai_in_education",
            "description": "Cooperate on applying artificial intelligence in education.",
            "direction": BOTH,
        },
        {
            "activity_type": "language_training",
            "description": "Develop students' language skills and global competencies.",
            "direction": BOTH,
        },
        {
            "activity_type": "cultural_exchange",
            "description": (
                "Cultural exchange activities and joint classes for students of both countries to learn about "
                "each other's culture and practise the language, planned for September 2025."
            ),
            "direction": BOTH,
            "academic_years": "2025/2026",
        },
    ],
}


def load_demo_agreements(*, acting_user, stdout: TextIO | None) -> dict[str, int]:
    """Create whatever demo agreement is missing, in one transaction, and say what was done.

    Returns the number of agreements and evidence entries created; a second run finds every
    agreement by its reference code and creates nothing. Raises ``DemoError`` when the demo
    organisations (``load_demo``) or the activity types it needs are missing.
    """
    created = {"agreements": 0, "evidence": 0}
    with transaction.atomic():
        orgs = _Organizations()
        if _find(orgs, GUANGXI) is None:
            _create_signed(GUANGXI, orgs, acting_user, GUANGXI_SIGNED_ON, created)
        _qui_lntu(orgs, acting_user, created)
        if _find(orgs, HAI_PHONG_NAJU) is None:
            _create(HAI_PHONG_NAJU, orgs, acting_user, created)
    _report(stdout, created)
    return created


class _Organizations:
    """The partners demo's organisations, by key, found through their ``demo:<key>`` identifier."""

    def __init__(self) -> None:
        self._cache: dict[str, Organization] = {}

    def __getitem__(self, key: str) -> Organization:
        if key not in self._cache:
            identifier = (
                OrganizationIdentifier.objects.filter(scheme=IdentifierScheme.OTHER, value=IDENTIFIER_PREFIX + key)
                .select_related("organization")
                .first()
            )
            if identifier is None:
                raise DemoError(
                    _("The demo organisation “%(key)s” is missing; load the demo organisations first.") % {"key": key}
                )
            self._cache[key] = identifier.organization
        return self._cache[key]


def _find(orgs: _Organizations, spec: dict[str, Any]) -> Agreement | None:
    return Agreement.objects.filter(owner=orgs[spec["owner"]], reference=spec["reference"]).first()


def _activity(code: str) -> ActivityType:
    try:
        return ActivityType.objects.get(code=code)
    except ActivityType.DoesNotExist:
        raise DemoError(
            _("The activity type “%(code)s” is missing; the demo agreements need it.") % {"code": code}
        ) from None


def _commitment_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {**row, "activity_type": _activity(row["activity_type"]), "position": position}
        for position, row in enumerate(spec.get("commitments", []))
    ]


def _data(spec: dict[str, Any], orgs: _Organizations) -> dict[str, Any]:
    data = {field: spec[field] for field in ("reference", "kind", "title", "title_language", "summary", "notes")}
    data["owner"] = orgs[spec["owner"]]
    if "status" in spec:
        data["status"] = spec["status"]
    return data


def _create(spec: dict[str, Any], orgs: _Organizations, user, created: dict[str, int]) -> Agreement:
    agreement = services.agreement_create(
        acting_user=user,
        data=_data(spec, orgs),
        parties=[{"organization": orgs[key]} for key in spec["parties"]],
        commitments=_commitment_rows(spec),
    )
    created["agreements"] += 1
    return agreement


def _create_signed(
    spec: dict[str, Any], orgs: _Organizations, user, signed_on: datetime.date, created: dict[str, int]
) -> Agreement:
    agreement = _create(spec, orgs, user, created)
    agreement = services.agreement_sign(agreement=agreement, acting_user=user, signed_on=signed_on)
    _add_evidence(agreement, spec, user, created)
    return agreement


def _add_evidence(agreement: Agreement, spec: dict[str, Any], user, created: dict[str, int]) -> None:
    commitments = {c.position: c for c in Commitment.objects.filter(agreement=agreement)}
    for position, happened_on, note, quantity, url in spec.get("evidence", []):
        services.evidence_add(
            commitment=commitments[position],
            acting_user=user,
            data={"happened_on": happened_on, "note": note, "quantity": quantity, "url": url},
        )
        created["evidence"] += 1


def _qui_lntu(orgs: _Organizations, user, created: dict[str, int]) -> None:
    """The 2002 cooperation, renewed by the memorandum of 3 November 2025 (which supersedes it)."""
    qui = orgs["qui"]
    if Agreement.objects.filter(owner=qui, reference=QUI_LNTU_2025_REFERENCE).exists():
        return
    earlier = _find(orgs, QUI_LNTU_2002)
    if earlier is None:
        earlier = _create_signed(QUI_LNTU_2002, orgs, user, QUI_LNTU_2002_SIGNED_ON, created)
    if Agreement.objects.filter(predecessor=earlier).exists():
        # Someone renewed the 2002 record by hand; their renewal stands.
        return
    spec = QUI_LNTU_2025
    successor = services.agreement_renew(agreement=earlier, acting_user=user, expires_on=None, title=spec["title"])
    created["agreements"] += 1
    people = {key: Person.objects.filter(owner=qui, name=name).first() for key, name in spec["signatories"].items()}
    parties = []
    for party in successor.parties.all():
        for key, person in people.items():
            if person is not None and party.organization_id == orgs[key].pk:
                parties.append({"id": party.pk, "signatory": person})
    data = {field: spec[field] for field in ("reference", "kind", "title_language", "summary", "notes")}
    successor = services.agreement_update(
        agreement=successor, acting_user=user, data=data, parties=parties, commitments=_commitment_rows(spec)
    )
    successor = services.agreement_sign(agreement=successor, acting_user=user, signed_on=QUI_LNTU_2025_SIGNED_ON)
    _add_evidence(successor, spec, user, created)


def _report(stdout: TextIO | None, created: dict[str, int]) -> None:
    if stdout is None:
        return
    if not any(created.values()):
        stdout.write(_("The demo agreements are already loaded; nothing was changed.") + "\n")
        return
    stdout.write(
        _("Loaded the demo agreements: %(agreements)s agreements and %(evidence)s evidence entries created.") % created
        + "\n"
    )
