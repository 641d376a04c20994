"""The demo programmes, call, selection and mobilities: the stays the seed articles speak of.

On top of the partners, agreements, engagements and funding demos (load those first), from
``../shared/seeds/``:

* Ha Long University (Báo Quảng Ninh report, 000–002): the JICA volunteers who have taught
  Japanese there since 2017 (one a year is recorded), the Japanese students learning Vietnamese,
  and the selection of outstanding students to study in Japan on exchanges or Japanese
  Government scholarships, as a call with twelve applicants whose selection is run and
  confirmed, so that its nominees have their outgoing mobilities;
* Quang Ninh University of Industry (QUI article, 004): the 2+2 and 3+1 joint training, the
  annual student exchange and the “Summer Experience” agreed with Liaoning Technical University
  (LNTU) in the memorandum of 3 November 2025, with a few stays each, linked to that
  memorandum's commitments so that their fulfilment shows;
* a few trainees under the Guangxi “100,000 AI talents for ASEAN” quotas passed on to the two
  universities, so that the quota's usage shows.

The articles name no student, volunteer or trainee: every person here is invented, marked
``fictitious``, and given a placeholder name no one would take for a real one (Nguyễn Văn A,
Yamada Tarō, Zhang San: the “John Doe” of each language). Their numbers, dates, grades and
scores are illustrative too; the notes say so.

Everything is written through the mobility services, acting as the ``admin`` superuser. A
second run finds each record by a stable key (a programme by owner and name, the call by owner
and title, an application by call and student number, a mobility by owner, name and planned
start) and creates nothing. A stay's status follows its dates on the day the demo is loaded
(over: completed; begun: ongoing; to come: confirmed). The texts below are record content, not
interface strings, so they are stored as written and not marked for translation.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.agreements.demo import GUANGXI_REFERENCE, QUI_LNTU_2025_REFERENCE, _Organizations
from accord.agreements.models import Agreement, Commitment
from accord.funding.demo import ai_allocation, cite_once, demo_source
from accord.mobility import services
from accord.mobility.models import (
    Application,
    Call,
    CallStatus,
    Category,
    DegreeAward,
    Direction,
    Gender,
    Mobility,
    Programme,
    ProgrammeKind,
    StudyLevel,
)
from accord.partners.demo import DemoError

D = datetime.date
F, M = Gender.FEMALE, Gender.MALE
IN, OUT = Direction.INCOMING, Direction.OUTGOING
FICTITIOUS = "Fictitious person (demo data): the article names no one; dates and figures are illustrative."
JAPANESE_PARTNERS = ["osaka-u", "asahikawa-u", "kitami-it"]

# --- Programmes -------------------------------------------------------------------------------
# "agreement" is (owner key, reference); "commitments" are activity type codes of its commitments.

QUI_LNTU = ("qui", QUI_LNTU_2025_REFERENCE)
MOU_DAY = D(2025, 11, 3)
_DEGREE_UNKNOWN = "The memorandum plans the programme; the article does not say which institution awards which degree."

PROGRAMMES: list[dict[str, Any]] = [
    {
        "key": "qui-2+2",
        "owner": "qui",
        "name": "2+2 joint training with Liaoning Technical University",
        "kind": ProgrammeKind.JOINT_TRAINING,
        "partners": ["lntu"],
        "agreement": QUI_LNTU,
        "commitments": ["joint_training"],
        "years_home": Decimal(2),
        "years_abroad": Decimal(2),
        "degree_note": _DEGREE_UNKNOWN,
        "level": StudyLevel.BACHELOR,
        "starts_on": MOU_DAY,
        "description": (
            "Two years at QUI, then two at LNTU. One of the two joint training formats the universities agreed "
            "to develop in their memorandum on strategic cooperation of 3 November 2025."
        ),
        "source": ("qui", "The 2+2 joint training agreed in the memorandum of 3 November 2025."),
    },
    {
        "key": "qui-3+1",
        "owner": "qui",
        "name": "3+1 joint training with Liaoning Technical University",
        "kind": ProgrammeKind.JOINT_TRAINING,
        "partners": ["lntu"],
        "agreement": QUI_LNTU,
        "commitments": ["joint_training"],
        "years_home": Decimal(3),
        "years_abroad": Decimal(1),
        "degree_note": _DEGREE_UNKNOWN,
        "level": StudyLevel.BACHELOR,
        "starts_on": MOU_DAY,
        "description": (
            "Three years at QUI, then one at LNTU. One of the two joint training formats the universities agreed "
            "to develop in their memorandum on strategic cooperation of 3 November 2025."
        ),
        "source": ("qui", "The 3+1 joint training agreed in the memorandum of 3 November 2025."),
    },
    {
        "key": "qui-exchange",
        "owner": "qui",
        "name": "Annual student exchange with Liaoning Technical University",
        "kind": ProgrammeKind.EXCHANGE,
        "partners": ["lntu"],
        "agreement": QUI_LNTU,
        "commitments": ["student_exchange"],
        "level": StudyLevel.BACHELOR,
        # Information technology, electromechanics, mining engineering, automation.
        "subject_areas": "0612, 0613, 0714, 0715, 0724",
        "starts_on": MOU_DAY,
        "description": (
            "Exchange of students every year in the fields the memorandum of 3 November 2025 puts first: "
            "information technology, electromechanics, mining engineering and automation."
        ),
        "source": ("qui", "The annual student exchange in key fields agreed in the memorandum."),
    },
    {
        "key": "qui-summer",
        "owner": "qui",
        "name": "“Summer Experience” at QUI for Chinese students",
        "kind": ProgrammeKind.SUMMER,
        "partners": ["lntu"],
        "agreement": QUI_LNTU,
        "commitments": ["summer_programme"],
        "starts_on": MOU_DAY,
        "description": "A summer programme at QUI for students from China, agreed in the memorandum with LNTU.",
        "source": ("qui", "The “Summer Experience” programme at QUI for Chinese students."),
    },
    {
        "key": "hlu-exchange",
        "owner": "hlu",
        "name": "Student exchange with Japanese partner universities",
        "kind": ProgrammeKind.EXCHANGE,
        "partners": JAPANESE_PARTNERS,
        "level": StudyLevel.BACHELOR,
        "description": (
            "Outstanding students of Ha Long University go to study at universities in Japan on student "
            "exchanges, which helps the university raise the quality of its Japanese language training. The "
            "article names Osaka University, Asahikawa University and Kitami Institute of Technology as partners "
            "with annual activities; it gives no start date."
        ),
        "source": ("qn-en", "Students selected to study in Japan through exchange programmes."),
    },
    {
        "key": "hlu-scholarship",
        "owner": "hlu",
        "name": "Japanese Government scholarships for study in Japan",
        "kind": ProgrammeKind.SCHOLARSHIP,
        "funder": "japan-government",
        "level": StudyLevel.BACHELOR,
        "description": (
            "Outstanding students of Ha Long University go to study in Japan on scholarships of the Japanese "
            "Government. The article names neither the host universities nor a start date."
        ),
        "source": ("qn-en", "Students selected to study in Japan with Japanese Government scholarships."),
    },
    {
        "key": "hlu-jica",
        "owner": "hlu",
        "name": "JICA volunteers teaching Japanese at Ha Long University",
        "kind": ProgrammeKind.VOLUNTEER,
        "funder": "jica",
        "partners": ["jica"],
        "language": "ja",
        # "Since 2017": 1 January stands for the year.
        "starts_on": D(2017, 1, 1),
        "description": (
            "Volunteers of the Japan International Cooperation Agency teach Japanese at the university since 2017 "
            "(the article gives the year only; 1 January 2017 stands for it). How many volunteers came, and "
            "when, is not reported: the demo records one a year."
        ),
        "source": ("qn-en", "JICA volunteers teaching Japanese at the university since 2017."),
    },
    {
        "key": "hlu-vietnamese",
        "owner": "hlu",
        "name": "Vietnamese for Japanese students at Ha Long University",
        "kind": ProgrammeKind.LANGUAGE_COURSE,
        "language": "vi",
        "starts_on": D(2017, 1, 1),
        "description": (
            "Japanese students come to the university to learn Vietnamese, since 2017 like the JICA volunteers "
            "(the article gives the year only). It does not say which universities send them: the demo's stays "
            "come from the Japanese partners it names, as an illustration."
        ),
        "source": ("qn-en", "Japanese students studying Vietnamese at the university since 2017."),
    },
]

# --- The call for outstanding students to study in Japan ----------------------------------------

JAPAN_CALL_TITLE = "Outstanding students to study in Japan, 2026/2027: exchanges and Japanese Government scholarships"
JAPAN_CALL: dict[str, Any] = {
    "programme": "hlu-exchange",
    "title": JAPAN_CALL_TITLE,
    "academic_year": "2026/2027",
    "places": 5,
    "opens_on": D(2026, 3, 2),
    "closes_on": D(2026, 4, 15),
    "mobility_starts_on": D(2026, 10, 1),
    "mobility_ends_on": D(2027, 8, 31),
    "gpa_scale": Decimal(4),
    "min_gpa": Decimal("3.00"),
    "min_cefr": "B1",
    "levels": StudyLevel.BACHELOR,
    "weight_gpa": Decimal(50),
    "weight_language": Decimal(20),
    "weight_interview": Decimal(30),
    "weight_other": Decimal(0),
    "description": (
        "Demo call: Ha Long University selects outstanding students to study at universities in Japan, on "
        "student exchanges or with Japanese Government scholarships. Japanese is assessed by the JLPT, recorded "
        "on the CEFR scale as N5 = A1, N4 = A2, N3 = B1, N2 = B2, N1 = C1 (an approximate correspondence). The "
        "nominees are then placed at Osaka University, Asahikawa University or Kitami Institute of Technology; "
        "the two best placed go on Japanese Government scholarships. Dates, places and applicants are "
        "illustrative."
    ),
}

JLPT_CEFR = {"N5": "A1", "N4": "A2", "N3": "B1", "N2": "B2", "N1": "C1"}

# (name, gender, GPA /4, JLPT level, interview /100, submitted on). With the call's weights
# (GPA 50, language 20, interview 30) Hoàng Văn E and Vũ Thị G both score 75.50: the higher GPA
# ranks Hoàng Văn E fifth (selected) and Vũ Thị G sixth (waiting list), although she applied
# first. Hồ Thị M (GPA below 3.00) and Ngô Văn N (JLPT N4, below B1) are not eligible.
JAPAN_APPLICANTS: list[tuple[str, str, str, str, int, datetime.date]] = [
    ("Nguyễn Văn A", M, "3.85", "N2", 88, D(2026, 3, 5)),
    ("Trần Thị B", F, "3.72", "N2", 90, D(2026, 3, 9)),
    ("Lê Văn C", M, "3.90", "N3", 82, D(2026, 3, 20)),
    ("Phạm Thị D", F, "3.55", "N1", 85, D(2026, 3, 12)),
    ("Hoàng Văn E", M, "3.60", "N3", 75, D(2026, 4, 2)),
    ("Vũ Thị G", F, "3.48", "N3", 80, D(2026, 3, 10)),
    ("Đặng Văn H", M, "3.30", "N3", 70, D(2026, 3, 25)),
    ("Bùi Thị K", F, "3.15", "N2", 72, D(2026, 4, 8)),
    ("Đỗ Văn L", M, "3.05", "N3", 65, D(2026, 4, 14)),
    ("Hồ Thị M", F, "2.80", "N2", 85, D(2026, 3, 30)),
    ("Ngô Văn N", M, "3.70", "N4", 78, D(2026, 4, 10)),
    ("Dương Thị P", F, "3.40", "N3", 77, D(2026, 3, 18)),
]
# Where the nominees go, in rank order, and which of them hold a Japanese Government scholarship.
JAPAN_HOSTS = ["osaka-u", "kitami-it", "asahikawa-u", "osaka-u", "kitami-it"]
JAPAN_SCHOLARS = 2

# --- Mobilities -------------------------------------------------------------------------------
# "home" sends, "host" receives; "commitment" is (agreement owner, reference, activity code);
# "allocation" the recipient key of an AI plan allocation.

_JICA_NAMES = [
    ("Yamada Tarō", M),
    ("Yamada Hanako", F),
    ("Yamada Jirō", M),
    ("Yamada Akiko", F),
    ("Yamada Saburō", M),
    ("Yamada Natsuko", F),
    ("Yamada Shirō", M),
    ("Yamada Fuyuko", F),
    ("Yamada Gorō", M),
]
JICA_VOLUNTEERS: list[dict[str, Any]] = [
    {
        "owner": "hlu",
        "direction": IN,
        "category": Category.VOLUNTEER,
        "full_name": name,
        "gender": gender,
        "nationality": "JP",
        "home": "jica",
        "host": "hlu",
        "programme": "hlu-jica",
        "planned_start": D(2017 + i, 9, 1),
        "planned_end": D(2018 + i, 7, 31),
        "note": f"JICA volunteer teaching Japanese, academic year {2017 + i}/{2018 + i}. {FICTITIOUS}",
    }
    for i, (name, gender) in enumerate(_JICA_NAMES)
]

JAPANESE_LEARNERS: list[dict[str, Any]] = [
    {
        "owner": "hlu",
        "direction": IN,
        "category": Category.STUDENT,
        "full_name": name,
        "gender": gender,
        "nationality": "JP",
        "home": home,
        "host": "hlu",
        "programme": "hlu-vietnamese",
        "level": StudyLevel.BACHELOR,
        "subject_area": "0231",
        "planned_start": start,
        "planned_end": end,
        "note": f"Japanese student learning Vietnamese for a semester. {FICTITIOUS}",
    }
    for name, gender, home, start, end in [
        ("Yamada Ichirō", M, "osaka-u", D(2023, 9, 4), D(2024, 1, 19)),
        ("Yamada Sakura", F, "kitami-it", D(2024, 2, 19), D(2024, 7, 12)),
        ("Yamada Kenta", M, "asahikawa-u", D(2025, 2, 17), D(2025, 7, 11)),
        ("Yamada Yumi", F, "osaka-u", D(2026, 9, 7), D(2027, 1, 22)),
    ]
]


def _qui_student(name, gender, direction, programme, activity, start, end, what, subject="") -> dict[str, Any]:
    outgoing = direction == OUT
    return {
        "owner": "qui",
        "direction": direction,
        "category": Category.STUDENT,
        "full_name": name,
        "gender": gender,
        "nationality": "VN" if outgoing else "CN",
        "home": "qui" if outgoing else "lntu",
        "host": "lntu" if outgoing else "qui",
        "programme": programme,
        "commitment": ("qui", QUI_LNTU_2025_REFERENCE, activity),
        "level": StudyLevel.BACHELOR,
        "subject_area": subject,
        "planned_start": start,
        "planned_end": end,
        "note": f"{what} {FICTITIOUS}",
    }


# QUI's students, by programme: (programme, activity code of the commitment, direction, planned
# start, planned end, what the stay is, [(name, gender, subject area)]).
_QUI_STUDENTS: list[tuple[str, str, str, datetime.date, datetime.date, str, list[tuple[str, str, str]]]] = [
    (
        "qui-2+2",
        "joint_training",
        OUT,
        D(2026, 9, 1),
        D(2028, 7, 15),
        "2+2: the two years at LNTU.",
        [("Nguyễn Văn Q", M, "0724"), ("Trần Thị R", F, "0714")],
    ),
    (
        "qui-3+1",
        "joint_training",
        OUT,
        D(2026, 9, 1),
        D(2027, 7, 15),
        "3+1: the year at LNTU.",
        [("Lê Văn S", M, "0612"), ("Phạm Thị T", F, "0613"), ("Hoàng Văn U", M, "0715")],
    ),
    (
        "qui-exchange",
        "student_exchange",
        OUT,
        D(2026, 3, 2),
        D(2026, 7, 10),
        "Exchange semester at LNTU.",
        [("Vũ Thị V", F, "0612"), ("Đặng Văn X", M, "0724")],
    ),
    (
        "qui-exchange",
        "student_exchange",
        IN,
        D(2026, 9, 7),
        D(2027, 1, 15),
        "Exchange semester at QUI.",
        [("Qian Qi", M, "0714"), ("Sun Ba", F, "0715")],
    ),
    (
        "qui-summer",
        "summer_programme",
        IN,
        D(2026, 7, 6),
        D(2026, 7, 24),
        "“Summer Experience” at QUI.",
        [("Zhang San", M, ""), ("Li Si", F, ""), ("Wang Wu", M, ""), ("Zhao Liu", F, "")],
    ),
]
QUI_STAYS: list[dict[str, Any]] = [
    _qui_student(name, gender, direction, programme, activity, start, end, what, subject)
    for programme, activity, direction, start, end, what, students in _QUI_STUDENTS
    for name, gender, subject in students
]


def _ai_trainee(owner: str, name: str, gender: str) -> dict[str, Any]:
    return {
        "owner": owner,
        "direction": OUT,
        "category": Category.TRAINEE,
        "full_name": name,
        "gender": gender,
        "nationality": "VN",
        "home": owner,
        "host": "guangxi-education",
        "commitment": ("qn-doet", GUANGXI_REFERENCE, "joint_training"),
        "allocation": owner,
        "subject_area": "0613",
        "planned_start": D(2026, 7, 6),
        "planned_end": D(2026, 7, 24),
        "funding_note": "Quota of the “100,000 AI talents for ASEAN” plan",
        "note": (
            "Artificial intelligence training in Guangxi under the province's quota, passed on to the university. "
            "The article reports the quotas, not any training held: this stay is an illustration. "
            f"{FICTITIOUS}"
        ),
    }


# (the university that received the quota and sends the trainee, name, gender)
_AI_TRAINEES = [
    ("qui", "Lý Văn A", M),
    ("qui", "Mai Thị B", F),
    ("qui", "Cao Văn C", M),
    ("hlu", "Đinh Thị D", F),
    ("hlu", "Lương Văn E", M),
]
AI_TRAINEES: list[dict[str, Any]] = [_ai_trainee(owner, name, gender) for owner, name, gender in _AI_TRAINEES]

MOBILITIES = JICA_VOLUNTEERS + JAPANESE_LEARNERS + QUI_STAYS + AI_TRAINEES
COUNTERS = ("programmes", "calls", "applications", "mobilities", "citations")


def load_demo_mobility(*, acting_user, stdout: TextIO | None, today: datetime.date | None = None) -> dict[str, int]:
    """Create whatever demo programme, call, application or mobility is missing, in one transaction.

    The call's selection is run and confirmed when it is created, which nominates the selected.
    Returns what was created; a second run creates nothing. Raises ``DemoError`` when the demo
    organisations, agreements, sources or funding are missing.
    """
    created = dict.fromkeys(COUNTERS, 0)
    with transaction.atomic():
        loader = _Loader(acting_user, created, today or timezone.localdate())
        for spec in PROGRAMMES:
            loader.programme(spec)
        loader.call(JAPAN_CALL)
        for spec in MOBILITIES:
            loader.mobility(spec)
    _report(stdout, created)
    return created


def japan_call() -> Call | None:
    """The demo call for outstanding students to study in Japan, if loaded."""
    return Call.objects.filter(title=JAPAN_CALL_TITLE, owner=_Organizations()["hlu"]).first()


class _Loader:
    def __init__(self, user, created: dict[str, int], today: datetime.date) -> None:
        self.user = user
        self.created = created
        self.today = today
        self.orgs = _Organizations()
        self.programmes: dict[str, Programme] = {}

    # --- links ---------------------------------------------------------------------------

    def agreement(self, owner_key: str, reference: str) -> Agreement:
        agreement = Agreement.objects.filter(owner=self.orgs[owner_key], reference=reference).first()
        if agreement is None:
            raise DemoError(
                _("The demo agreement “%(reference)s” is missing; load the demo agreements first.")
                % {"reference": reference}
            )
        return agreement

    def commitment(self, agreement: Agreement, code: str) -> Commitment:
        commitment = (
            Commitment.objects.filter(agreement=agreement, activity_type__code=code).order_by("position", "pk").first()
        )
        if commitment is None:
            raise DemoError(
                _("The demo agreement “%(reference)s” has no “%(code)s” commitment.")
                % {"reference": agreement.reference, "code": code}
            )
        return commitment

    # --- programmes ----------------------------------------------------------------------

    def programme(self, spec: dict[str, Any]) -> Programme:
        owner = self.orgs[spec["owner"]]
        programme = Programme.objects.filter(owner=owner, name=spec["name"]).first()
        if programme is None:
            data = {
                field: spec.get(field)
                for field in (
                    "name",
                    "kind",
                    "years_home",
                    "years_abroad",
                    "degree_note",
                    "level",
                    "subject_areas",
                    "language",
                    "starts_on",
                    "description",
                )
            }
            data.update(owner=owner, degree=DegreeAward.NONE)
            data["funder"] = self.orgs[spec["funder"]] if spec.get("funder") else None
            agreements = commitments = None
            if spec.get("agreement"):
                agreement = self.agreement(*spec["agreement"])
                agreements = [agreement]
                commitments = [self.commitment(agreement, code) for code in spec.get("commitments", [])]
            programme = services.programme_create(
                acting_user=self.user,
                data=data,
                partners=[self.orgs[key] for key in spec.get("partners", [])],
                agreements=agreements,
                commitments=commitments,
            )
            self.created["programmes"] += 1
        source_key, note = spec["source"]
        if cite_once(self.user, programme, demo_source(source_key), note):
            self.created["citations"] += 1
        self.programmes[spec["key"]] = programme
        return programme

    # --- the call and its selection ------------------------------------------------------

    def call(self, spec: dict[str, Any]) -> Call:
        programme = self.programmes[spec["programme"]]
        call = Call.objects.filter(owner=programme.owner, title=spec["title"]).first()
        if call is None:
            data = {key: value for key, value in spec.items() if key != "programme"}
            call = services.call_create(acting_user=self.user, data={**data, "programme": programme})
            self.created["calls"] += 1
        if call.status == CallStatus.CONFIRMED:
            return call
        for number, (name, gender, gpa, jlpt, interview, submitted_on) in enumerate(JAPAN_APPLICANTS, start=1):
            student_number = f"DEMO-HLU-{number:03d}"
            if Application.objects.filter(call=call, student_number=student_number).exists():
                continue
            services.application_create(
                acting_user=self.user,
                call=call,
                data={
                    "full_name": name,
                    "email": f"demo.applicant{number:02d}@example.org",
                    "student_number": student_number,
                    "gender": gender,
                    "fictitious": True,
                    "level": StudyLevel.BACHELOR,
                    "subject_area": "0231",
                    "gpa": Decimal(gpa),
                    "language_certificate": f"JLPT {jlpt}",
                    "language_level": JLPT_CEFR[jlpt],
                    "interview_score": Decimal(interview),
                    "submitted_on": submitted_on,
                    "note": "Fictitious applicant (demo data); grades and scores are illustrative.",
                },
            )
            self.created["applications"] += 1
        services.selection_run(call=call, acting_user=self.user)
        nominated = services.selection_confirm(call=call, acting_user=self.user)
        scholarship = self.programmes["hlu-scholarship"]
        for rank, mobility in enumerate(nominated):
            data: dict[str, Any] = {"host_organization": self.orgs[JAPAN_HOSTS[rank % len(JAPAN_HOSTS)]]}
            if rank < JAPAN_SCHOLARS:
                data.update(programme=scholarship, funding_note="Japanese Government scholarship")
            services.mobility_update(mobility=mobility, acting_user=self.user, data=data)
        self.created["mobilities"] += len(nominated)
        call.refresh_from_db()
        return call

    # --- mobilities ----------------------------------------------------------------------

    def mobility(self, spec: dict[str, Any]) -> Mobility | None:
        owner = self.orgs[spec["owner"]]
        if Mobility.objects.filter(
            owner=owner, full_name=spec["full_name"], planned_start=spec["planned_start"]
        ).exists():
            return None
        data: dict[str, Any] = {
            field: spec.get(field, "")
            for field in ("direction", "category", "full_name", "gender", "nationality", "level", "subject_area")
        }
        data.update(
            owner=owner,
            fictitious=True,
            home_organization=self.orgs[spec["home"]],
            host_organization=self.orgs[spec["host"]],
            planned_start=spec["planned_start"],
            planned_end=spec["planned_end"],
            funding_note=spec.get("funding_note", ""),
            note=spec["note"],
        )
        if spec.get("programme"):
            data["programme"] = self.programmes[spec["programme"]]
        if spec.get("commitment"):
            owner_key, reference, code = spec["commitment"]
            agreement = self.agreement(owner_key, reference)
            data.update(agreement=agreement, commitment=self.commitment(agreement, code))
        if spec.get("allocation"):
            data["allocation"] = ai_allocation(spec["allocation"])
        mobility = services.mobility_create(acting_user=self.user, data=data)
        self.created["mobilities"] += 1
        return self._advance(mobility)

    def _advance(self, mobility: Mobility) -> Mobility:
        """Bring the stay's status in line with its dates as of ``today``."""
        if mobility.planned_start > self.today:
            return services.mobility_confirm(mobility=mobility, acting_user=self.user)
        mobility = services.mobility_start(mobility=mobility, acting_user=self.user)
        if mobility.planned_end < self.today:
            mobility = services.mobility_complete(mobility=mobility, acting_user=self.user)
        return mobility


def _report(stdout: TextIO | None, created: dict[str, int]) -> None:
    if stdout is None:
        return
    if not any(created.values()):
        stdout.write(_("The demo programmes, call and mobilities are already loaded; nothing was changed.") + "\n")
        return
    stdout.write(
        _(
            "Loaded the demo mobility: %(programmes)s programmes, %(calls)s calls, %(applications)s applications, "
            "%(mobilities)s mobilities and %(citations)s citations created."
        )
        % created
        + "\n"
    )
