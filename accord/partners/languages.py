"""Language tags (BCP 47, with script where it matters) for names, named with Babel."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accord.partners.choices import NAME_LANGUAGES

ROMANISED = "und-Latn"


@lru_cache(maxsize=1024)
def _parse(tag: str) -> Locale | None:
    try:
        return Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def validate_language(value: str) -> None:
    if value and value != ROMANISED and _parse(value) is None:
        raise ValidationError(
            _("“%(value)s” is not a language code such as vi, en or zh-Hans."), params={"value": value}
        )


def validate_language_list(value: str) -> None:
    for tag in filter(None, (part.strip() for part in (value or "").split(","))):
        validate_language(tag)


def language_label(tag: str) -> str:
    if not tag:
        return ""
    if tag == ROMANISED:
        return _("Romanised")
    locale = _parse(tag)
    ui = _parse((get_language() or "en").replace("-", "_")) or Locale("en")
    if locale is None:
        return tag
    return locale.get_display_name(ui) or tag


def language_choices() -> list[tuple[str, str]]:
    return [(tag, language_label(tag)) for tag in NAME_LANGUAGES]
