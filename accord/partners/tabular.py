"""The organisation and people tables: export of a filtered list, import with preview."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accord.core.tabular import check_header
from accord.core.text import fold
from accord.partners import services
from accord.partners.choices import IdentifierScheme, NameKind, OrganizationKind
from accord.partners.models import Organization

ORG_EXPORT_COLUMNS = [
    "id",
    "name",
    "name_language",
    "kind",
    "country",
    "subdivision",
    "city",
    "website",
    "parent",
    "owner",
    "is_home",
    "other_names",
    "identifiers",
    "notes",
]
ORG_IMPORT_REQUIRED = ["name", "kind"]
ORG_IMPORT_COLUMNS = [
    "name",
    "name_language",
    "kind",
    "country",
    "subdivision",
    "city",
    "website",
    "other_names",
    "identifiers",
    "notes",
]
# Columns of the export that an import accepts and ignores, so an export can be re-imported
# into another installation after its rows are edited.
ORG_IGNORED_COLUMNS = ["id", "parent", "owner", "is_home"]

PERSON_EXPORT_COLUMNS = [
    "id",
    "honorific",
    "name",
    "other_names",
    "position",
    "affiliation",
    "email",
    "phone",
    "languages",
]


def _names_cell(org: Organization) -> str:
    parts = []
    for name in org.names.all():
        prefix = name.language or ""
        if name.kind != NameKind.OFFICIAL:
            prefix += f"/{name.kind}"
        parts.append(f"{prefix}: {name.name}" if prefix else name.name)
    return "; ".join(parts)


def organization_rows(queryset):
    for org in queryset.prefetch_related("identifiers").iterator(chunk_size=2000):
        yield [
            org.pk,
            org.name,
            org.name_language,
            org.kind,
            org.country,
            org.subdivision,
            org.city,
            org.website,
            org.parent.name if org.parent_id else "",
            org.owner.name if org.owner_id else "",
            "yes" if org.is_home else "",
            _names_cell(org),
            "; ".join(f"{i.scheme}: {i.value}" for i in org.identifiers.all()),
            org.notes,
        ]


def person_rows(queryset):
    for person in queryset.iterator(chunk_size=2000):
        yield [
            person.pk,
            person.honorific,
            person.name,
            person.other_names.replace("\n", "; "),
            person.position,
            person.affiliation.name if person.affiliation_id else "",
            person.email,
            person.phone,
            person.languages,
        ]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_names(cell: str) -> list[dict[str, str]]:
    rows = []
    for part in filter(None, (p.strip() for p in cell.split(";"))):
        language, kind, name = "", NameKind.OFFICIAL.value, part
        if ":" in part:
            prefix, rest = part.split(":", 1)
            if len(prefix.strip()) <= 24 and " " not in prefix.strip():
                name = rest.strip()
                language, _slash, kind_text = prefix.strip().partition("/")
                if kind_text:
                    if kind_text not in NameKind.values:
                        raise ValidationError(
                            {
                                "other_names": _("“%(kind)s” is not a kind of name (%(kinds)s).")
                                % {"kind": kind_text, "kinds": ", ".join(NameKind.values)}
                            }
                        )
                    kind = kind_text
        rows.append({"name": name, "language": language, "kind": kind})
    return rows


def _parse_identifiers(cell: str) -> list[dict[str, str]]:
    rows = []
    for part in filter(None, (p.strip() for p in cell.split(";"))):
        scheme, sep, value = part.partition(":")
        scheme = scheme.strip().lower()
        if not sep or scheme not in IdentifierScheme.values:
            raise ValidationError(
                {
                    "identifiers": _("“%(part)s” should be written scheme: value, with a scheme among %(schemes)s.")
                    % {"part": part, "schemes": ", ".join(IdentifierScheme.values)}
                }
            )
        rows.append({"scheme": scheme, "value": value.strip()})
    return rows


def _kind(value: str) -> str:
    text = value.strip()
    for code, label in OrganizationKind.choices:
        if text.lower() in {code, str(label).lower()}:
            return code
    raise ValidationError(
        {
            "kind": _("“%(value)s” is not a kind of organisation (%(kinds)s).")
            % {"value": text, "kinds": ", ".join(OrganizationKind.values)}
        }
    )


def organization_importer(user):
    """A function importing one row through the same service the form uses."""
    seen: dict[str, int] = {}

    def import_row(record: dict[str, Any], number: int) -> str:
        cells = {key: _text(value) for key, value in record.items() if key in ORG_IMPORT_COLUMNS}
        name = cells.get("name", "")
        if not name:
            raise ValidationError({"name": _("The name cannot be empty.")})
        data = {
            "name": name,
            "name_language": cells.get("name_language", ""),
            "kind": _kind(cells.get("kind", "")),
            "country": cells.get("country", "").upper(),
            "subdivision": cells.get("subdivision", "").upper(),
            "city": cells.get("city", ""),
            "website": cells.get("website", ""),
            "notes": cells.get("notes", ""),
        }
        key = f"{fold(name)}|{data['country']}"
        if key in seen:
            raise ValidationError(_("The same organisation is already in row %(row)s.") % {"row": seen[key]})
        seen[key] = number
        # Only what the user can see: an import must not reveal another tenant's private records.
        existing = Organization.objects.restrict(user).filter(
            search_text__startswith=fold(name), merged_into__isnull=True
        )
        if data["country"]:
            existing = existing.filter(country=data["country"])
        for org in existing.only("name", "search_text")[:5]:
            if fold(org.name) == fold(name) or org.search_text.split(" | ")[0] == fold(name):
                raise ValidationError(_("%(name)s is already in the directory.") % {"name": org.name})
        org = services.organization_create(
            acting_user=user,
            data=data,
            names=_parse_names(cells.get("other_names", "")),
            identifiers=_parse_identifiers(cells.get("identifiers", "")),
            allow_similar=True,
        )
        return org.name

    import_row.check_header = lambda header: check_header(
        header, ORG_IMPORT_REQUIRED, ORG_IMPORT_COLUMNS + ORG_IGNORED_COLUMNS
    )
    return import_row
