"""Erasmus Without Paper (EWP): outgoing student mobilities as an Outgoing Mobilities v2 get-response.

Only outgoing student mobilities are described (the API has no other kind). What is written,
and where it comes from:

- ``omobility-id``: the mobility's number here, which never changes.
- ``sending-hei`` / ``receiving-hei``: the SCHAC identifiers of the sending and host
  organisations; the agreement's number as the sending side's ``iia-id`` (as in the IIA export).
- the academic term: the whole academic year (``2025/2026-1/1``) when the planned stay lies in
  one academic year, else a "non-standard mobility period"; ``receiving-academic-year-id`` is
  the mobility's academic year.
- the student: given names and family name split from the full name (see :func:`split_name`),
  a European Student Identifier built from the sending institution's SCHAC code and the student
  number, then birth date, citizenship, gender and e-mail when known.
- the status: nominated → ``nomination``; confirmed and ongoing → ``live``; completed →
  ``recognized``; cancelled → ``cancelled`` (the four values of the v2 schema).
- ``student-studies``; ``short-term-doctoral`` for a doctoral stay of at most 30 days, else
  ``long-term`` (nothing here records a compulsory virtual part, so never ``short-term-blended``).
- planned arrival and departure: the planned dates; the EQF level from the level of study
  (bachelor 6, master 7, doctorate 8); the ISCED-F code; for a student nominated through a call,
  the language of the programme with the CEFR level given in the application.

A mobility lacking what EWP requires (a SCHAC code on either side, a student number, a name that
can be split) is refused with a message naming it and what is missing; a document is built only
when every mobility asked for can be written, and it is checked against the EWP schema before
anyone gets it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accord.agreements import ewp
from accord.agreements.selectors import academic_year_of
from accord.mobility.models import Category, Direction, Gender, Mobility, MobilityStatus, StudyLevel
from accord.partners.languages import ROMANISED

OMOBILITIES_NS = ewp.GITHUB + "ewp-specs-api-omobilities/blob/stable-v2/endpoints/get-response.xsd"
SCHEMA = "omobilities"

STATUS = {
    MobilityStatus.NOMINATED: "nomination",
    MobilityStatus.CONFIRMED: "live",
    MobilityStatus.ONGOING: "live",
    MobilityStatus.COMPLETED: "recognized",
    MobilityStatus.CANCELLED: "cancelled",
}
EQF = {StudyLevel.BACHELOR: 6, StudyLevel.MASTER: 7, StudyLevel.DOCTORATE: 8}
# ISO/IEC 5218; "other / not stated" is left out rather than guessed.
GENDER = {Gender.MALE: "1", Gender.FEMALE: "2"}
SHORT_DOCTORAL_DAYS = 30
# Where the family name is written first: "Nguyễn Văn An" is Nguyễn (family) Văn An (given).
FAMILY_FIRST = frozenset({"VN", "CN", "TW", "HK", "MO", "JP", "KR", "KP", "HU", "KH"})


class Unavailable(ewp.EwpError):
    """The EWP schemas are not installed, so no document can be checked (and none is served)."""


class NotValid(ewp.EwpError):
    """The document built does not follow the EWP schema; it is not served."""


def is_exportable(mobility: Mobility) -> bool:
    """Whether EWP Outgoing Mobilities describes this kind of stay at all."""
    return mobility.direction == Direction.OUTGOING and mobility.category == Category.STUDENT


def outgoing_students(queryset: QuerySet[Mobility]) -> QuerySet[Mobility]:
    return queryset.filter(direction=Direction.OUTGOING, category=Category.STUDENT)


def export_queryset(queryset: QuerySet[Mobility] | None = None) -> QuerySet[Mobility]:
    """Mobilities with what the document needs, in a fixed number of queries whatever their number."""
    queryset = Mobility.objects.all() if queryset is None else queryset
    return queryset.select_related(
        "home_organization", "host_organization", "programme", "application"
    ).prefetch_related("home_organization__identifiers", "host_organization__identifiers")


def label(mobility: Mobility) -> str:
    """How messages name a mobility (only people who may see the name get these messages)."""
    return _("Mobility %(number)s (%(name)s)") % {"number": mobility.pk, "name": mobility.full_name.strip()}


def split_name(full_name: str, country: str) -> tuple[str, str] | None:
    """(given names, family name) of a full name, or ``None`` when it cannot be told apart.

    "Family, Given" is taken as written. Otherwise the family name is the first word for people
    of countries writing it first (Viet Nam, China, Japan, Korea, Hungary…) and the last word
    for the others; ``country`` is the nationality, or failing it the sending institution's country.
    """
    text = " ".join((full_name or "").split())
    if "," in text:
        family, _sep, given = (part.strip() for part in text.partition(","))
        return (given, family) if given and family else None
    words = text.split(" ")
    if len(words) < 2 or not country:
        return None
    if country.upper() in FAMILY_FIRST:
        return " ".join(words[1:]), words[0]
    return " ".join(words[:-1]), words[-1]


def _country(mobility: Mobility) -> str:
    return mobility.nationality or mobility.home_organization.country or ""


def problems(mobility: Mobility) -> list[str]:
    """What keeps ``mobility`` out of an EWP document, each message naming it; empty when it can go."""
    name = label(mobility)
    if not is_exportable(mobility):
        return [
            _("%(mobility)s is %(direction)s (%(category)s); EWP Outgoing Mobilities describes outgoing students only.")
            % {
                "mobility": name,
                "direction": mobility.get_direction_display().lower(),
                "category": mobility.get_category_display().lower(),
            }
        ]
    errors = []
    sides = ((mobility.home_organization, _("sending")), (mobility.host_organization, _("receiving")))
    for organization, side in sides:
        if not ewp.schac_of(organization):
            errors.append(
                _(
                    "%(mobility)s: %(organisation)s, the %(side)s institution, has no SCHAC identifier "
                    "(its EWP hei-id); add one to the organisation."
                )
                % {"mobility": name, "organisation": organization.name, "side": side}
            )
    if not errors and ewp.schac_of(mobility.home_organization) == ewp.schac_of(mobility.host_organization):
        errors.append(
            _("%(mobility)s: the sending and receiving institutions have the same SCHAC identifier %(schac)s.")
            % {"mobility": name, "schac": ewp.schac_of(mobility.home_organization)}
        )
    if split_name(mobility.full_name, _country(mobility)) is None:
        if len(mobility.full_name.replace(",", " ").split()) < 2:
            reason = _(
                "%(mobility)s: the name is a single word, and EWP needs the given names and the family name "
                "apart; write it as “Family name, Given names”."
            )
        else:
            reason = _(
                "%(mobility)s: the given names cannot be told from the family name; record the nationality, "
                "or write the name as “Family name, Given names”."
            )
        errors.append(reason % {"mobility": name})
    if not mobility.student_number.strip():
        errors.append(
            _("%(mobility)s has no student number, which EWP needs for the student's global identifier.")
            % {"mobility": name}
        )
    return errors


def _term(mobility: Mobility) -> str | None:
    """The academic year as an EWP term when the planned stay lies within it, else None."""
    year = mobility.academic_year
    if academic_year_of(mobility.planned_start) == year == academic_year_of(mobility.planned_end):
        return f"{year}-1/1"
    return None


def _attributes(mobility: Mobility) -> str:
    days = (mobility.planned_end - mobility.planned_start).days + 1
    if mobility.level == StudyLevel.DOCTORATE and days <= SHORT_DOCTORAL_DAYS:
        return "short-term-doctoral"
    return "long-term"


def _student(parent, ns: str, mobility: Mobility, sending: str) -> None:
    given, family = split_name(mobility.full_name, _country(mobility))
    student = ewp._add(parent, f"{ns}student")
    ewp._add(student, f"{ns}given-names", given)
    ewp._add(student, f"{ns}family-name", family)
    esi = f"urn:schac:personalUniqueCode:int:esi:{sending}:{mobility.student_number.strip()}"
    ewp._add(student, f"{ns}global-id", esi)
    if mobility.date_of_birth:
        ewp._add(student, f"{ns}birth-date", mobility.date_of_birth.isoformat())
    if mobility.nationality:
        ewp._add(student, f"{ns}citizenship", mobility.nationality.upper())
    if mobility.gender in GENDER:
        ewp._add(student, f"{ns}gender", GENDER[mobility.gender])
    if mobility.email and ewp.EWP_EMAIL.match(mobility.email):
        ewp._add(student, f"{ns}email", mobility.email)


def _mobility_element(root, mobility: Mobility) -> None:
    ns = f"{{{OMOBILITIES_NS}}}"
    sending, receiving = ewp.schac_of(mobility.home_organization), ewp.schac_of(mobility.host_organization)
    element = ewp._add(root, f"{ns}student-mobility")
    ewp._add(element, f"{ns}omobility-id", mobility.pk)
    hei = ewp._add(element, f"{ns}sending-hei")
    ewp._add(hei, f"{ns}hei-id", sending)
    if mobility.agreement_id:
        ewp._add(hei, f"{ns}iia-id", mobility.agreement_id)
    hei = ewp._add(element, f"{ns}receiving-hei")
    ewp._add(hei, f"{ns}hei-id", receiving)
    term = _term(mobility)
    if term:
        ewp._add(element, f"{ns}sending-academic-term-ewp-id", term)
    else:
        ewp._add(element, f"{ns}non-standard-mobility-period")
    ewp._add(element, f"{ns}receiving-academic-year-id", mobility.academic_year)
    _student(element, ns, mobility, sending)
    ewp._add(element, f"{ns}status", STATUS[mobility.status])
    ewp._add(element, f"{ns}activity-type", "student-studies")
    ewp._add(element, f"{ns}activity-attributes", _attributes(mobility))
    ewp._add(element, f"{ns}planned-arrival-date", mobility.planned_start.isoformat())
    ewp._add(element, f"{ns}planned-departure-date", mobility.planned_end.isoformat())
    if mobility.level in EQF:
        ewp._add(element, f"{ns}eqf-level-studied-at-nomination", EQF[mobility.level])
    if mobility.subject_area:
        ewp._add(element, f"{ns}nominee-isced-f-code", mobility.subject_area)
    # The level the application gave, in the programme's language: only a skill the call assessed.
    language = mobility.programme.language if mobility.programme_id else ""
    level = mobility.application.language_level if mobility.application_id else ""
    if language and language != ROMANISED and level:
        skill = ewp._add(element, f"{ns}nominee-language-skill")
        ewp._add(skill, f"{ns}language", language)
        ewp._add(skill, f"{ns}cefr-level", level)


def omobilities_document(mobilities: Iterable[Mobility]) -> bytes:
    """The Outgoing Mobilities v2 get-response for ``mobilities`` (loaded through :func:`export_queryset`).

    Raises :class:`~accord.agreements.ewp.EwpError` listing every mobility that cannot be
    written and why (nothing is produced then), :class:`Unavailable` when the schemas are not
    installed and :class:`NotValid` when the document does not pass the schema.
    """
    mobilities = list(mobilities)
    errors = [message for mobility in mobilities for message in problems(mobility)]
    if errors:
        raise ewp.EwpError(errors)
    try:
        ewp.schema(SCHEMA)
    except ewp.EwpError as exc:
        raise Unavailable(exc.messages) from exc
    root = ewp._root(OMOBILITIES_NS, "omobilities-get-response", SCHEMA, {})
    for mobility in mobilities:
        _mobility_element(root, mobility)
    invalid = ewp.validate(root, SCHEMA)
    if invalid:
        raise NotValid(invalid)
    return ewp._serialize(root)
