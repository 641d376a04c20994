"""Writes to the partner directory. Views, the API, imports and the demo loader call these."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accord.core import services as core
from accord.core.tenancy import ADD, ADMINISTER, CHANGE, DELETE, scope_ids, user_can
from accord.core.text import fold, tokens
from accord.partners.choices import NameKind
from accord.partners.models import (
    Organization,
    OrganizationFact,
    OrganizationIdentifier,
    OrganizationName,
    Person,
)

ORGANIZATION_FIELDS = [
    "kind",
    "name",
    "name_language",
    "country",
    "subdivision",
    "city",
    "website",
    "parent",
    "is_home",
    "owner",
    "shared",
    "notes",
]
NAME_FIELDS = ["name", "language", "kind"]
IDENTIFIER_FIELDS = ["scheme", "value"]
FACT_FIELDS = ["metric", "year", "value", "note", "source"]
PERSON_FIELDS = [
    "honorific",
    "name",
    "other_names",
    "position",
    "affiliation",
    "email",
    "phone",
    "languages",
    "owner",
    "notes",
]

Rows = Iterable[Mapping[str, Any]] | None


class SimilarOrganizationsExist(ValidationError):
    """Raised by ``organization_create`` when the new name is close to existing ones."""

    def __init__(self, candidates: list[SimilarOrganization]):
        self.candidates = candidates
        super().__init__(
            _("An organisation with a close name already exists: %(names)s.")
            % {"names": "; ".join(c.organization.name for c in candidates)},
            code="similar",
        )


@dataclass
class SimilarOrganization:
    organization: Organization
    matched_name: str
    score: float


# Words that say what kind of body an organisation is rather than which one it is; sharing
# them ("University") says nothing about two names being the same organisation.
GENERIC_WORDS = frozenset(
    """
    university universities college institute institution school academy faculty department
    centre center office agency ministry bureau of the and for in at de du des la le les et
    l d da do der die und fur national state public international technical technology
    technological engineering science sciences polytechnic education educational training
    vocational city province provincial region regional autonomous people peoples committee
    dai hoc truong vien so giao duc dao tao ky thuat cong nghe nghiep cao dang trung tam
    khoa phong ban bo uy nhan dan tinh thanh pho va universite ecole institut centre
    """.split()
)


def _distinctive(text: str) -> set[str]:
    return {token for token in tokens(text) if token not in GENERIC_WORDS and len(token) >= 3}


def _similarity(a: str, b: str) -> float:
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return 0.0
    if fa == fb:
        return 1.0
    ta, tb = set(fa.split()), set(fb.split())
    jaccard = len(ta & tb) / len(ta | tb)
    return 0.5 * jaccard + 0.5 * SequenceMatcher(None, fa, fb).ratio()


def organization_similar(
    *, names: Iterable[str], user, exclude_id: int | None = None, limit: int = 5
) -> list[SimilarOrganization]:
    """Organisations the user can see whose names are close to any of ``names``.

    Two names are close when they are equal once folded, when they share a distinctive word
    (not "university", "of", "technology") and are otherwise alike, or when they differ by a
    few letters (a typo).
    """
    names = [name for name in names if name and name.strip()]
    if not names:
        return []
    words: set[str] = set()
    condition = Q()
    for name in names:
        words |= _distinctive(name)
        condition |= Q(search_text__contains=fold(name))
    for word in words:
        condition |= Q(search_text__contains=word)
    candidates = (
        Organization.objects.restrict(user)
        .filter(merged_into__isnull=True)
        .filter(condition)
        .prefetch_related("names")[:200]
    )
    found: list[SimilarOrganization] = []
    for org in candidates:
        if org.pk == exclude_id:
            continue
        best: SimilarOrganization | None = None
        for known in [org.name, *(n.name for n in org.names.all())]:
            for name in names:
                score = _similarity(name, known)
                shares_word = bool(_distinctive(name) & _distinctive(known))
                close = score == 1.0 or score >= 0.85 or (shares_word and score >= 0.3)
                if close and (best is None or score > best.score):
                    best = SimilarOrganization(org, known, round(score, 2))
        if best:
            found.append(best)
    found.sort(key=lambda c: (-c.score, c.organization.name))
    return found[:limit]


def organization_refresh_search(organization: Organization) -> None:
    parts = [organization.name, organization.city]
    parts += list(organization.names.values_list("name", flat=True))
    parts += list(organization.identifiers.values_list("value", flat=True))
    text = " | ".join(fold(part) for part in parts if part)
    sort_name = fold(organization.name)[:255]
    Organization.objects.filter(pk=organization.pk).update(search_text=text, sort_name=sort_name)
    organization.search_text, organization.sort_name = text, sort_name


def _check_owner(user, owner: Organization | None) -> None:
    if owner is None or user.is_superuser:
        return
    if owner.pk not in scope_ids(user):
        raise PermissionDenied(_("You cannot give records to an organisation outside your own."))


def _check_visible(user, field: str, org: Organization | None) -> None:
    """A link to an organisation the user cannot see is refused as if it did not exist."""
    core.require_visible(
        user, Organization, [org.pk if org else None], field, _("Choose an organisation from the directory.")
    )


def _apply(obj, data: Mapping[str, Any], fields: list[str]) -> None:
    for field in fields:
        if field in data:
            value = data[field]
            setattr(obj, field, "" if value is None and field not in {"parent", "owner", "affiliation"} else value)


def _save_children(org: Organization, user, names: Rows, identifiers: Rows, facts: Rows) -> None:
    errors: dict[str, list[str]] = {}
    for rows, model, fields, label in (
        (names, OrganizationName, NAME_FIELDS, "names"),
        (identifiers, OrganizationIdentifier, IDENTIFIER_FIELDS, "identifiers"),
        (facts, OrganizationFact, FACT_FIELDS, "facts"),
    ):
        if rows is None:
            continue
        try:
            core.sync_children(
                parent=org, model=model, fk_name="organization", rows=rows, fields=fields, user=user, label=label
            )
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def organization_create(
    *,
    acting_user,
    data: Mapping[str, Any],
    names: Rows = None,
    identifiers: Rows = None,
    facts: Rows = None,
    allow_similar: bool = False,
) -> Organization:
    """Create an organisation with its names, identifiers and facts, all or nothing.

    Unless ``allow_similar`` is given, refuses with ``SimilarOrganizationsExist`` when the
    name or one of the other names is close to an organisation that already exists, so the
    user can pick the existing one instead of creating a duplicate.
    """
    core.require(acting_user, ADD)
    org = Organization()
    _apply(org, data, ORGANIZATION_FIELDS)
    if org.is_home and not user_can(acting_user, ADMINISTER):
        raise PermissionDenied(_("Only administrators can create home organisations."))
    if org.owner_id is None and not org.is_home:
        org.owner = acting_user.home_organization
    _check_owner(acting_user, org.owner)
    _check_visible(acting_user, "parent", org.parent)
    if org.parent_id and org.is_home:
        _check_owner(acting_user, org.parent)
    if not allow_similar:
        similar = organization_similar(
            names=[org.name, *((row.get("name") or "") for row in names or [])], user=acting_user
        )
        if similar:
            raise SimilarOrganizationsExist(similar)
    core.save(org, acting_user)
    _save_children(org, acting_user, names, identifiers, facts)
    organization_refresh_search(org)
    return org


@transaction.atomic
def organization_update(
    *,
    organization: Organization,
    acting_user,
    data: Mapping[str, Any],
    names: Rows = None,
    identifiers: Rows = None,
    facts: Rows = None,
    expected_updated_at=None,
) -> Organization:
    """Change an organisation and, when given, its child rows; refuse to overwrite a newer edit."""
    core.require(acting_user, CHANGE)
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    if not Organization.objects.restrict(acting_user, CHANGE).filter(pk=org.pk).exists():
        raise PermissionDenied(_("You cannot change this organisation."))
    core.check_version(org, expected_updated_at)
    was_home = org.is_home
    _apply(org, data, ORGANIZATION_FIELDS)
    if org.is_home != was_home and not user_can(acting_user, ADMINISTER):
        raise PermissionDenied(_("Only administrators can mark home organisations."))
    if "owner" in data:
        _check_owner(acting_user, org.owner)
    if "parent" in data:
        _check_visible(acting_user, "parent", org.parent)
    core.save(org, acting_user)
    _save_children(org, acting_user, names, identifiers, facts)
    organization_refresh_search(org)
    return org


@transaction.atomic
def organization_delete(*, organization: Organization, acting_user) -> None:
    core.require(acting_user, DELETE)
    if not Organization.objects.restrict(acting_user, DELETE).filter(pk=organization.pk).exists():
        raise PermissionDenied(_("You cannot delete this organisation."))
    blockers = []
    if organization.is_home and organization.users.exists():
        blockers.append(_("it has users"))
    if organization.units.exists():
        blockers.append(_("it has units"))
    if organization.people.exists():
        blockers.append(_("people are affiliated with it"))
    if blockers:
        raise ValidationError(
            _("%(name)s cannot be deleted: %(reasons)s. Merge it into another organisation instead.")
            % {"name": organization.name, "reasons": ", ".join(str(b) for b in blockers)}
        )
    for child in [*organization.names.all(), *organization.identifiers.all(), *organization.facts.all()]:
        core.delete(child, acting_user)
    core.delete(organization, acting_user)


@transaction.atomic
def organization_merge(*, source: Organization, target: Organization, acting_user) -> Organization:
    """Merge ``source`` into ``target``: every reference and name moves, nothing is lost.

    ``source`` stays as a record pointing to ``target`` (its page redirects there), so its
    history and any link to it remain readable. Its name becomes an alias of ``target``.
    """
    core.require(acting_user, CHANGE)
    allowed = set(
        Organization.objects.restrict(acting_user, CHANGE)
        .filter(pk__in=[source.pk, target.pk])
        .values_list("pk", flat=True)
    )
    if allowed != {source.pk, target.pk}:
        raise PermissionDenied(_("You can merge only organisations you can change."))
    if source.pk == target.pk:
        raise ValidationError(_("An organisation cannot be merged into itself."))
    if source.merged_into_id or target.merged_into_id:
        raise ValidationError(_("This organisation was already merged."))
    if source.is_home:
        raise ValidationError(_("A home organisation cannot be merged away; it has users and records."))
    ancestor = target.parent
    while ancestor is not None:
        if ancestor.pk == source.pk:
            raise ValidationError(_("%(target)s is a unit of %(source)s.") % {"target": target, "source": source})
        ancestor = ancestor.parent

    existing_names = {(fold(n.name), n.language) for n in target.names.all()} | {
        (fold(target.name), target.name_language)
    }
    if (fold(source.name), source.name_language) not in existing_names:
        core.save(
            OrganizationName(organization=target, name=source.name, language=source.name_language, kind=NameKind.ALIAS),
            acting_user,
        )
    for relation in Organization._meta.related_objects:
        field = relation.field
        if (
            relation.many_to_many
            or field.name == "merged_into"
            or relation.related_model.__name__.startswith("Historical")
        ):
            continue
        for row in relation.related_model._default_manager.filter(**{field.name: source}):
            setattr(row, field.name, target)
            try:
                with transaction.atomic():
                    core.save(row, acting_user, validate=False)
            except IntegrityError:
                # The target already has this entry (the same name or fact): the copy goes.
                core.delete(relation.related_model._default_manager.get(pk=row.pk), acting_user)
    _move_citations(source, target, acting_user)
    source.merged_into = target
    source.shared = False
    core.save(source, acting_user, validate=False)
    organization_refresh_search(target)
    organization_refresh_search(source)
    return target


def _move_citations(source: Organization, target: Organization, user) -> None:
    from django.contrib.contenttypes.models import ContentType

    from accord.sources.models import Citation

    content_type = ContentType.objects.get_for_model(Organization)
    for citation in Citation.objects.filter(content_type=content_type, object_id=source.pk):
        citation.object_id = target.pk
        core.save(citation, user, validate=False)


def _person_search(person: Person) -> str:
    return " | ".join(fold(part) for part in [person.name, person.other_names, person.email, person.position] if part)


@transaction.atomic
def person_create(*, acting_user, data: Mapping[str, Any]) -> Person:
    core.require(acting_user, ADD)
    person = Person()
    _apply(person, data, PERSON_FIELDS)
    if person.owner_id is None:
        person.owner = acting_user.home_organization
    _check_owner(acting_user, person.owner)
    _check_visible(acting_user, "affiliation", person.affiliation)
    person.search_text = _person_search(person)
    person.sort_name = fold(person.name)[:255]
    return core.save(person, acting_user)


@transaction.atomic
def person_update(*, person: Person, acting_user, data: Mapping[str, Any], expected_updated_at=None) -> Person:
    core.require(acting_user, CHANGE)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not Person.objects.restrict(acting_user, CHANGE).filter(pk=person.pk).exists():
        raise PermissionDenied(_("You cannot change this person."))
    core.check_version(person, expected_updated_at)
    _apply(person, data, PERSON_FIELDS)
    _check_owner(acting_user, person.owner)
    if "affiliation" in data:
        _check_visible(acting_user, "affiliation", person.affiliation)
    person.search_text = _person_search(person)
    person.sort_name = fold(person.name)[:255]
    return core.save(person, acting_user)


@transaction.atomic
def person_delete(*, person: Person, acting_user) -> None:
    core.require(acting_user, DELETE)
    if not Person.objects.restrict(acting_user, DELETE).filter(pk=person.pk).exists():
        raise PermissionDenied(_("You cannot delete this person."))
    core.delete(person, acting_user)
