from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    COLLEGE = "college", _("College")
    VOCATIONAL_SCHOOL = "vocational_school", _("Vocational school")
    SCHOOL = "school", _("School")
    GOVERNMENT_BODY = "government_body", _("Government body")
    AGENCY = "agency", _("Agency")
    COMPANY = "company", _("Company")
    ASSOCIATION = "association", _("Association")
    OTHER = "other", _("Other")


class NameKind(models.TextChoices):
    OFFICIAL = "official", _("Official")
    SHORT = "short", _("Short")
    ABBREVIATION = "abbreviation", _("Abbreviation")
    ALIAS = "alias", _("Alias")
    FORMER = "former", _("Former")


class IdentifierScheme(models.TextChoices):
    SCHAC = "schac", _("SCHAC (EWP hei-id)")
    ERASMUS = "erasmus", _("Erasmus code")
    PIC = "pic", _("PIC")
    NATIONAL = "national", _("National code")
    OTHER = "other", _("Other")


class FactMetric(models.TextChoices):
    STUDENTS = "students", _("Students")
    INSTITUTIONS = "institutions", _("Educational institutions")
    VOCATIONAL_INSTITUTIONS = "vocational_institutions", _("Vocational training institutions")
    STAFF = "staff", _("Staff")
    TEACHERS = "teachers", _("Teachers")
    INTERNATIONAL_STUDENTS = "international_students", _("International students")
    PROGRAMMES = "programmes", _("Programmes")
    OTHER = "other", _("Other")


# Languages (with script where it matters) offered for names of organisations and people.
NAME_LANGUAGES = [
    "vi",
    "en",
    "fr",
    "th",
    "zh-Hans",
    "zh-Hant",
    "ja",
    "ko",
    "de",
    "lo",
    "km",
    "ru",
    "es",
    "id",
    "ms",
    "my",
    "pt",
    "it",
    "nl",
    "ar",
    "la",
    "und-Latn",
]
