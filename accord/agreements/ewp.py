"""Erasmus Without Paper (EWP): agreements as IIA v7 documents, institutions, units; IIA import.

Export turns the mobility commitments of an agreement into cooperation conditions (one
mobility specification per direction and per run of consecutive academic years) and adds
the ``iia-hash`` computed by :mod:`accord.agreements.ewp_hash`. Import reads a partner's
IIA get-response with a parser that refuses DTDs and entities, checks it against the EWP
schema, and plans the draft agreements it would create; nothing is written until
:func:`import_execute` is called with that plan.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from accord.agreements import ewp_hash, services
from accord.agreements.choices import (
    MOBILITY_ACTIVITIES,
    AgreementKind,
    AgreementStatus,
    Direction,
    EventKind,
    PartyRole,
    QuantityUnit,
)
from accord.agreements.isced import isced_name
from accord.agreements.models import ActivityType, Agreement, AgreementParty, Commitment
from accord.agreements.selectors import academic_year_of
from accord.core.tenancy import scope_ids
from accord.partners import services as partner_services
from accord.partners.choices import NAME_LANGUAGES, IdentifierScheme, NameKind, OrganizationKind
from accord.partners.models import Organization, OrganizationIdentifier

GITHUB = "https://github.com/erasmus-without-paper/"
RAW = "https://raw.githubusercontent.com/erasmus-without-paper/"
IIAS_NS = GITHUB + "ewp-specs-api-iias/blob/stable-v7/endpoints/get-response.xsd"
INSTITUTIONS_NS = GITHUB + "ewp-specs-api-institutions/tree/stable-v2"
OUNITS_NS = GITHUB + "ewp-specs-api-ounits/tree/stable-v2"
CONTACT_NS = GITHUB + "ewp-specs-types-contact/tree/stable-v1"
ADDRESS_NS = GITHUB + "ewp-specs-types-address/tree/stable-v1"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

# The schema of each document, relative to the folder that mirrors raw.githubusercontent.com.
SCHEMAS = {
    "iias": "ewp-specs-api-iias/stable-v7/endpoints/get-response.xsd",
    "institutions": "ewp-specs-api-institutions/stable-v2/response.xsd",
    "ounits": "ewp-specs-api-ounits/stable-v2/response.xsd",
    "omobilities": "ewp-specs-api-omobilities/stable-v2/endpoints/get-response.xsd",
}

# Mobility specifications in the order the schema requires them inside cooperation-conditions.
SPEC_KINDS = ["student-studies", "student-traineeship", "staff-teacher", "staff-training"]
STUDENT_SPECS = {"student-studies", "student-traineeship"}
LANGUAGE_REQUIRED = {"student-studies", "staff-teacher"}
IMPORTED_ACTIVITY = {
    "student-studies": "student_exchange",
    "student-traineeship": "internship",
    "staff-teacher": "staff_exchange",
    "staff-training": "staff_exchange",
}
PEOPLE_UNITS = {QuantityUnit.STUDENTS, QuantityUnit.STAFF}
EWP_EMAIL = re.compile(r"^[^@]+@[^.]+\..+$")
YEAR = re.compile(r"^\s*(\d{4})/(\d{4})\s*$")
# Characters XML 1.0 cannot carry; a description pasted from elsewhere may hold some.
NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class EwpError(Exception):
    """An agreement cannot be exported, or a document cannot be imported; ``messages`` say why."""

    def __init__(self, messages: Iterable[str]):
        self.messages = [str(m) for m in messages]
        super().__init__("; ".join(self.messages))


# ---------------------------------------------------------------------------------------------
# Common helpers


def schema_dir() -> Path:
    """Where the EWP schemas are: ``shared/ewp/xsd`` beside the project unless configured."""
    configured = getattr(settings, "ACCORD_EWP_XSD_DIR", None)
    return Path(configured) if configured else Path(settings.BASE_DIR).parent / "shared" / "ewp" / "xsd"


@functools.cache
def _schema(name: str, folder: str):
    import xmlschema

    root = Path(folder)

    def local(uri: str) -> str:
        # The schemas import each other by absolute URL; the folder mirrors those URLs.
        return (root / uri[len(RAW) :]).as_uri() if uri.startswith(RAW) else uri

    return xmlschema.XMLSchema(str(root / SCHEMAS[name]), uri_mapper=local, allow="local")


def schema(name: str):
    """The compiled EWP schema ``name`` (iias, institutions, ounits), read from local files only."""
    folder = schema_dir()
    if not (folder / SCHEMAS[name]).exists():
        raise EwpError([_("The EWP schemas are not installed on this server (looked in %(path)s).") % {"path": folder}])
    return _schema(name, str(folder))


def schac_of(organization: Organization) -> str:
    """The organisation's SCHAC code (its EWP hei-id), from prefetched identifiers when present."""
    for identifier in organization.identifiers.all():
        if identifier.scheme == IdentifierScheme.SCHAC:
            return identifier.value
    return ""


def _number(value: Decimal) -> str:
    """10.00 as 10 and 2.50 as 2.5 (``normalize`` alone would write 1E+1)."""
    return format(value.normalize(), "f")


def _clean(value) -> str:
    return NOT_XML.sub("", str(value))


def _add(parent, tag: str, text=None, **attributes):
    element = etree.SubElement(parent, tag, {k: _clean(v) for k, v in attributes.items()})
    if text is not None:
        element.text = _clean(text)
    return element


def _serialize(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _root(namespace: str, tag: str, schema_name: str, extra: dict[str, str]):
    nsmap = {None: namespace, **extra, "xsi": XSI_NS}
    root = etree.Element(f"{{{namespace}}}{tag}", nsmap=nsmap)
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{namespace} {RAW}{SCHEMAS[schema_name]}")
    return root


# ---------------------------------------------------------------------------------------------
# Mobility specifications: what export writes and import reads


@dataclass
class Spec:
    """One unidirectional mobility specification of an IIA."""

    kind: str
    sending: str
    receiving: str
    first_year: str
    last_year: str
    mobilities: int | None
    languages: list[tuple[str, str]] = field(default_factory=list)
    subjects: list[tuple[str, str]] = field(default_factory=list)
    other_info: str = ""
    eqf_levels: list[int] = field(default_factory=list)
    total_months: Decimal | None = None
    total_days: Decimal | None = None
    blended: bool = False


def _year_runs(years: Iterable[str]) -> list[tuple[str, str]]:
    """Consecutive academic years grouped into (first, last) runs: EWP gives a range per specification."""
    starts = sorted({int(year.split("/")[0]) for year in years})
    runs: list[tuple[int, int]] = []
    for start in starts:
        if runs and start == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], start)
        else:
            runs.append((start, start))
    return [(f"{a}/{a + 1}", f"{b}/{b + 1}") for a, b in runs]


def _agreement_years(agreement: Agreement) -> list[str]:
    start = agreement.effective_on or agreement.signed_on
    end = agreement.expires_on
    if not start or not end or end < start:
        return []
    first, last = int(academic_year_of(start)[:4]), int(academic_year_of(end)[:4])
    return [f"{year}/{year + 1}" for year in range(first, last + 1)]


def _spec_element(parent, spec: Spec) -> None:
    ns = f"{{{IIAS_NS}}}"
    element = _add(parent, f"{ns}{spec.kind}-mobility-spec")
    _add(element, f"{ns}sending-hei-id", spec.sending)
    _add(element, f"{ns}receiving-hei-id", spec.receiving)
    _add(element, f"{ns}receiving-first-academic-year-id", spec.first_year)
    _add(element, f"{ns}receiving-last-academic-year-id", spec.last_year)
    _add(element, f"{ns}mobilities-per-year", spec.mobilities)
    for language, level in spec.languages:
        skill = _add(element, f"{ns}recommended-language-skill")
        _add(skill, f"{ns}language", language)
        if level:
            _add(skill, f"{ns}cefr-level", level)
    for code, clarification in spec.subjects:
        area = _add(element, f"{ns}subject-area")
        _add(area, f"{ns}isced-f-code", code)
        # The specification wants an empty clarification when none is needed, never the ISCED name.
        _add(area, f"{ns}isced-clarification", clarification)
    if spec.other_info:
        _add(element, f"{ns}other-info-terms", spec.other_info)
    if spec.kind in STUDENT_SPECS:
        if spec.total_months:
            _add(element, f"{ns}total-months-per-year", spec.total_months)
        _add(element, f"{ns}blended", "true" if spec.blended else "false")
        for level in spec.eqf_levels:
            _add(element, f"{ns}eqf-level", level)
    elif spec.total_days:
        _add(element, f"{ns}total-days-per-year", spec.total_days)


# ---------------------------------------------------------------------------------------------
# Export of one agreement


def export_queryset():
    """Agreements with everything the IIA document needs, in a fixed number of queries."""
    return Agreement.objects.select_related("owner").prefetch_related(
        Prefetch(
            "parties",
            queryset=AgreementParty.objects.select_related("organization", "signatory")
            .prefetch_related("organization__identifiers")
            .order_by("id"),
        ),
        Prefetch("commitments", queryset=Commitment.objects.select_related("activity_type").order_by("position", "id")),
    )


def _below(organization_id: int) -> set[int]:
    """The organisation and every organisation under it (units, overseen schools)."""
    found, frontier = {organization_id}, {organization_id}
    while frontier:
        frontier = set(Organization.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
        found |= frontier
    return found


def _sides(agreement: Agreement) -> tuple[AgreementParty, AgreementParty]:
    """Our party (the owner, or an organisation under it) and the partner."""
    parties = [p for p in agreement.parties.all() if p.role != PartyRole.FUNDER]
    if len(parties) != 2:
        raise EwpError(
            [
                _(
                    "An EWP inter-institutional agreement is between exactly two institutions; "
                    "this agreement has %(count)s parties (funders left aside)."
                )
                % {"count": len(parties)}
            ]
        )
    local = next((p for p in parties if p.organization_id == agreement.owner_id), None)
    if local is None:
        ours = _below(agreement.owner_id)
        local = next((p for p in parties if p.organization_id in ours), None)
    if local is None:
        raise EwpError(
            [
                _(
                    "Neither party is %(owner)s or one of the organisations under it, so it is not clear which side is ours."
                )
                % {"owner": agreement.owner.name}
            ]
        )
    partner = parties[1] if local is parties[0] else parties[0]
    errors = [
        _("%(name)s has no SCHAC identifier (its EWP hei-id); add one to the organisation to export this agreement.")
        % {"name": party.organization.name}
        for party in (local, partner)
        if not schac_of(party.organization)
    ]
    if not errors and schac_of(local.organization) == schac_of(partner.organization):
        errors.append(
            _("Both parties have the SCHAC identifier %(schac)s; an EWP agreement is between two institutions.")
            % {"schac": schac_of(local.organization)}
        )
    if errors:
        raise EwpError(errors)
    return local, partner


def _commitment_specs(
    agreement: Agreement, commitment: Commitment, number: int, local: str, partner: str
) -> list[Spec]:
    kind = MOBILITY_ACTIVITIES[commitment.activity_type.code]
    label = _("Commitment %(number)s (%(activity)s)") % {"number": number, "activity": commitment.activity_type.label()}
    errors = []
    quantity = commitment.quantity_per_year
    if quantity is None:
        errors.append(
            _("%(commitment)s has no quantity per year; EWP needs the number of people sent each year.")
            % {"commitment": label}
        )
    elif commitment.unit not in PEOPLE_UNITS:
        errors.append(
            _(
                "%(commitment)s counts %(unit)s; EWP counts the people sent each year, so give the quantity in students or staff."
            )
            % {"commitment": label, "unit": commitment.get_unit_display()}
        )
    elif quantity <= 0 or quantity != quantity.to_integral_value():
        errors.append(
            _("%(commitment)s: EWP needs a whole number of people per year, not %(quantity)s.")
            % {"commitment": label, "quantity": _number(quantity)}
        )
    if kind in LANGUAGE_REQUIRED and not commitment.language:
        errors.append(
            _("%(commitment)s has no language of instruction, which EWP requires for this kind of mobility.")
            % {"commitment": label}
        )
    years = commitment.years or _agreement_years(agreement)
    if not years:
        errors.append(
            _("%(commitment)s has no academic years, and the agreement has no dates to take them from.")
            % {"commitment": label}
        )
    if errors:
        raise EwpError(errors)
    flows = {
        Direction.OUTGOING: [(local, partner)],
        Direction.INCOMING: [(partner, local)],
        Direction.BOTH: [(local, partner), (partner, local)],
    }[commitment.direction]
    eqf = sorted({int(part) for part in commitment.eqf_levels.replace(";", ",").split(",") if part.strip()})
    return [
        Spec(
            kind=kind,
            sending=sending,
            receiving=receiving,
            first_year=first,
            last_year=last,
            mobilities=int(quantity),
            languages=[(commitment.language, commitment.cefr_level)] if commitment.language else [],
            subjects=[(code, "") for code in commitment.isced_codes],
            other_info=commitment.description.strip(),
            eqf_levels=eqf if kind in STUDENT_SPECS else [],
        )
        for sending, receiving in flows
        for first, last in _year_runs(years)
    ]


def iia_document(agreement: Agreement) -> bytes:
    """The IIA v7 get-response for ``agreement`` (loaded through :func:`export_queryset`).

    Raises :class:`EwpError` naming what is missing when the agreement cannot be expressed
    in EWP: a party without a SCHAC code, a mobility commitment without a number of people,
    academic years or (where EWP requires it) a language.
    """
    local, partner = _sides(agreement)
    local_hei, partner_hei = schac_of(local.organization), schac_of(partner.organization)
    specs: list[Spec] = []
    errors: list[str] = []
    for number, commitment in enumerate(agreement.commitments.all(), start=1):
        if commitment.activity_type.code not in MOBILITY_ACTIVITIES:
            continue
        try:
            specs += _commitment_specs(agreement, commitment, number, local_hei, partner_hei)
        except EwpError as exc:
            errors += exc.messages
    if errors:
        raise EwpError(errors)
    specs.sort(key=lambda spec: SPEC_KINDS.index(spec.kind))

    root = _root(IIAS_NS, "iias-get-response", "iias", {"c": CONTACT_NS})
    ns = f"{{{IIAS_NS}}}"
    iia = _add(root, f"{ns}iia")
    for party, hei, ours in ((local, local_hei, True), (partner, partner_hei, False)):
        element = _add(iia, f"{ns}partner")
        _add(element, f"{ns}hei-id", hei)
        if ours:
            # Our immutable surrogate key, and the code people use; the partner's own id is not known here.
            _add(element, f"{ns}iia-id", agreement.pk)
            _add(element, f"{ns}iia-code", agreement.reference or agreement.pk)
        name = party.signatory.name if party.signatory_id else party.signatory_name
        if name.strip():
            contact = _add(element, f"{ns}signing-contact")
            _add(contact, f"{{{CONTACT_NS}}}contact-name", name.strip())
            email = party.signatory.email if party.signatory_id else ""
            if email and EWP_EMAIL.match(email):
                _add(contact, f"{{{CONTACT_NS}}}email", email)
        if party.signed_on:
            _add(element, f"{ns}signing-date", party.signed_on.isoformat())
    _add(iia, f"{ns}in-effect", "true" if agreement.status == AgreementStatus.ACTIVE else "false")
    conditions = _add(iia, f"{ns}cooperation-conditions")
    for spec in specs:
        _spec_element(conditions, spec)
    _add(iia, f"{ns}iia-hash", ewp_hash.iia_hash(iia))
    return _serialize(root)


# ---------------------------------------------------------------------------------------------
# Institutions and organisational units


def _names(organization: Organization) -> list[tuple[str, str]]:
    names = [(organization.name, organization.name_language)]
    for name in organization.names.all():
        if name.kind in (NameKind.OFFICIAL, NameKind.SHORT):
            names.append((name.name, name.language))
    seen, unique = set(), []
    for text, language in names:
        if text.strip() and (text, language) not in seen:
            seen.add((text, language))
            unique.append((text.strip(), language))
    return unique


def _abbreviation(organization: Organization) -> str:
    return next((n.name for n in organization.names.all() if n.kind == NameKind.ABBREVIATION), "")


def _describe(element, ns: str, organization: Organization) -> None:
    """Names, abbreviation, address and website: the part Institutions and OUnits share."""
    for text, language in _names(organization):
        attributes = {f"{{{XML_NS}}}lang": language} if language else {}
        _add(element, f"{ns}name", text, **attributes)
    abbreviation = _abbreviation(organization)
    if abbreviation:
        _add(element, f"{ns}abbreviation", abbreviation)


def _address_and_website(element, ns: str, organization: Organization) -> None:
    if organization.city or organization.country:
        address = _add(element, f"{{{ADDRESS_NS}}}street-address")
        if organization.city:
            _add(address, f"{{{ADDRESS_NS}}}locality", organization.city)
        if organization.subdivision and organization.subdivision_name:
            _add(address, f"{{{ADDRESS_NS}}}region", organization.subdivision_name)
        if organization.country:
            _add(address, f"{{{ADDRESS_NS}}}country", organization.country)
    if organization.website.startswith(("http://", "https://")):
        _add(element, f"{ns}website-url", organization.website)


def home_institutions(user, hei_ids: Iterable[str] = ()) -> list[tuple[Organization, str]]:
    """The user's home organisations (theirs and those below) that have a SCHAC code."""
    queryset = Organization.objects.restrict(user).filter(is_home=True, merged_into__isnull=True)
    if not user.is_superuser:
        queryset = queryset.filter(pk__in=scope_ids(user))
    queryset = queryset.prefetch_related("identifiers", "names").order_by("sort_name", "id")
    wanted = {h.strip().lower() for h in hei_ids if h.strip()}
    found = [(org, schac_of(org)) for org in queryset]
    return [(org, hei) for org, hei in found if hei and (not wanted or hei in wanted)]


def units_of(user, institutions: list[tuple[Organization, str]]) -> dict[int, list[Organization]]:
    """The units under each institution, parents before children.

    A child organisation with its own SCHAC code is an institution of its own, not a unit,
    and neither it nor what is under it is listed.
    """
    units: dict[int, list[Organization]] = {org.pk: [] for org, _hei in institutions}
    root_of = {org.pk: org.pk for org, _hei in institutions}
    frontier = set(root_of)
    while frontier:
        children = (
            Organization.objects.restrict(user)
            .filter(parent_id__in=frontier, merged_into__isnull=True)
            .exclude(pk__in=list(root_of))
            .prefetch_related("identifiers", "names")
            .order_by("sort_name", "id")
        )
        frontier = set()
        for child in children:
            if schac_of(child) or child.pk in root_of:
                continue
            root_of[child.pk] = root_of[child.parent_id]
            units[root_of[child.pk]].append(child)
            frontier.add(child.pk)
    return units


def institutions_document(user, hei_ids: Iterable[str] = ()) -> bytes:
    """The Institutions API v2 response for the user's institutions."""
    institutions = home_institutions(user, hei_ids)
    units = units_of(user, institutions)
    root = _root(INSTITUTIONS_NS, "institutions-response", "institutions", {"a": ADDRESS_NS})
    ns = f"{{{INSTITUTIONS_NS}}}"
    for organization, hei in institutions:
        element = _add(root, f"{ns}hei")
        _add(element, f"{ns}hei-id", hei)
        for identifier in organization.identifiers.all():
            if identifier.scheme in (IdentifierScheme.ERASMUS, IdentifierScheme.PIC):
                _add(element, f"{ns}other-id", identifier.value, type=identifier.scheme)
        _describe(element, ns, organization)
        _address_and_website(element, ns, organization)
        if units[organization.pk]:
            # Units are published as a tree whose root is the institution itself.
            _add(element, f"{ns}root-ounit-id", organization.pk)
            for unit in [organization, *units[organization.pk]]:
                _add(element, f"{ns}ounit-id", unit.pk)
    return _serialize(root)


def ounits_document(user, hei_ids: Iterable[str] = ()) -> bytes:
    """The Organizational Units API v2 response: every unit of the user's institutions."""
    institutions = home_institutions(user, hei_ids)
    units = units_of(user, institutions)
    root = _root(OUNITS_NS, "ounits-response", "ounits", {"a": ADDRESS_NS})
    ns = f"{{{OUNITS_NS}}}"
    for organization, _hei in institutions:
        if not units[organization.pk]:
            continue
        for unit in [organization, *units[organization.pk]]:
            element = _add(root, f"{ns}ounit")
            _add(element, f"{ns}ounit-id", unit.pk)
            _add(element, f"{ns}ounit-code", _abbreviation(unit) or unit.pk)
            for text, language in _names(unit):
                attributes = {f"{{{XML_NS}}}lang": language} if language else {}
                _add(element, f"{ns}name", text, **attributes)
            if _abbreviation(unit):
                _add(element, f"{ns}abbreviation", _abbreviation(unit))
            if unit is not organization:
                _add(element, f"{ns}parent-ounit-id", unit.parent_id)
            _address_and_website(element, ns, unit)
    return _serialize(root)


# ---------------------------------------------------------------------------------------------
# Import: parse safely, validate, plan, then (on confirmation) create


DTD_MARKERS = [
    marker.encode(encoding) for marker in ("<!DOCTYPE", "<!ENTITY") for encoding in ("utf-8", "utf-16-le", "utf-16-be")
]


def parse_document(data: bytes):
    """Parse untrusted XML: no DTD, no entity, no network, no huge tree. Raises EwpError."""
    if not data or not data.strip():
        raise EwpError([_("The file is empty.")])
    refused = _(
        "The file declares a DTD or entities (<!DOCTYPE …>), which EWP documents never do; it was refused for safety."
    )
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        if any(marker in data for marker in DTD_MARKERS):
            raise EwpError([refused])
        raise EwpError([_("The file is not well-formed XML: %(error)s") % {"error": exc}])
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise EwpError([refused])
    return root


def validate(root, name: str, *, limit: int = 5) -> list[str]:
    """Schema errors of a document, as messages a person can act on (at most ``limit``)."""
    messages = []
    for error in schema(name).iter_errors(root):
        messages.append(
            _("The document does not follow the EWP schema: %(reason)s (at %(path)s).")
            % {"reason": error.reason or error.message, "path": error.path or "/"}
        )
        if len(messages) >= limit:
            break
    return messages


@dataclass
class PlannedCommitment:
    """A commitment the import would create, with what the preview shows of it."""

    activity_type: ActivityType
    direction: str
    quantity_per_year: Decimal | None
    unit: str
    academic_years: str
    subject_areas: str
    language: str
    cefr_level: str
    eqf_levels: str
    description: str

    @property
    def direction_label(self) -> str:
        return Direction(self.direction).label

    @property
    def unit_label(self) -> str:
        return QuantityUnit(self.unit).label if self.unit else ""

    def row(self, position: int) -> dict:
        return {
            "activity_type": self.activity_type,
            "direction": self.direction,
            "quantity_per_year": self.quantity_per_year,
            "unit": self.unit,
            "academic_years": self.academic_years,
            "subject_areas": self.subject_areas,
            "language": self.language,
            "cefr_level": self.cefr_level,
            "eqf_levels": self.eqf_levels,
            "description": self.description,
            "position": position,
        }


@dataclass
class PlannedParty:
    hei_id: str
    organization: Organization | None
    iia_id: str = ""
    iia_code: str = ""
    signatory_name: str = ""
    signed_on: datetime.date | None = None

    @property
    def label(self) -> str:
        return self.organization.name if self.organization else self.hei_id


@dataclass
class PlannedAgreement:
    number: int
    title: str
    kind: str
    local: PlannedParty
    partner: PlannedParty
    in_effect: bool
    notes: str
    commitments: list[PlannedCommitment]
    hash_matches: bool = True

    @property
    def owner(self) -> Organization:
        return self.local.organization


@dataclass
class ImportPlan:
    """What confirming the import would create; ``errors`` non-empty means it cannot."""

    agreements: list[PlannedAgreement] = field(default_factory=list)
    new_partners: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.agreements)


def _q(name: str) -> str:
    return f"{{{IIAS_NS}}}{name}"


def _value(element, name: str) -> str | None:
    """The text of a child, or None when absent or flagged not-yet-defined."""
    child = element.find(_q(name))
    if child is None or child.get("not-yet-defined") in ("true", "1"):
        return None
    return child.xpath("string()")


def _decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal(text.strip()) if text and text.strip() else None
    except InvalidOperation:
        return None


def _parse_spec(element) -> Spec:
    kind = etree.QName(element).localname.removesuffix("-mobility-spec")
    mobilities = _decimal(_value(element, "mobilities-per-year"))
    languages = []
    for skill in element.findall(_q("recommended-language-skill")):
        if skill.get("not-yet-defined") in ("true", "1"):
            continue
        language = (_value(skill, "language") or "").strip()
        if language:
            languages.append((language, (_value(skill, "cefr-level") or "").strip()))
    subjects = []
    for area in element.findall(_q("subject-area")):
        code = (_value(area, "isced-f-code") or "").strip()
        if code:
            subjects.append((code, (_value(area, "isced-clarification") or "").strip()))
    return Spec(
        kind=kind,
        sending=(_value(element, "sending-hei-id") or "").strip().lower(),
        receiving=(_value(element, "receiving-hei-id") or "").strip().lower(),
        first_year=(_value(element, "receiving-first-academic-year-id") or "").strip(),
        last_year=(_value(element, "receiving-last-academic-year-id") or "").strip(),
        mobilities=int(mobilities) if mobilities is not None else None,
        languages=languages,
        subjects=subjects,
        other_info=(_value(element, "other-info-terms") or "").strip(),
        eqf_levels=[int(e.text) for e in element.findall(_q("eqf-level")) if (e.text or "").strip().isdigit()],
        total_months=_decimal(_value(element, "total-months-per-year")),
        total_days=_decimal(_value(element, "total-days-per-year")),
        blended=(_value(element, "blended") or "").strip() in ("true", "1"),
    )


def _our_language(tag: str) -> str:
    """The language as one of ours (``en-GB`` is ``en``), or "" when we do not offer it."""
    ours = {language.lower(): language for language in NAME_LANGUAGES}
    return ours.get(tag.lower()) or ours.get(tag.split("-")[0].lower(), "")


def _spec_years(spec: Spec) -> tuple[list[str], list[str]]:
    """The academic years of a specification, and notes for what cannot be stored as years."""
    first, last = YEAR.match(spec.first_year), YEAR.match(spec.last_year)
    if not first or not last:
        return [], [_("Academic years: %(first)s to %(last)s") % {"first": spec.first_year, "last": spec.last_year}]
    a, b = int(first.group(1)), int(last.group(1))
    if int(first.group(2)) != a + 1 or int(last.group(2)) != b + 1:
        # A southern-hemisphere year (2025/2025) has no place in our 2025/2026 years.
        return [], [_("Academic years: %(first)s to %(last)s") % {"first": spec.first_year, "last": spec.last_year}]
    return [f"{year}/{year + 1}" for year in range(a, b + 1)], []


def _commitment_from_spec(
    spec: Spec, local_hei: str, activities: dict[str, ActivityType]
) -> tuple[PlannedCommitment, list[str]]:
    notes: list[str] = []
    if spec.other_info:
        notes.append(spec.other_info)
    if spec.kind == "staff-training":
        notes.append(_("Staff mobility for training."))
    years, year_notes = _spec_years(spec)
    notes += year_notes
    language, level = "", ""
    for tag, cefr in spec.languages:
        if not language and _our_language(tag):
            language, level = _our_language(tag), cefr
        else:
            notes.append(_("Also recommended: %(language)s %(level)s") % {"language": tag, "level": cefr})
    codes = []
    for code, clarification in spec.subjects:
        if len(code) == 4 and code.isdigit() and isced_name(code):
            codes.append(code)
        else:
            notes.append(_("Subject area (ISCED-F): %(code)s") % {"code": code})
        if clarification:
            notes.append(_("ISCED-F %(code)s: %(clarification)s") % {"code": code, "clarification": clarification})
    if spec.total_months:
        notes.append(_("Total months per year: %(months)s") % {"months": _number(spec.total_months)})
    if spec.total_days:
        notes.append(_("Total days per year: %(days)s") % {"days": _number(spec.total_days)})
    if spec.blended:
        notes.append(_("Blended mobility accepted."))
    direction = Direction.OUTGOING if spec.sending == local_hei else Direction.INCOMING
    commitment = PlannedCommitment(
        activity_type=activities[IMPORTED_ACTIVITY[spec.kind]],
        direction=direction,
        quantity_per_year=Decimal(spec.mobilities) if spec.mobilities is not None else None,
        unit=(QuantityUnit.STUDENTS if spec.kind in STUDENT_SPECS else QuantityUnit.STAFF)
        if spec.mobilities is not None
        else "",
        academic_years="",
        subject_areas=", ".join(codes),
        language=language,
        cefr_level=level,
        eqf_levels=", ".join(str(e) for e in sorted(set(spec.eqf_levels))),
        description="\n".join(notes),
    )
    return commitment, years


def _merge(items: list[tuple[PlannedCommitment, list[str]]]) -> list[PlannedCommitment]:
    """Specifications that differ only in years become one commitment; mirrored pairs one "both"."""

    def key(c: PlannedCommitment):
        return (
            c.activity_type.code,
            c.quantity_per_year,
            c.unit,
            c.subject_areas,
            c.language,
            c.cefr_level,
            c.eqf_levels,
            c.description,
        )

    by_flow: dict[tuple, tuple[PlannedCommitment, set[str]]] = {}
    for commitment, years in items:
        flow = (key(commitment), commitment.direction)
        if flow in by_flow:
            by_flow[flow][1].update(years)
        else:
            by_flow[flow] = (commitment, set(years))
    merged: list[PlannedCommitment] = []
    taken: set[tuple] = set()
    for flow, (commitment, years) in by_flow.items():
        if flow in taken:
            continue
        taken.add(flow)
        commitment.academic_years = ", ".join(sorted(years))
        mirror = (flow[0], Direction.INCOMING if flow[1] == Direction.OUTGOING else Direction.OUTGOING)
        if mirror in by_flow and mirror not in taken and by_flow[mirror][1] == years:
            taken.add(mirror)
            commitment.direction = Direction.BOTH
        merged.append(commitment)
    return merged


def _party(element) -> PlannedParty:
    contact_name = element.find(f"{_q('signing-contact')}/{{{CONTACT_NS}}}contact-name")
    signed = (_value(element, "signing-date") or "").strip()
    try:
        signed_on = datetime.date.fromisoformat(signed[:10]) if signed else None
    except ValueError:
        signed_on = None
    return PlannedParty(
        hei_id=(_value(element, "hei-id") or "").strip().lower(),
        organization=None,
        iia_id=(_value(element, "iia-id") or "").strip(),
        iia_code=(_value(element, "iia-code") or "").strip(),
        signatory_name=(contact_name.xpath("string()").strip()[:255] if contact_name is not None else ""),
        signed_on=signed_on,
    )


def plan_import(*, user, data: bytes) -> ImportPlan:
    """Read a partner's IIA get-response and say what confirming would create; writes nothing."""
    plan = ImportPlan()
    try:
        root = parse_document(data)
        if root.tag != _q("iias-get-response"):
            raise EwpError(
                [_("This is not an EWP IIA get-response (version 7): its root element is %(tag)s.") % {"tag": root.tag}]
            )
        errors = validate(root, "iias")
        if errors:
            raise EwpError(errors)
    except EwpError as exc:
        plan.errors = exc.messages
        return plan
    iias = root.findall(_q("iia"))
    if not iias:
        plan.errors = [_("The document contains no agreement.")]
        return plan

    parties = [[_party(p) for p in iia.findall(_q("partner"))] for iia in iias]
    heis = {party.hei_id for pair in parties for party in pair}
    known = {
        identifier.value: identifier.organization
        for identifier in OrganizationIdentifier.objects.filter(
            scheme=IdentifierScheme.SCHAC, value__in=heis
        ).select_related("organization")
    }
    visible = set(
        Organization.objects.restrict(user).filter(pk__in=[o.pk for o in known.values()]).values_list("pk", flat=True)
    )
    mine = (
        set(Organization.objects.filter(is_home=True).values_list("pk", flat=True))
        if user.is_superuser
        else set(scope_ids(user))
    )
    activities = {a.code: a for a in ActivityType.objects.filter(code__in=set(IMPORTED_ACTIVITY.values()))}
    missing_activities = set(IMPORTED_ACTIVITY.values()) - set(activities)
    if missing_activities:
        plan.errors = [_("Activity types missing: %(codes)s.") % {"codes": ", ".join(sorted(missing_activities))}]
        return plan

    for number, (iia, pair) in enumerate(zip(iias, parties, strict=True), start=1):
        label = _("Agreement %(number)s (iia-id %(id)s)") % {"number": number, "id": pair[0].iia_id or "?"}
        for party in pair:
            party.organization = known.get(party.hei_id)
        ours = [p for p in reversed(pair) if p.organization is not None and p.organization.pk in mine]
        if not ours:
            plan.errors.append(
                _(
                    "%(agreement)s: neither %(first)s nor %(second)s is the SCHAC identifier of one of your organisations; "
                    "add yours to your organisation first."
                )
                % {"agreement": label, "first": pair[0].hei_id, "second": pair[1].hei_id}
            )
            continue
        # The partner that sent the document comes first; we are normally the second.
        local = ours[0]
        partner = pair[0] if local is pair[1] else pair[1]
        if partner.hei_id == local.hei_id:
            plan.errors.append(
                _("%(agreement)s: both partners are %(hei)s.") % {"agreement": label, "hei": local.hei_id}
            )
            continue
        if partner.organization is not None and partner.organization.pk not in visible:
            plan.errors.append(
                _("%(agreement)s: %(hei)s belongs to an organisation you cannot see; ask its owner to share it.")
                % {"agreement": label, "hei": partner.hei_id}
            )
            continue
        if partner.organization is None and partner.hei_id not in plan.new_partners:
            plan.new_partners.append(partner.hei_id)

        items = []
        specs = [
            _parse_spec(s)
            for s in iia.find(_q("cooperation-conditions"))
            if isinstance(s.tag, str) and s.tag.endswith("-mobility-spec")
        ]
        for position, spec in enumerate(specs, start=1):
            if {spec.sending, spec.receiving} != {local.hei_id, partner.hei_id}:
                plan.errors.append(
                    _(
                        "%(agreement)s, mobility %(position)s: it goes from %(sending)s to %(receiving)s, "
                        "which are not the two partners of the agreement."
                    )
                    % {"agreement": label, "position": position, "sending": spec.sending, "receiving": spec.receiving}
                )
                continue
            items.append(_commitment_from_spec(spec, local.hei_id, activities))
        commitments = _merge(items)
        for position, commitment in enumerate(commitments, start=1):
            try:
                Commitment(**commitment.row(position)).full_clean(exclude=["agreement"])
            except ValidationError as exc:
                for message in exc.messages:
                    plan.errors.append(
                        _("%(agreement)s, commitment %(position)s: %(message)s")
                        % {"agreement": label, "position": position, "message": message}
                    )
        code = partner.iia_code or local.iia_code
        title = (
            _("Inter-institutional agreement %(code)s with %(partner)s") % {"code": code, "partner": partner.label}
            if code
            else _("Inter-institutional agreement with %(partner)s") % {"partner": partner.label}
        )
        kinds = {spec.kind for spec in specs}
        kind = (
            AgreementKind.STUDENT_EXCHANGE
            if kinds & STUDENT_SPECS
            else AgreementKind.STAFF_EXCHANGE
            if kinds
            else AgreementKind.OTHER
        )
        in_effect = (_value(iia, "in-effect") or "").strip() in ("true", "1")
        notes = [
            _("Imported from an EWP IIA document: iia-id %(id)s at %(hei)s.") % {"id": p.iia_id, "hei": p.hei_id}
            for p in pair
            if p.iia_id
        ]
        if in_effect:
            notes.append(_("The document marks the agreement as in effect."))
        # A partner's hash that does not match its own conditions means the document was altered
        # (or hashed differently); the draft can still be made, but the preview says so.
        try:
            computed = ewp_hash.iia_hash(iia)
        except ewp_hash.HashError:
            computed = ""
        plan.agreements.append(
            PlannedAgreement(
                number=number,
                title=title[:500],
                kind=kind,
                local=local,
                partner=partner,
                in_effect=in_effect,
                notes="\n".join(notes),
                commitments=commitments,
                hash_matches=computed == (_value(iia, "iia-hash") or "").strip(),
            )
        )
    return plan


@transaction.atomic
def import_execute(*, plan: ImportPlan, acting_user) -> list[Agreement]:
    """Create what ``plan`` shows: new partner organisations, then the draft agreements."""
    if not plan.ok:
        raise EwpError(plan.errors or [_("There is nothing to import.")])
    created: dict[str, Organization] = {}
    for hei in plan.new_partners:
        created[hei] = partner_services.organization_create(
            acting_user=acting_user,
            data={"kind": OrganizationKind.UNIVERSITY, "name": hei},
            identifiers=[{"scheme": IdentifierScheme.SCHAC, "value": hei}],
            allow_similar=True,
        )
    agreements = []
    for planned in plan.agreements:
        partner = planned.partner.organization or created[planned.partner.hei_id]
        agreement = services.agreement_create(
            acting_user=acting_user,
            data={"kind": planned.kind, "title": planned.title, "owner": planned.owner, "notes": planned.notes},
            parties=[
                {
                    "organization": party_org,
                    "role": PartyRole.SIGNATORY,
                    "signatory_name": party.signatory_name,
                    "signed_on": party.signed_on,
                }
                for party, party_org in ((planned.local, planned.owner), (planned.partner, partner))
            ],
            commitments=[c.row(position) for position, c in enumerate(planned.commitments, start=1)],
        )
        services._event(
            agreement,
            EventKind.IMPORTED,
            timezone.localdate(),
            acting_user,
            source="EWP",
            partner=planned.partner.hei_id,
        )
        agreements.append(agreement)
    return agreements
