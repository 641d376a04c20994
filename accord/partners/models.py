"""The partner directory: organisations with their names, identifiers and facts, and people."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accord.core.models import BaseModel
from accord.core.tenancy import VIEW, owner_q, prefixed_q
from accord.partners import geo
from accord.partners.choices import FactMetric, IdentifierScheme, NameKind, OrganizationKind
from accord.partners.languages import language_choices, validate_language, validate_language_list


class Organization(BaseModel):
    """A university, school, ministry, agency, company or any body we cooperate with.

    The directory is shared: an organisation is visible to every user unless it is marked
    private, in which case only its owner's scope sees it. Changing an organisation is for
    editors of its owner (or of the home organisation itself). Home organisations are the
    tenants: users belong to them and records are owned by them; ``parent`` makes both units
    (faculty under university) and oversight (schools under a provincial department).
    """

    kind = models.CharField(_("kind"), max_length=32, choices=OrganizationKind.choices)
    name = models.CharField(_("name"), max_length=255, help_text=_("The name most users know it by."))
    name_language = models.CharField(
        _("language of the name"), max_length=16, choices=language_choices, blank=True, validators=[validate_language]
    )
    country = models.CharField(_("country"), max_length=2, blank=True, validators=[geo.validate_country])
    subdivision = models.CharField(
        _("subdivision"), max_length=8, blank=True, help_text=_("ISO 3166-2 code, such as VN-13 for Quảng Ninh.")
    )
    city = models.CharField(_("city"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        help_text=_("The organisation this one is a unit of, or that oversees it."),
    )
    is_home = models.BooleanField(
        _("home organisation"), default=False, help_text=_("Home organisations have users and own records.")
    )
    owner = models.ForeignKey(
        "self",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_organizations",
        limit_choices_to={"is_home": True},
        help_text=_("The home organisation that keeps this record."),
    )
    shared = models.BooleanField(
        _("shared in the directory"), default=True, help_text=_("Unshared records are seen only by their owner.")
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        editable=False,
    )
    notes = models.TextField(_("notes"), blank=True)
    # Every name, abbreviation, identifier and the city, folded (see accord.core.text.fold),
    # so that a search is one indexed-friendly column scan without joins.
    search_text = models.TextField(editable=False, default="")
    # The name folded, so that "Quảng Ninh" sorts with "Quang Ninh" and "Đại học" with "Dai hoc"
    # whatever the database's collation.
    sort_name = models.CharField(max_length=255, editable=False, default="", db_index=True)

    citations = GenericRelation("sources.Citation", related_query_name="organization")

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["sort_name", "id"]
        indexes = [
            models.Index(fields=["country", "subdivision"]),
            models.Index(fields=["kind"]),
            models.Index(fields=["is_home"]),
            models.Index(fields=["name"]),
            # The tree of home organisations (accord.core.tenancy.home_tree), read on every request:
            # a few hundred rows among a hundred thousand organisations, read from this index alone.
            models.Index(fields=["parent"], condition=models.Q(is_home=True), name="org_home_tree"),
            # Lists of organisations not merged away, in their order: the first page is read from
            # the index without sorting a hundred thousand rows.
            models.Index(fields=["merged_into", "sort_name", "id", "owner", "shared"], name="org_list_order"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:organization_detail", args=[self.pk])

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        mine = owner_q("owner", scope) | Q(id__in=scope)
        return mine | Q(shared=True) if action == VIEW else mine

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.subdivision:
            self.subdivision = self.subdivision.strip().upper()
            message = geo.subdivision_error(self.country, self.subdivision)
            if message:
                errors["subdivision"] = message
        if self.country:
            self.country = self.country.strip().upper()
        if self.parent_id and self.pk:
            ancestor, seen = self.parent, set()
            while ancestor is not None and ancestor.pk not in seen:
                if ancestor.pk == self.pk:
                    errors["parent"] = _("An organisation cannot be part of itself or of one of its units.")
                    break
                seen.add(ancestor.pk)
                ancestor = ancestor.parent
        if not (self.name or "").strip():
            errors["name"] = _("The name cannot be empty.")
        if errors:
            raise ValidationError(errors)

    def label(self, language: str | None = None) -> str:
        """The name to show to a reader of ``language``: their language's name if known.

        Uses prefetched names when present, so lists stay at a bounded number of queries.
        """
        language = (language or get_language() or "en").split("-")[0]
        if self.name_language.split("-")[0] == language:
            return self.name
        names = self._prefetched_objects_cache.get("names") if hasattr(self, "_prefetched_objects_cache") else None
        if names is None:
            return self.name
        for kind in (NameKind.OFFICIAL, NameKind.SHORT):
            for name in names:
                if name.kind == kind and name.language.split("-")[0] == language:
                    return name.name
        return self.name

    @property
    def country_name(self) -> str:
        return geo.country_name(self.country)

    @property
    def subdivision_name(self) -> str:
        return geo.subdivision_name(self.subdivision)


class OrganizationName(BaseModel):
    """One name of an organisation in one language and script: official, short, abbreviation…"""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(_("name"), max_length=255)
    language = models.CharField(
        _("language"), max_length=16, choices=language_choices, blank=True, validators=[validate_language]
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NameKind.choices, default=NameKind.OFFICIAL)

    class Meta:
        verbose_name = _("name")
        verbose_name_plural = _("names")
        ordering = ["kind", "language", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name", "language"], name="unique_organization_name")
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return prefixed_q(Organization.tenancy_q(scope, action), "organization__")

    def clean(self) -> None:
        if not (self.name or "").strip():
            raise ValidationError({"name": _("The name cannot be empty.")})


_PIC = RegexValidator(r"^\d{9}$", _("A PIC has nine digits."))
_SCHAC = RegexValidator(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
    _("A SCHAC code is a lower-case domain name, such as uni-osaka.ac.jp."),
)
_ERASMUS = RegexValidator(
    r"^[A-Z]{1,3}\s{1,3}[A-Z\-]{1,8}\d{2,3}$", _("An Erasmus code looks like 'F  PARIS001' or 'D  BERLIN01'.")
)


class OrganizationIdentifier(BaseModel):
    """A code that identifies an organisation in another system (EWP, Erasmus, EU, national)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(_("scheme"), max_length=16, choices=IdentifierScheme.choices)
    value = models.CharField(_("value"), max_length=255)

    class Meta:
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        ordering = ["scheme", "value"]
        constraints = [models.UniqueConstraint(fields=["scheme", "value"], name="unique_identifier")]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()}: {self.value}"

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return prefixed_q(Organization.tenancy_q(scope, action), "organization__")

    def clean(self) -> None:
        self.value = (self.value or "").strip()
        if self.scheme == IdentifierScheme.SCHAC:
            self.value = self.value.lower()
        validators = {IdentifierScheme.PIC: _PIC, IdentifierScheme.SCHAC: _SCHAC, IdentifierScheme.ERASMUS: _ERASMUS}
        if not self.value:
            raise ValidationError({"value": _("The identifier cannot be empty.")})
        if self.scheme in validators:
            try:
                validators[self.scheme](self.value)
            except ValidationError as exc:
                raise ValidationError({"value": exc.messages}) from exc


class OrganizationFact(BaseModel):
    """A yearly figure about an organisation (students: 500,000 in 2025) and where it comes from."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="facts")
    metric = models.CharField(_("metric"), max_length=32, choices=FactMetric.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=255, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True, help_text=_("Where the figure comes from."))

    class Meta:
        verbose_name = _("fact")
        verbose_name_plural = _("facts")
        ordering = ["-year", "metric"]
        constraints = [models.UniqueConstraint(fields=["organization", "metric", "year", "note"], name="unique_fact")]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.year}: {self.value}"

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return prefixed_q(Organization.tenancy_q(scope, action), "organization__")

    def clean(self) -> None:
        if self.year is not None and not 1800 <= self.year <= 2200:
            raise ValidationError({"year": _("Enter a year between 1800 and 2200.")})
        if self.value is not None and self.value < 0:
            raise ValidationError({"value": _("A figure cannot be negative.")})


class Person(BaseModel):
    """Someone we deal with: a rector, a delegation member, a contact, later a mobile student.

    People are kept by a home organisation and seen only inside its scope.
    """

    honorific = models.CharField(_("honorific"), max_length=40, blank=True, help_text=_("Dr., Prof., Ms., Mr."))
    name = models.CharField(_("name"), max_length=255)
    other_names = models.TextField(
        _("other forms of the name"), blank=True, help_text=_("One per line: other scripts or spellings.")
    )
    position = models.CharField(_("position"), max_length=255, blank=True)
    affiliation = models.ForeignKey(
        Organization,
        verbose_name=_("affiliation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=40,
        blank=True,
        validators=[RegexValidator(r"^\+?[\d\s().\-]{5,40}$", _("Enter a phone number such as +84 203 3821 234."))],
    )
    languages = models.CharField(
        _("languages"),
        max_length=120,
        blank=True,
        validators=[validate_language_list],
        help_text=_("Language codes separated by commas, such as vi, en, zh-Hans."),
    )
    owner = models.ForeignKey(
        Organization,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_people",
        limit_choices_to={"is_home": True},
    )
    notes = models.TextField(_("notes"), blank=True)
    search_text = models.TextField(editable=False, default="")
    sort_name = models.CharField(max_length=255, editable=False, default="", db_index=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["sort_name", "id"]

    def __str__(self) -> str:
        return f"{self.honorific} {self.name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("partners:person_detail", args=[self.pk])

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return owner_q("owner", scope)

    def clean(self) -> None:
        if not (self.name or "").strip():
            raise ValidationError({"name": _("The name cannot be empty.")})
