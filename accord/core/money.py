"""Money: ISO 4217 currencies and amounts with the currency's own number of decimals."""

from __future__ import annotations

from decimal import Decimal

import pycountry
from babel.numbers import format_currency, get_currency_precision
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# ISO 4217 codes that are not money: "no currency" and the code reserved for testing.
NOT_MONEY = frozenset({"XXX", "XTS"})


def validate_currency(value: str) -> None:
    if value and pycountry.currencies.get(alpha_3=value.strip().upper()) is None:
        raise ValidationError(_("“%(value)s” is not an ISO 4217 currency code."), params={"value": value})
    if value and value.strip().upper() in NOT_MONEY:
        raise ValidationError(_("“%(value)s” is not the code of a currency of money."), params={"value": value})


def currency_choices() -> list[tuple[str, str]]:
    return sorted(
        ((c.alpha_3, f"{c.alpha_3} · {c.name}") for c in pycountry.currencies if c.alpha_3 not in NOT_MONEY),
        key=lambda c: c[0],
    )


def check_amount(amount: Decimal | None, currency: str, field: str) -> dict[str, str]:
    """An error for ``field`` when ``amount`` has more decimals than ``currency`` uses (1.5 VND)."""
    if amount is None or not currency or pycountry.currencies.get(alpha_3=currency.upper()) is None:
        return {}
    places = get_currency_precision(currency.upper())
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        return {
            field: _("%(currency)s amounts have at most %(places)s decimals.")
            % {"currency": currency.upper(), "places": places}
        }
    return {}


def money(amount: Decimal | None, currency: str) -> str:
    """The amount written the way the user's language writes money."""
    if amount is None:
        return ""
    locale = (get_language() or "en").split("-")[0]
    try:
        return format_currency(amount, currency, locale=locale)
    except Exception:  # an unknown locale or currency is shown plainly
        return f"{amount} {currency}"
