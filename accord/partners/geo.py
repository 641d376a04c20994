"""Countries (ISO 3166-1) and subdivisions (ISO 3166-2) from pycountry, named in the UI language."""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _


@lru_cache(maxsize=16)
def _catalogue(domain: str, language: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


def _ui_language() -> str:
    return (get_language() or "en").split("-")[0]


def validate_country(value: str) -> None:
    if value and pycountry.countries.get(alpha_2=value.strip().upper()) is None:
        raise ValidationError(_("“%(value)s” is not an ISO 3166-1 country code."), params={"value": value})


def subdivision_error(country: str, code: str) -> str | None:
    """A message saying what is wrong with subdivision ``code`` in ``country``, or None."""
    subdivision = pycountry.subdivisions.get(code=code)
    if subdivision is None:
        return _("“%(value)s” is not an ISO 3166-2 subdivision code.") % {"value": code}
    if not country:
        return _("Choose the country of the subdivision.")
    if subdivision.country_code != country.strip().upper():
        return _("%(code)s is not a subdivision of %(country)s.") % {"code": code, "country": country_name(country)}
    return None


@lru_cache(maxsize=4096)
def _country_name(code: str, language: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    return _catalogue("iso3166-1", language).gettext(name)


def country_name(code: str) -> str:
    return _country_name(code, _ui_language()) if code else ""


@lru_cache(maxsize=8192)
def _subdivision_name(code: str, language: str) -> str:
    subdivision = pycountry.subdivisions.get(code=code)
    if subdivision is None:
        return code
    return _catalogue("iso3166-2", language).gettext(subdivision.name)


def subdivision_name(code: str) -> str:
    return _subdivision_name(code, _ui_language()) if code else ""


def country_choices() -> list[tuple[str, str]]:
    language = _ui_language()
    return sorted(((c.alpha_2, _country_name(c.alpha_2, language)) for c in pycountry.countries), key=lambda x: x[1])


def subdivision_choices(country: str | None = None) -> list[tuple[str, str]]:
    language = _ui_language()
    subdivisions = pycountry.subdivisions.get(country_code=country) if country else pycountry.subdivisions
    return sorted(
        ((s.code, f"{_subdivision_name(s.code, language)} ({s.code})") for s in subdivisions or []), key=lambda x: x[1]
    )
