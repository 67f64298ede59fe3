"""What every service needs to know about an amount of money in a currency."""

# ISO 4217 minor units where they are not 2.
MINOR_UNITS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0,
    "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}


def minor_unit(currency: str) -> int:
    """Decimals of the currency's smallest coin: 2 for EUR, CNY, USD; 0 for JPY; 3 for KWD."""
    return MINOR_UNITS.get(currency, 2)
