"""Currencies' minor units: how many decimals an amount of each is exact to.

Shared because every service that prices, schedules or prints money rounds it to the same place
(a quote's total, a contract's instalments and the receipt for them must agree to the cent).
"""
from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 minor units where they are not 2.
MINOR_UNITS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0,
    "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}


def minor_unit(currency: str) -> int:
    """Decimals of the currency's smallest coin: 2 for EUR, CNY, USD; 0 for JPY; 3 for KWD."""
    return MINOR_UNITS.get(currency, 2)


def to_minor_unit(amount, currency: str) -> Decimal:
    """A Decimal or decimal string rounded ROUND_HALF_UP to the currency's minor unit (never via float)."""
    return Decimal(str(amount)).quantize(Decimal(1).scaleb(-minor_unit(currency)), ROUND_HALF_UP)
