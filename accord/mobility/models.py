"""Programmes, calls and the selection of applicants, and mobilities (a person's stay abroad)."""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accord.agreements.choices import CefrLevel
from accord.agreements.isced import parse_isced_list, validate_isced_list
from accord.core.models import BaseModel
from accord.core.tenancy import owner_q, prefixed_q
from accord.partners import geo
from accord.partners.languages import language_choices, validate_language

ACADEMIC_YEAR = re.compile(r"^(\d{4})/(\d{4})$")
NOT_NEGATIVE = MinValueValidator(0, message=_("A number cannot be negative."))
SCORE = [
    MinValueValidator(0, message=_("A score is between 0 and 100.")),
    MaxValueValidator(100, message=_("A score is between 0 and 100.")),
]


def validate_academic_year(value: str) -> None:
    match = ACADEMIC_YEAR.match(value or "")
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise ValidationError(_("Write the academic year as 2025/2026."))


def academic_year_of(day: datetime.date) -> str:
    start = settings.ACCORD_ACADEMIC_YEAR_START_MONTH
    first = day.year if day.month >= start else day.year - 1
    return f"{first}/{first + 1}"


def months_between(start: datetime.date | None, end: datetime.date | None) -> Decimal:
    """The length of a stay in months (30.44 days each), to one decimal."""
    if not start or not end or end < start:
        return Decimal(0)
    days = (end - start).days + 1
    return (Decimal(days) / Decimal("30.4375")).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class ProgrammeKind(models.TextChoices):
    JOINT_TRAINING = "joint_training", _("Joint training")
    EXCHANGE = "exchange", _("Exchange")
    SCHOLARSHIP = "scholarship", _("Scholarship")
    VOLUNTEER = "volunteer", _("Volunteer programme")
    SUMMER = "summer", _("Summer programme")
    ONLINE_COURSE = "online_course", _("Online course")
    LANGUAGE_COURSE = "language_course", _("Language course")
    TRAINING_COURSE = "training_course", _("Training course")


class DegreeAward(models.TextChoices):
    NONE = "", _("No degree")
    HOME = "home", _("Home institution's degree")
    PARTNER = "partner", _("Partner's degree")
    DOUBLE = "double", _("Double degree (one from each)")
    JOINT = "joint", _("Joint degree (one awarded together)")


class StudyLevel(models.TextChoices):
    SECONDARY = "secondary", _("Secondary school")
    BACHELOR = "bachelor", _("Bachelor")
    MASTER = "master", _("Master")
    DOCTORATE = "doctorate", _("Doctorate")
    STAFF = "staff", _("Staff")


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    SELECTED = "selected", _("Selection proposed")
    CONFIRMED = "confirmed", _("Selection confirmed")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    SELECTED = "selected", _("Selected")
    WAITLISTED = "waitlisted", _("Waiting list")
    INELIGIBLE = "ineligible", _("Not eligible")
    NOMINATED = "nominated", _("Nominated")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("Outgoing")
    INCOMING = "incoming", _("Incoming")


class Category(models.TextChoices):
    STUDENT = "student", _("Student")
    LECTURER = "lecturer", _("Lecturer")
    STAFF = "staff", _("Staff")
    VOLUNTEER = "volunteer", _("Volunteer")
    EXPERT = "expert", _("Expert")
    TRAINEE = "trainee", _("Trainee")


class MobilityStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    CONFIRMED = "confirmed", _("Confirmed")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Gender(models.TextChoices):
    FEMALE = "f", _("Female")
    MALE = "m", _("Male")
    OTHER = "x", _("Other / not stated")


# A CEFR level as a language score out of 100, for the selection formula.
CEFR_POINTS = {"A1": 0, "A2": 20, "B1": 40, "B2": 60, "C1": 80, "C2": 100}
CEFR_ORDER = ["A1", "A2", "B1", "B2", "C1", "C2"]


class Programme(BaseModel):
    """A programme the office runs with partners: a 2+2 joint training, an exchange, a scholarship…"""

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=ProgrammeKind.choices)
    owner = models.ForeignKey(
        "partners.Organization",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_programmes",
        limit_choices_to={"is_home": True},
    )
    funder = models.ForeignKey(
        "partners.Organization",
        verbose_name=_("funder"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funded_programmes",
    )
    partners = models.ManyToManyField(
        "partners.Organization", verbose_name=_("partners"), blank=True, related_name="programmes"
    )
    agreements = models.ManyToManyField(
        "agreements.Agreement", verbose_name=_("agreements"), blank=True, related_name="programmes"
    )
    commitments = models.ManyToManyField(
        "agreements.Commitment", verbose_name=_("commitments"), blank=True, related_name="programmes"
    )
    years_home = models.DecimalField(
        _("years at home"), max_digits=3, decimal_places=1, null=True, blank=True, validators=[NOT_NEGATIVE]
    )
    years_abroad = models.DecimalField(
        _("years abroad"), max_digits=3, decimal_places=1, null=True, blank=True, validators=[NOT_NEGATIVE]
    )
    degree = models.CharField(_("degree awarded"), max_length=8, choices=DegreeAward.choices, blank=True)
    degree_note = models.CharField(_("about the degree"), max_length=300, blank=True)
    level = models.CharField(_("level of study"), max_length=12, choices=StudyLevel.choices, blank=True)
    subject_areas = models.CharField(
        _("subject areas (ISCED-F)"), max_length=255, blank=True, validators=[validate_isced_list]
    )
    language = models.CharField(
        _("language of instruction"),
        max_length=16,
        choices=language_choices,
        blank=True,
        validators=[validate_language],
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("to"), null=True, blank=True, help_text=_("Leave empty if it runs on."))
    description = models.TextField(_("description"), blank=True)
    search_text = models.TextField(editable=False, default="")

    citations = GenericRelation("sources.Citation", related_query_name="programme")

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("mobility:programme_detail", args=[self.pk])

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return owner_q("owner", scope)

    @property
    def structure(self) -> str:
        """``2+2`` for two years at home then two abroad."""
        if self.years_home is None or self.years_abroad is None:
            return ""
        return f"{self.years_home.normalize():f}+{self.years_abroad.normalize():f}"

    @property
    def isced_codes(self) -> list[str]:
        return parse_isced_list(self.subject_areas)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not (self.name or "").strip():
            errors["name"] = _("The name cannot be empty.")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end cannot come before the start.")
        if (self.years_home is None) != (self.years_abroad is None):
            errors["years_abroad"] = _("Give both the years at home and the years abroad, or neither.")
        if errors:
            raise ValidationError(errors)


class Call(BaseModel):
    """A call for applications to a programme for one academic year, and how applicants are scored."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="calls"
    )
    owner = models.ForeignKey(
        "partners.Organization",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_calls",
        limit_choices_to={"is_home": True},
    )
    title = models.CharField(_("title"), max_length=300)
    academic_year = models.CharField(_("academic year"), max_length=9, validators=[validate_academic_year])
    host = models.ForeignKey(
        "partners.Organization",
        verbose_name=_("host institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_calls",
        help_text=_("Where the selected go; empty if they go to the programme's partners."),
    )
    agreement = models.ForeignKey(
        "agreements.Agreement",
        verbose_name=_("agreement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )
    commitment = models.ForeignKey(
        "agreements.Commitment",
        verbose_name=_("commitment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )
    allocation = models.ForeignKey(
        "funding.Allocation",
        verbose_name=_("quota used"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )
    places = models.IntegerField(
        _("places"), validators=[MinValueValidator(0, message=_("The number of places cannot be negative."))]
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    mobility_starts_on = models.DateField(_("stay from"), null=True, blank=True)
    mobility_ends_on = models.DateField(_("stay to"), null=True, blank=True)
    # Eligibility
    gpa_scale = models.DecimalField(
        _("GPA scale"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("4"),
        validators=[MinValueValidator(Decimal("1"), message=_("The GPA scale must be at least 1."))],
        help_text=_("The highest GPA: 4, 10 or 100."),
    )
    min_gpa = models.DecimalField(_("minimum GPA"), max_digits=5, decimal_places=2, null=True, blank=True)
    min_cefr = models.CharField(_("minimum CEFR level"), max_length=2, choices=CefrLevel.choices, blank=True)
    subject_areas = models.CharField(
        _("fields (ISCED-F)"),
        max_length=255,
        blank=True,
        validators=[validate_isced_list],
        help_text=_("Empty for every field."),
    )
    levels = models.CharField(
        _("levels of study"), max_length=100, blank=True, help_text=_("Separated by commas; empty for every level.")
    )
    # Scoring
    weight_gpa = models.DecimalField(
        _("weight of the GPA"), max_digits=5, decimal_places=2, default=Decimal("50"), validators=[NOT_NEGATIVE]
    )
    weight_language = models.DecimalField(
        _("weight of the language level"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
        validators=[NOT_NEGATIVE],
    )
    weight_interview = models.DecimalField(
        _("weight of the interview"), max_digits=5, decimal_places=2, default=Decimal("30"), validators=[NOT_NEGATIVE]
    )
    weight_other = models.DecimalField(
        _("weight of other criteria"), max_digits=5, decimal_places=2, default=Decimal("0"), validators=[NOT_NEGATIVE]
    )
    other_label = models.CharField(_("other criteria"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CallStatus.choices, default=CallStatus.OPEN, editable=False
    )
    selected_at = models.DateTimeField(_("selection run at"), null=True, blank=True, editable=False)
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("selection confirmed at"), null=True, blank=True, editable=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-closes_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("mobility:call_detail", args=[self.pk])

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return owner_q("owner", scope)

    @property
    def weights(self) -> dict[str, Decimal]:
        return {
            "gpa": self.weight_gpa,
            "language": self.weight_language,
            "interview": self.weight_interview,
            "other": self.weight_other,
        }

    @property
    def level_list(self) -> list[str]:
        return [v.strip() for v in self.levels.split(",") if v.strip()]

    @property
    def is_open_for_changes(self) -> bool:
        return self.status != CallStatus.CONFIRMED

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not (self.title or "").strip():
            errors["title"] = _("The title cannot be empty.")
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            errors["closes_on"] = _("The call cannot close before it opens.")
        if self.min_gpa is not None and self.gpa_scale and not 0 <= self.min_gpa <= self.gpa_scale:
            errors["min_gpa"] = _("The minimum GPA must lie between 0 and the scale (%(scale)s).") % {
                "scale": self.gpa_scale.normalize()
            }
        if self.mobility_starts_on and self.mobility_ends_on and self.mobility_ends_on < self.mobility_starts_on:
            errors["mobility_ends_on"] = _("The stay cannot end before it starts.")
        programme = self.programme if self.programme_id else None
        if programme is not None:
            # The nominated get mobilities of these dates; they must lie within the programme.
            if programme.starts_on and self.mobility_starts_on and self.mobility_starts_on < programme.starts_on:
                errors["mobility_starts_on"] = _("The programme starts on %(date)s; the stays cannot start before.") % {
                    "date": programme.starts_on.isoformat()
                }
            if programme.ends_on and self.mobility_ends_on and self.mobility_ends_on > programme.ends_on:
                errors["mobility_ends_on"] = _("The programme ends on %(date)s; the stays cannot end after.") % {
                    "date": programme.ends_on.isoformat()
                }
        unknown = [v for v in self.level_list if v not in StudyLevel.values]
        if unknown:
            errors["levels"] = _("Unknown level of study: %(levels)s. Use %(known)s.") % {
                "levels": ", ".join(unknown),
                "known": ", ".join(StudyLevel.values),
            }
        if sum(w or 0 for w in self.weights.values()) <= 0:
            errors["weight_gpa"] = _("At least one weight must be above zero.")
        if errors:
            raise ValidationError(errors)


class Application(BaseModel):
    """Someone's application to a call: who they are, their results, and the selection's outcome.

    Personal data (name, e-mail, student number, birth date) is shown only to editors and above
    of the owner organisation; the others see the application's number.
    """

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="applications")
    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    student_number = models.CharField(_("student number"), max_length=40, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    fictitious = models.BooleanField(_("fictitious (demo)"), default=False)
    # The same person applying twice is caught on this key: the student number, else the e-mail, else the name.
    applicant_key = models.CharField(max_length=200, editable=False)
    home_unit = models.ForeignKey(
        "partners.Organization",
        verbose_name=_("home unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    level = models.CharField(_("level of study"), max_length=12, choices=StudyLevel.choices, blank=True)
    subject_area = models.CharField(_("field (ISCED-F)"), max_length=4, blank=True, validators=[validate_isced_list])
    gpa = models.DecimalField(_("GPA"), max_digits=5, decimal_places=2, null=True, blank=True)
    language_certificate = models.CharField(_("language certificate"), max_length=120, blank=True)
    language_level = models.CharField(_("language level (CEFR)"), max_length=2, choices=CefrLevel.choices, blank=True)
    interview_score = models.DecimalField(
        _("interview score"), max_digits=5, decimal_places=2, null=True, blank=True, validators=SCORE
    )
    other_score = models.DecimalField(
        _("other score"), max_digits=5, decimal_places=2, null=True, blank=True, validators=SCORE
    )
    submitted_on = models.DateField(_("submitted on"))
    note = models.TextField(_("note"), blank=True)
    # Written by the selection
    status = models.CharField(
        _("outcome"),
        max_length=12,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
        editable=False,
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True, editable=False)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True, editable=False)
    explanation = models.JSONField(_("explanation"), default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["call", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "applicant_key"], name="unique_applicant_per_call"),
        ]
        indexes = [models.Index(fields=["call", "status"])]

    def __str__(self) -> str:
        return _("Application %(number)s") % {"number": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("mobility:application_detail", args=[self.pk])

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return prefixed_q(Call.tenancy_q(scope, action), "call__")

    @staticmethod
    def key_for(student_number: str, email: str, full_name: str, date_of_birth=None) -> str:
        from accord.core.text import fold

        if (student_number or "").strip():
            return "n:" + student_number.strip().lower()
        if (email or "").strip():
            return "e:" + email.strip().lower()
        return "p:" + fold(full_name or "") + (f":{date_of_birth}" if date_of_birth else "")

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.student_number = (self.student_number or "").strip()
        self.email = (self.email or "").strip()
        if not (self.full_name or "").strip():
            errors["full_name"] = _("Give the applicant's name.")
        call = self.call if self.call_id else None
        if call is not None:
            if self.gpa is not None and not 0 <= self.gpa <= call.gpa_scale:
                errors["gpa"] = _("The GPA must lie between 0 and %(scale)s, the scale of this call.") % {
                    "scale": call.gpa_scale.normalize()
                }
            if self.submitted_on and call.closes_on and self.submitted_on > call.closes_on:
                errors["submitted_on"] = _("The call closed on %(date)s; this application came after.") % {
                    "date": call.closes_on.isoformat()
                }
            if self.submitted_on and call.opens_on and self.submitted_on < call.opens_on:
                errors["submitted_on"] = _("The call opened on %(date)s; this application came before.") % {
                    "date": call.opens_on.isoformat()
                }
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.applicant_key = self.key_for(self.student_number, self.email, self.full_name, self.date_of_birth)
        super().save(*args, **kwargs)


def application_document_path(instance, filename: str) -> str:
    import uuid

    return f"applications/{instance.application_id}/{uuid.uuid4().hex}"


class ApplicationDocument(BaseModel):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(_("name"), max_length=255)
    file = models.FileField(upload_to=application_document_path, max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("mobility:application_document", args=[self.pk])

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return prefixed_q(Call.tenancy_q(scope, action), "application__call__")


class Mobility(BaseModel):
    """A person's stay: a student going to Japan, a volunteer coming to teach, a lecturer's visit.

    ``partner`` is the other side (the host of an outgoing stay, the sending organisation of an
    incoming one), ``months`` and ``academic_year`` are kept by save() so the exchange balance
    is summed by the database.
    """

    owner = models.ForeignKey(
        "partners.Organization",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_mobilities",
        limit_choices_to={"is_home": True},
    )
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    # Personal data
    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    student_number = models.CharField(_("student number"), max_length=40, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True, validators=[geo.validate_country])
    fictitious = models.BooleanField(_("fictitious (demo)"), default=False)
    person = models.ForeignKey(
        "partners.Person",
        verbose_name=_("person in the directory"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mobilities",
    )
    # Where
    home_organization = models.ForeignKey(
        "partners.Organization",
        verbose_name=_("sending organisation"),
        on_delete=models.PROTECT,
        related_name="sent_mobilities",
    )
    host_organization = models.ForeignKey(
        "partners.Organization",
        verbose_name=_("host organisation"),
        on_delete=models.PROTECT,
        related_name="hosted_mobilities",
    )
    partner = models.ForeignKey(
        "partners.Organization", on_delete=models.PROTECT, related_name="partner_mobilities", editable=False
    )
    # Why
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mobilities",
    )
    agreement = models.ForeignKey(
        "agreements.Agreement",
        verbose_name=_("agreement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mobilities",
    )
    commitment = models.ForeignKey(
        "agreements.Commitment",
        verbose_name=_("commitment fulfilled"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mobilities",
    )
    allocation = models.ForeignKey(
        "funding.Allocation",
        verbose_name=_("quota or funding"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mobilities",
    )
    application = models.OneToOneField(
        Application,
        verbose_name=_("application"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mobility",
    )
    funding_amount = models.DecimalField(
        _("funding amount"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[NOT_NEGATIVE]
    )
    funding_note = models.CharField(_("funding"), max_length=300, blank=True)
    level = models.CharField(_("level of study"), max_length=12, choices=StudyLevel.choices, blank=True)
    subject_area = models.CharField(_("field (ISCED-F)"), max_length=4, blank=True, validators=[validate_isced_list])
    # When
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=MobilityStatus.choices, default=MobilityStatus.NOMINATED, editable=False
    )
    cancellation_reason = models.TextField(_("reason for cancellation"), blank=True, editable=False)
    academic_year = models.CharField(_("academic year"), max_length=9, editable=False, db_index=True)
    months = models.DecimalField(_("months"), max_digits=6, decimal_places=1, default=Decimal(0), editable=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("mobility")
        verbose_name_plural = _("mobilities")
        ordering = ["-planned_start", "-id"]
        indexes = [
            # The dashboard's and the report's figures are counted from these two indexes alone
            # (covering: no row of the table is read).
            models.Index(
                fields=["academic_year", "direction", "owner", "category", "status", "months", "partner"],
                name="mobility_figures",
            ),
            models.Index(fields=["owner", "academic_year"]),
            models.Index(
                fields=["direction", "planned_start", "owner", "category", "status"], name="mobility_period_counts"
            ),
            models.Index(fields=["actual_start", "planned_start"], name="mobility_starts"),
            # A year's list in its order (newest start first): the first page without sorting the year.
            models.Index(fields=["academic_year", "-planned_start", "-id"], name="mobility_year_order"),
            models.Index(fields=["partner", "academic_year"]),
            models.Index(fields=["agreement", "academic_year"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self) -> str:
        return _("Mobility %(number)s") % {"number": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("mobility:mobility_detail", args=[self.pk])

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return owner_q("owner", scope)

    @property
    def starts(self) -> datetime.date:
        return self.actual_start or self.planned_start

    @property
    def ends(self) -> datetime.date:
        return self.actual_end or self.planned_end

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not (self.full_name or "").strip():
            errors["full_name"] = _("Give the person's name.")
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors["planned_end"] = _("The stay cannot end before it starts.")
        if self.actual_start and self.actual_end and self.actual_end < self.actual_start:
            errors["actual_end"] = _("The stay cannot end before it starts.")
        if self.home_organization_id and self.home_organization_id == self.host_organization_id:
            errors["host_organization"] = _("The host must differ from the sending organisation.")
        programme = self.programme if self.programme_id else None
        if programme is not None and self.planned_start and self.planned_end:
            if programme.starts_on and self.planned_start < programme.starts_on:
                errors["planned_start"] = _("The programme starts on %(date)s; the stay cannot start before.") % {
                    "date": programme.starts_on.isoformat()
                }
            if programme.ends_on and self.planned_end > programme.ends_on:
                errors["planned_end"] = _("The programme ends on %(date)s; the stay cannot end after.") % {
                    "date": programme.ends_on.isoformat()
                }
        if self.commitment_id and self.agreement_id and self.commitment.agreement_id != self.agreement_id:
            errors["commitment"] = _("This commitment belongs to another agreement.")
        if errors:
            raise ValidationError(errors)

    def derive(self) -> None:
        """Set the fields kept from the others: partner, academic year, months (and the agreement of a commitment)."""
        if self.commitment_id and not self.agreement_id:
            self.agreement_id = self.commitment.agreement_id
        self.partner_id = (
            self.host_organization_id if self.direction == Direction.OUTGOING else self.home_organization_id
        )
        self.academic_year = academic_year_of(self.starts)
        self.months = months_between(self.starts, self.ends)

    def save(self, *args, **kwargs):
        self.derive()
        super().save(*args, **kwargs)
