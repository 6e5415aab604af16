"""Stripe's published standard card pricing, for the fees the test mode reports (marked as estimated)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

#: Percent and fixed part (minor units) per currency: standard domestic cards, as on stripe.com/pricing
#: (EEA 1.5% + €0.25, UK 1.5% + 20p, US 2.9% + 30¢, Switzerland 2.9% + CHF 0.30, Japan 3.6%).
STANDARD_PRICING: dict[str, tuple[Decimal, int]] = {
    "EUR": (Decimal("1.5"), 25), "GBP": (Decimal("1.5"), 20), "USD": (Decimal("2.9"), 30),
    "CHF": (Decimal("2.9"), 30), "CAD": (Decimal("2.9"), 30), "AUD": (Decimal("1.7"), 30),
    "JPY": (Decimal("3.6"), 0),
}
#: Any other currency: Stripe's most common rate.
DEFAULT_PRICING = (Decimal("2.9"), 30)


def standard_fee(amount_minor: int, currency: str) -> int:
    """The processing fee on a card payment of `amount_minor`, rounded to the minor unit; never more than it."""
    percent, fixed = STANDARD_PRICING.get(currency.upper(), DEFAULT_PRICING)
    fee = (Decimal(amount_minor) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP) + fixed
    return min(int(fee), amount_minor)
