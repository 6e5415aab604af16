"""Money is an integer count of minor units plus an ISO 4217 currency; never a float."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import ValidationFailed

#: Currencies a hub may bill in, with how many minor-unit digits each has.
CURRENCIES: dict[str, int] = {
    "EUR": 2, "USD": 2, "GBP": 2, "CHF": 2, "CAD": 2, "AUD": 2, "NZD": 2, "SEK": 2, "NOK": 2,
    "DKK": 2, "PLN": 2, "CZK": 2, "BRL": 2, "MXN": 2, "INR": 2, "SGD": 2, "ZAR": 2, "JPY": 0, "KRW": 0,
}
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}
#: Most a single price may be, in minor units: Stripe's own ceiling (999,999.99 for two-decimal currencies,
#: 99,999,999 for zero-decimal ones), which also fits every integer column money is kept in.
MAX_MINOR = 99_999_999


def check_currency(code: str) -> str:
    code = (code or "").strip().upper()
    if code not in CURRENCIES:
        raise ValidationFailed(f"{code or 'An empty code'} is not a currency MicroHub bills in.", field="currency")
    return code


def to_minor(text: str, currency: str) -> int:
    """Parse '12.50' into 1250 (for EUR); refuses more decimals than the currency has, and negatives."""
    digits = CURRENCIES[check_currency(currency)]
    raw = (text or "").strip().replace(",", ".")
    if len(raw) > 20:
        raise ValidationFailed("Write an amount such as 12.50.", field="amount")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationFailed("Write an amount such as 12.50.", field="amount")
    if not value.is_finite() or value < 0:
        raise ValidationFailed("The amount must be zero or more.", field="amount")
    if value > Decimal(MAX_MINOR).scaleb(-digits):
        raise ValidationFailed(f"The most MicroHub takes in one payment is {format_money(MAX_MINOR, currency)}.",
                               field="amount")
    scaled = value * (10 ** digits)
    if scaled != scaled.to_integral_value():
        raise ValidationFailed(f"{currency} has {digits} decimal places at most.", field="amount")
    return int(scaled)


def format_money(amount_minor: int, currency: str) -> str:
    """1250, 'EUR' -> '€12.50'; falls back to the code for currencies without a common symbol."""
    digits = CURRENCIES.get(currency, 2)
    value = (Decimal(amount_minor) / (10 ** digits)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    text = f"{value:,.{digits}f}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"
