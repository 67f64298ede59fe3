"""The customer's language on paper: which languages a document comes in, and how dates, amounts and
percentages are written in each (Babel's CLDR data: zh_Hans_CN, es_ES, en_GB).

Amounts are rounded to the currency's ISO minor unit (services.common.money) before Babel writes
them, as Decimals: CLDR's own digits differ for a few currencies (it writes IQD without decimals),
and a printed contract must show the amount the order file holds, to the cent.
"""
from copy import copy
from datetime import date, datetime, timezone
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent, parse_pattern

from services.common.money import minor_unit, to_minor_unit

from .layout import as_date

LANGUAGES = ("zh", "es", "en")
FALLBACK = "en"
LOCALES = {"zh": "zh_Hans_CN", "es": "es_ES", "en": "en_GB"}
PAGE_WORDS = {"zh": "第 {page} 页，共 {total} 页", "es": "página {page} de {total}", "en": "page {page} of {total}"}


def language_of(language) -> str:
    """'zh', 'es' or 'en'; 'zh-CN', 'es_MX' count as their language; anything else is English."""
    code = str(language or "").replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else FALLBACK


class Formats:
    """How one language writes what a document prints."""

    def __init__(self, language):
        self.language = language_of(language)
        self.locale = Locale.parse(LOCALES[self.language])
        self._currency_pattern = parse_pattern(self.locale.currency_formats["standard"])

    def money(self, amount, currency: str) -> str:
        """'¥12,345.60' (zh), '12.345,60 CNY' (es), 'CN¥12,345.60' (en); '-' for None."""
        if amount is None or amount == "":
            return "-"
        pattern = copy(self._currency_pattern)
        places = minor_unit(currency)
        pattern.frac_prec = (places, places)
        return pattern.apply(to_minor_unit(amount, currency), self.locale, currency=currency, currency_digits=False)

    def number(self, value) -> str:
        """A quantity or rate as given, in the language's digits: '2', '12,5' (es)."""
        if value is None or value == "":
            return "-"
        return format_decimal(Decimal(str(value)), locale=self.locale, decimal_quantization=False)

    def percent(self, value) -> str:
        """A percentage given in percent ('25', '7.5'): '25%', '7,5 %' (es)."""
        if value is None or value == "":
            return "-"
        return format_percent(Decimal(str(value)) / 100, locale=self.locale, decimal_quantization=False)

    def date(self, value, style: str = "long") -> str:
        """'2027年5月3日', '3 de mayo de 2027', '3 May 2027' (long); 'full' adds the weekday."""
        day = as_date(value)
        return "-" if day is None else format_date(day, style, locale=self.locale)

    def moment(self, value) -> str:
        """A timestamp in UTC, said so: '3 May 2027, 09:05:00 UTC'."""
        if value in (None, ""):
            return "-"
        if not isinstance(value, datetime):
            if isinstance(value, date):
                return self.date(value)
            value = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)  # the wire's datetimes are UTC
        return format_datetime(value, "medium", tzinfo=timezone.utc, locale=self.locale) + " UTC"

    def page_label(self, page: int, total: int) -> str:
        return PAGE_WORDS[self.language].format(page=page, total=total)
