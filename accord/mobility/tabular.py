"""The mobility table: export of a filtered list, import with preview, the exchange balance as a table.

The export and the import share their columns, so an exported file, edited, imports again (the
columns only the export has are accepted and ignored). Offices keep these lists in Vietnamese,
French or English: headers and the values of direction, category, gender and level are read in
any of the three. Organisations, programmes and agreements are named, and found among the
records the importing user may see, ignoring case and accents.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accord.agreements.models import Agreement
from accord.core.tabular import TableError, check_header
from accord.core.tenancy import VIEW
from accord.core.text import fold
from accord.engagements.forms import home_organizations
from accord.mobility import selectors, services
from accord.mobility.models import Category, Direction, Gender, Programme, StudyLevel
from accord.partners.models import Organization

IMPORT_COLUMNS = [
    "direction",
    "category",
    "full_name",
    "email",
    "student_number",
    "date_of_birth",
    "gender",
    "nationality",
    "fictitious",
    "home_organization",
    "host_organization",
    "programme",
    "agreement",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "level",
    "subject_area",
    "funding_amount",
    "funding_note",
    "note",
    "owner",
]
IMPORT_REQUIRED = ["direction", "category", "full_name", "planned_start", "planned_end"]
# Columns of the export that an import accepts and ignores.
EXPORT_ONLY = ["id", "status", "academic_year", "months", "partner", "cancellation_reason"]
EXPORT_COLUMNS = ["id", *IMPORT_COLUMNS, "status", "academic_year", "months", "partner", "cancellation_reason"]
PERSONAL_COLUMNS = {"full_name", "email", "student_number", "date_of_birth", "gender", "nationality"}

# Header synonyms, folded (lower case, no accents): Vietnamese, French, English.
HEADER_SYNONYMS = {
    "direction": ["huong", "chieu", "di den", "loai hinh", "sens", "mobilite"],
    "category": ["doi tuong", "loai", "categorie", "type", "role"],
    "full_name": ["ho va ten", "ho ten", "ten", "nom", "nom complet", "nom et prenom", "name", "participant"],
    "email": ["e mail", "thu dien tu", "courriel", "mail", "adresse electronique"],
    "student_number": ["ma sinh vien", "ma sv", "mssv", "so hieu", "numero etudiant", "numero d etudiant", "matricule"],
    "date_of_birth": ["ngay sinh", "date de naissance", "birth date", "born", "dob"],
    "gender": ["gioi tinh", "sexe", "genre", "sex"],
    "nationality": ["quoc tich", "nationalite", "country of citizenship"],
    "fictitious": ["fictif", "demo", "gia dinh"],
    "home_organization": [
        "don vi cu",
        "truong cu",
        "co quan cu",
        "noi cu",
        "etablissement d origine",
        "sending organisation",
        "sending organization",
        "home institution",
        "sending institution",
    ],
    "host_organization": [
        "don vi tiep nhan",
        "truong tiep nhan",
        "noi den",
        "co quan tiep nhan",
        "etablissement d accueil",
        "host organisation",
        "host institution",
        "receiving institution",
    ],
    "programme": ["chuong trinh", "program", "programme de mobilite"],
    "agreement": ["thoa thuan", "hiep dinh", "accord", "convention", "agreement reference"],
    "planned_start": ["ngay di du kien", "bat dau du kien", "debut prevu", "date de debut prevue", "start"],
    "planned_end": ["ngay ve du kien", "ket thuc du kien", "fin prevue", "date de fin prevue", "end"],
    "actual_start": ["ngay di thuc te", "bat dau thuc te", "debut effectif", "date de debut effective"],
    "actual_end": ["ngay ve thuc te", "ket thuc thuc te", "fin effective", "date de fin effective"],
    "level": ["trinh do", "bac hoc", "niveau", "niveau d etudes", "level of study"],
    "subject_area": ["nganh", "linh vuc", "ma nganh", "domaine", "isced", "field"],
    "funding_amount": ["so tien", "kinh phi so tien", "montant", "amount"],
    "funding_note": ["kinh phi", "nguon kinh phi", "financement", "funding"],
    "note": ["ghi chu", "remarque", "remarques", "notes", "commentaire"],
    "owner": ["don vi quan ly", "gere par", "kept by"],
}
_HEADERS = {fold(name): name for name in [*IMPORT_COLUMNS, *EXPORT_ONLY]}
for _canonical, _names in HEADER_SYNONYMS.items():
    for _name in _names:
        _HEADERS.setdefault(fold(_name), _canonical)

VALUE_SYNONYMS = {
    "direction": {
        Direction.OUTGOING: ["outgoing", "out", "di", "cu di", "gui di", "sortant", "sortante", "depart"],
        Direction.INCOMING: ["incoming", "in", "den", "tiep nhan", "entrant", "entrante", "accueil", "arrivee"],
    },
    "category": {
        Category.STUDENT: ["student", "sinh vien", "hoc sinh", "etudiant", "etudiante", "eleve"],
        Category.LECTURER: ["lecturer", "giang vien", "giao vien", "enseignant", "enseignante", "teacher"],
        Category.STAFF: ["staff", "can bo", "nhan vien", "personnel", "administratif"],
        Category.VOLUNTEER: ["volunteer", "tinh nguyen vien", "benevole", "volontaire"],
        Category.EXPERT: ["expert", "chuyen gia", "experte"],
        Category.TRAINEE: ["trainee", "hoc vien", "thuc tap sinh", "stagiaire"],
    },
    "gender": {
        Gender.FEMALE: ["f", "female", "nu", "femme", "feminin", "w", "woman"],
        Gender.MALE: ["m", "male", "nam", "homme", "masculin", "h", "man"],
        Gender.OTHER: ["x", "other", "khac", "autre", "not stated"],
    },
    "level": {
        StudyLevel.SECONDARY: ["secondary", "trung hoc", "thpt", "secondaire", "lycee"],
        StudyLevel.BACHELOR: ["bachelor", "dai hoc", "cu nhan", "licence", "undergraduate"],
        StudyLevel.MASTER: ["master", "thac si", "cao hoc"],
        StudyLevel.DOCTORATE: ["doctorate", "tien si", "nghien cuu sinh", "doctorat", "phd"],
        StudyLevel.STAFF: ["staff", "can bo", "personnel"],
    },
}
_YES = {"yes", "y", "true", "1", "x", "co", "oui", "vrai"}
_NO = {"", "no", "n", "false", "0", "khong", "non", "faux"}
_DAY_FIRST = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")


def canonical_header(header: list[str]) -> list[str]:
    """The header with every known synonym replaced by its column name; unknown names stay as given."""
    return [_HEADERS.get(fold(h), h) if h else h for h in header]


# --- export ---------------------------------------------------------------------------------------


def _cell_date(value):
    return value if value else None


EXPORT_FIELDS = (
    "pk", "direction", "category", "full_name", "email", "student_number", "date_of_birth", "gender",
    "nationality", "fictitious", "home_organization__name", "host_organization__name", "programme__name",
    "agreement__reference", "agreement__title", "planned_start", "planned_end", "actual_start", "actual_end",
    "level", "subject_area", "funding_amount", "funding_note", "note", "owner__name", "status", "academic_year",
    "months", "partner__name", "cancellation_reason", "owner_id",
)  # fmt: skip


def mobility_rows(queryset, user):
    """One row per mobility in ``EXPORT_COLUMNS``; personal cells blank where the user may not see them.

    Read as plain tuples (no model instances): the export of 100,000 rows spends its time writing
    cells, not building objects.
    """
    personal_owners = selectors.personal_owner_ids(user)
    everyone = getattr(user, "is_superuser", False)
    for (
        pk, direction, category, full_name, email, student_number, date_of_birth, gender, nationality, fictitious,
        home, host, programme, reference, agreement, planned_start, planned_end, actual_start, actual_end, level,
        subject_area, funding_amount, funding_note, note, owner, status, academic_year, months, partner,
        cancellation_reason, owner_id,
    ) in queryset.values_list(*EXPORT_FIELDS).iterator(chunk_size=2000):  # fmt: skip
        personal = everyone or owner_id in personal_owners
        yield [
            pk,
            direction,
            category,
            full_name if personal else "",
            email if personal else "",
            student_number if personal else "",
            _cell_date(date_of_birth) if personal else None,
            gender if personal else "",
            nationality if personal else "",
            "yes" if fictitious else "",
            home,
            host,
            programme or "",
            (reference or agreement or ""),
            planned_start,
            planned_end,
            _cell_date(actual_start),
            _cell_date(actual_end),
            level,
            subject_area,
            funding_amount,
            funding_note,
            note,
            owner,
            status,
            academic_year,
            months,
            partner,
            cancellation_reason,
        ]


BALANCE_COLUMNS = [
    "id",
    "name",
    "academic_year",
    "incoming_people",
    "outgoing_people",
    "people_balance",
    "incoming_months",
    "outgoing_months",
    "months_balance",
]


def balance_rows(balance):
    """The balance's rows then its total, with numbers as numbers."""
    for row in [*balance.rows, balance.totals]:
        yield [
            row.key or None,
            row.label,
            row.year or None,
            row.incoming_people,
            row.outgoing_people,
            row.people_balance,
            row.incoming_months,
            row.outgoing_months,
            row.months_balance,
        ]


# --- import ---------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _error(column: str, message: str) -> ValidationError:
    return ValidationError({column: [message]})


def _choice(column: str, value: Any, required: bool = False) -> str:
    text = _text(value)
    if not text:
        if required:
            raise _error(column, _("This column cannot be empty."))
        return ""
    folded = fold(text)
    for code, names in VALUE_SYNONYMS[column].items():
        if folded == fold(code) or folded in {fold(n) for n in names}:
            return code
    choices = {"direction": Direction, "category": Category, "gender": Gender, "level": StudyLevel}[column]
    for code, label in choices.choices:
        if folded == fold(str(label)):
            return code
    raise _error(
        column,
        _("“%(value)s” is not understood; write one of %(choices)s.")
        % {"value": text, "choices": ", ".join(choices.values)},
    )


def _date(column: str, value: Any, required: bool = False) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    if not text:
        if required:
            raise _error(column, _("Give the date."))
        return None
    try:
        match = _ISO.match(text)
        if match:
            return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        match = _DAY_FIRST.match(text)
        if match:
            return datetime.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        pass
    raise _error(
        column,
        _("“%(value)s” is not a date; write it as 2025-09-01 or 01/09/2025 (day first).") % {"value": text},
    )


def _boolean(column: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = fold(_text(value))
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise _error(column, _("Write yes or no, not “%(value)s”.") % {"value": _text(value)})


def _amount(column: str, value: Any) -> Decimal | None:
    if value is None or _text(value) == "":
        return None
    text = _text(value).replace(" ", "").replace("\u00a0", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise _error(column, _("“%(value)s” is not an amount.") % {"value": _text(value)}) from None


def _subject_area(value: Any) -> str:
    text = _text(value)
    # A spreadsheet reads 0613 as the number 613: the leading zero of an ISCED-F code comes back.
    if isinstance(value, (int, float)) and len(text) in (1, 3):
        text = "0" + text
    return text


class _Names:
    """Records found by their names, folded; an ambiguous name is reported, never guessed."""

    def __init__(self, entries, *, folded: bool = False):
        """``entries``: (record, names[, label]); ``folded``: the names are folded already."""
        self.by_name: dict[str, set[int]] = defaultdict(set)
        self.labels: dict[int, str] = {}
        self.objects: dict[int, Any] = {}
        for obj, names, *label in entries:
            self.objects[obj.pk] = obj
            self.labels[obj.pk] = label[0] if label else str(obj)
            for name in names:
                if name:
                    self.by_name[name if folded else fold(name)].add(obj.pk)

    def find(self, column: str, value: Any, what: str):
        text = _text(value)
        if not text:
            return None
        found = self.by_name.get(fold(text), set())
        if not found:
            raise _error(
                column,
                _("No %(what)s called “%(value)s” among those you can see; add it first or correct the name.")
                % {"what": what, "value": text},
            )
        if len(found) > 1:
            raise _error(
                column,
                _("“%(value)s” could be %(candidates)s; use a name that tells them apart.")
                % {"value": text, "candidates": "; ".join(sorted(self.labels[pk] for pk in found))},
            )
        return self.objects[next(iter(found))]


def _organizations(user) -> _Names:
    organizations = Organization.objects.restrict(user, VIEW).filter(merged_into__isnull=True)
    entries = []
    for org in organizations.only("id", "name", "country", "city", "search_text", "sort_name"):
        # The search column holds the folded name, city (when there is one), other names and
        # identifiers (partners.services.organization_refresh_search); the city is not a name.
        parts = [p for p in org.search_text.split(" | ") if p]
        if org.city and len(parts) > 1:
            del parts[1]
        names = [org.sort_name, *parts] if parts else [fold(org.name)]
        entries.append((org, names, f"{org.name} ({org.country})" if org.country else org.name))
    return _Names(entries, folded=True)


def _programmes(user) -> _Names:
    return _Names((p, [p.name]) for p in Programme.objects.restrict(user, VIEW).only("id", "name"))


def _agreements(user) -> _Names:
    return _Names(
        (a, [a.title, a.reference]) for a in Agreement.objects.restrict(user, VIEW).only("id", "title", "reference")
    )


def _owners(user) -> _Names:
    return _Names((o, [o.name]) for o in home_organizations(user))


def mobility_importer(user):
    """A function importing one row through the same service the form uses."""
    lookups: dict[str, _Names] = {}

    def names(kind: str) -> _Names:
        if kind not in lookups:
            lookups[kind] = {
                "organization": _organizations,
                "programme": _programmes,
                "agreement": _agreements,
                "owner": _owners,
            }[kind](user)
        return lookups[kind]

    def parse(record: dict[str, Any]) -> dict[str, Any]:
        """The row as the service's data; ``ValidationError`` naming every bad cell."""
        problems: dict[str, list[str]] = {}
        data: dict[str, Any] = {}

        def read(column, parse):
            try:
                data[column] = parse()
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    problems.setdefault(field, []).extend(messages)

        read("direction", lambda: _choice("direction", record.get("direction"), required=True))
        read("category", lambda: _choice("category", record.get("category"), required=True))
        for column in ("full_name", "email", "student_number", "funding_note", "note"):
            data[column] = _text(record.get(column))
        read("nationality", lambda: _text(record.get("nationality")).upper())
        read("gender", lambda: _choice("gender", record.get("gender")))
        read("level", lambda: _choice("level", record.get("level")))
        read("fictitious", lambda: _boolean("fictitious", record.get("fictitious")))
        read("subject_area", lambda: _subject_area(record.get("subject_area")))
        read("funding_amount", lambda: _amount("funding_amount", record.get("funding_amount")))
        read("date_of_birth", lambda: _date("date_of_birth", record.get("date_of_birth")))
        read("planned_start", lambda: _date("planned_start", record.get("planned_start"), required=True))
        read("planned_end", lambda: _date("planned_end", record.get("planned_end"), required=True))
        read("actual_start", lambda: _date("actual_start", record.get("actual_start")))
        read("actual_end", lambda: _date("actual_end", record.get("actual_end")))
        what = {
            "home_organization": ("organization", _("organisation")),
            "host_organization": ("organization", _("organisation")),
            "programme": ("programme", _("programme")),
            "agreement": ("agreement", _("agreement (by reference or title)")),
            "owner": ("owner", _("home organisation of yours")),
        }
        for column, (kind, label) in what.items():
            if _text(record.get(column)):
                read(
                    column,
                    lambda column=column, kind=kind, label=label: names(kind).find(column, record[column], label),
                )
        if not data.get("full_name") and "full_name" not in problems:
            problems["full_name"] = [_("Give the person's name.")]
        if problems:
            raise ValidationError(problems)
        return data

    def label(mobility) -> str:
        # The partner from the organisations at hand (not ``mobility.partner``: a query per row).
        outgoing = mobility.direction == Direction.OUTGOING
        partner = mobility.host_organization if outgoing else mobility.home_organization
        return _("%(name)s: %(direction)s, %(partner)s, %(start)s") % {
            "name": mobility.full_name,
            "direction": mobility.get_direction_display().lower(),
            "partner": partner.name,
            "start": mobility.planned_start.isoformat(),
        }

    def import_row(record: dict[str, Any], number: int) -> str:
        return label(services.mobility_create(acting_user=user, data=parse(record)))

    def import_all(records: list[tuple[int, dict[str, Any]]]) -> tuple[list[str], list[tuple[int, Exception]]]:
        """Every row at once: cells read row by row, then checked and written by ``mobility_create_many``."""
        parsed, errors = [], []
        for number, record in records:
            try:
                parsed.append((number, parse(record)))
            except ValidationError as exc:
                errors.append((number, exc))
        created, refused = services.mobility_create_many(acting_user=user, rows=parsed)
        return [label(m) for m in created], sorted(errors + refused, key=lambda pair: pair[0])

    def check(header: list[str]) -> list[str]:
        canonical = canonical_header(header)
        check_header(canonical, IMPORT_REQUIRED, IMPORT_COLUMNS + EXPORT_ONLY)
        return canonical

    import_row.check_header = check
    import_row.import_all = import_all
    return import_row


__all__ = [
    "BALANCE_COLUMNS",
    "EXPORT_COLUMNS",
    "IMPORT_COLUMNS",
    "TableError",
    "balance_rows",
    "canonical_header",
    "mobility_importer",
    "mobility_rows",
]
