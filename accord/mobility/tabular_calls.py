"""The programme, call and application tables: exports of the lists, and the import of
applications the way offices keep them (one row per applicant), with preview and row numbers.

An export of a call's applications has the import's columns (and a few that the import
ignores), so a table exported, corrected and uploaded again goes back in.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from accord.agreements.choices import CefrLevel
from accord.core.tabular import check_header
from accord.core.text import fold
from accord.mobility import services
from accord.mobility.models import Application, ApplicationStatus, Call, Gender, StudyLevel
from accord.mobility.selectors import may_see_personal
from accord.partners.models import Organization

PROGRAMME_COLUMNS = [
    "id",
    "name",
    "kind",
    "structure",
    "degree",
    "level",
    "subject_areas",
    "language",
    "starts_on",
    "ends_on",
    "owner",
    "funder",
    "partners",
    "agreements",
    "calls",
]

CALL_COLUMNS = [
    "id",
    "title",
    "programme",
    "academic_year",
    "status",
    "places",
    "opens_on",
    "closes_on",
    "host",
    "applications",
    "selected",
    "gpa_scale",
    "min_gpa",
    "min_cefr",
    "subject_areas",
    "levels",
    "weight_gpa",
    "weight_language",
    "weight_interview",
    "weight_other",
    "owner",
]

APPLICATION_IMPORT_COLUMNS = [
    "full_name",
    "email",
    "student_number",
    "date_of_birth",
    "gender",
    "home_unit",
    "level",
    "subject_area",
    "gpa",
    "language_certificate",
    "language_level",
    "interview_score",
    "other_score",
    "submitted_on",
    "note",
]
APPLICATION_REQUIRED = ["full_name", "submitted_on"]
# Columns of the export that an import accepts and ignores (they are the selection's output).
APPLICATION_IGNORED = ["id", "status", "score", "rank"]
APPLICATION_EXPORT_COLUMNS = ["id", *APPLICATION_IMPORT_COLUMNS, "status", "score", "rank"]
PERSONAL_COLUMNS = frozenset({"full_name", "email", "student_number", "date_of_birth", "gender"})


# --- exports -------------------------------------------------------------------------------------


def programme_rows(queryset):
    queryset = queryset.prefetch_related("partners").annotate(
        agreement_count=Count("agreements", distinct=True), call_count=Count("calls", distinct=True)
    )
    for p in queryset:
        yield [
            p.pk,
            p.name,
            p.kind,
            p.structure,
            p.degree,
            p.level,
            p.subject_areas,
            p.language,
            p.starts_on,
            p.ends_on,
            p.owner.name,
            p.funder.name if p.funder_id else "",
            "; ".join(o.name for o in p.partners.all()),
            p.agreement_count,
            p.call_count,
        ]


def selected_count():
    return Count(
        "applications",
        filter=Q(applications__status__in=[ApplicationStatus.SELECTED, ApplicationStatus.NOMINATED]),
        distinct=True,
    )


def call_rows(queryset):
    for c in queryset.annotate(selected_count=selected_count()):
        yield [
            c.pk,
            c.title,
            c.programme.name,
            c.academic_year,
            c.status,
            c.places,
            c.opens_on,
            c.closes_on,
            c.host.name if c.host_id else "",
            c.application_count,
            c.selected_count,
            c.gpa_scale,
            c.min_gpa,
            c.min_cefr,
            c.subject_areas,
            c.levels,
            c.weight_gpa,
            c.weight_language,
            c.weight_interview,
            c.weight_other,
            c.owner.name,
        ]


def application_rows(user, call: Call, queryset):
    """The call's applications; the personal columns are blank for who may not see people's names."""
    personal = may_see_personal(user, call.owner_id)
    for a in queryset:
        values = {
            "id": a.pk,
            "full_name": a.full_name,
            "email": a.email,
            "student_number": a.student_number,
            "date_of_birth": a.date_of_birth,
            "gender": a.gender,
            "home_unit": a.home_unit.name if a.home_unit_id else "",
            "level": a.level,
            "subject_area": a.subject_area,
            "gpa": a.gpa,
            "language_certificate": a.language_certificate,
            "language_level": a.language_level,
            "interview_score": a.interview_score,
            "other_score": a.other_score,
            "submitted_on": a.submitted_on,
            "note": a.note,
            "status": a.status,
            "score": a.score,
            "rank": a.rank,
        }
        if not personal:
            for column in PERSONAL_COLUMNS:
                values[column] = ""
        yield [values[column] for column in APPLICATION_EXPORT_COLUMNS]


# --- reading cells -------------------------------------------------------------------------------

_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any, column: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        pass
    match = _DAY_FIRST.match(text)
    if match:
        try:
            return datetime.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        except ValueError:
            pass
    raise ValidationError(
        {column: _("“%(value)s” is not a date; write it as 2025-03-31 or 31/03/2025.") % {"value": text}}
    )


def _number(value: Any, column: str) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValidationError({column: _("“%(value)s” is not a number.") % {"value": value}})
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    text = _text(value).replace(" ", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValidationError({column: _("“%(value)s” is not a number.") % {"value": _text(value)}})
    return number


# How offices write a gender or a level, in English or Vietnamese, folded.
_GENDER_WORDS = {
    Gender.FEMALE: {"f", "female", "woman", "nu"},
    Gender.MALE: {"m", "male", "man", "nam"},
    Gender.OTHER: {"x", "other", "khac"},
}
_LEVEL_WORDS = {
    StudyLevel.SECONDARY: {"secondary", "secondary school", "thpt", "trung hoc"},
    StudyLevel.BACHELOR: {"bachelor", "undergraduate", "dai hoc", "cu nhan"},
    StudyLevel.MASTER: {"master", "thac si", "cao hoc"},
    StudyLevel.DOCTORATE: {"doctorate", "phd", "tien si", "nghien cuu sinh"},
    StudyLevel.STAFF: {"staff", "can bo"},
}


def _choice(value: Any, column: str, choices, words: dict) -> str:
    text = fold(_text(value))
    if not text:
        return ""
    for code, label in choices:
        if text in {fold(code), fold(str(label))} or text in words.get(code, ()):
            return code
    raise ValidationError(
        {
            column: _("“%(value)s” is not understood; use one of %(codes)s.")
            % {"value": _text(value), "codes": ", ".join(code for code, _label in choices)}
        }
    )


def _cefr(value: Any) -> str:
    text = _text(value).upper()
    if text and text not in CefrLevel.values:
        raise ValidationError(
            {
                "language_level": _("“%(value)s” is not a CEFR level (%(levels)s).")
                % {"value": _text(value), "levels": ", ".join(CefrLevel.values)}
            }
        )
    return text


def application_importer(user, call: Call):
    """A function importing one row through the same service as the form."""
    seen: dict[str, int] = {}
    units: dict[str, Organization] = {}
    personal = may_see_personal(user, call.owner_id)

    def home_unit(name: str) -> Organization | None:
        if not name:
            return None
        key = fold(name)
        if key not in units:
            candidates = Organization.objects.restrict(user).filter(
                search_text__startswith=key, merged_into__isnull=True
            )
            matches = [o for o in candidates.only("name", "search_text")[:20] if fold(o.name) == key]
            if not matches:
                raise ValidationError(
                    {"home_unit": _("No organisation called “%(name)s” is in the directory.") % {"name": name}}
                )
            if len(matches) > 1:
                raise ValidationError({"home_unit": _("Several organisations are called “%(name)s”.") % {"name": name}})
            units[key] = matches[0]
        return units[key]

    def import_row(record: dict[str, Any], number: int) -> str:
        cells = {key: value for key, value in record.items() if key in APPLICATION_IMPORT_COLUMNS}
        data = {
            "full_name": _text(cells.get("full_name")),
            "email": _text(cells.get("email")),
            "student_number": _text(cells.get("student_number")),
            "date_of_birth": _date(cells.get("date_of_birth"), "date_of_birth"),
            "gender": _choice(cells.get("gender"), "gender", Gender.choices, _GENDER_WORDS),
            "home_unit": home_unit(_text(cells.get("home_unit"))),
            "level": _choice(cells.get("level"), "level", StudyLevel.choices, _LEVEL_WORDS),
            "subject_area": _text(cells.get("subject_area")),
            "gpa": _number(cells.get("gpa"), "gpa"),
            "language_certificate": _text(cells.get("language_certificate")),
            "language_level": _cefr(cells.get("language_level")),
            "interview_score": _number(cells.get("interview_score"), "interview_score"),
            "other_score": _number(cells.get("other_score"), "other_score"),
            "submitted_on": _date(cells.get("submitted_on"), "submitted_on"),
            "note": _text(cells.get("note")),
        }
        if not data["full_name"]:
            raise ValidationError({"full_name": _("Give the applicant's name.")})
        if data["submitted_on"] is None:
            raise ValidationError({"submitted_on": _("Give the day the application was submitted.")})
        key = Application.key_for(data["student_number"], data["email"], data["full_name"], data["date_of_birth"])
        if key in seen:
            raise ValidationError(
                _("The same applicant (student number, e-mail or name) is already in row %(row)s.") % {"row": seen[key]}
            )
        seen[key] = number
        application = services.application_create(acting_user=user, call=call, data=data)
        return application.full_name if personal else _("Applicant in row %(row)s") % {"row": number}

    import_row.check_header = lambda header: check_header(
        header, APPLICATION_REQUIRED, APPLICATION_IMPORT_COLUMNS + APPLICATION_IGNORED
    )
    return import_row
