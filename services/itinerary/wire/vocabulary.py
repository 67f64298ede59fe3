"""Words and bounds every part of itinerary's contract shares: kinds, statuses, limits, and the
field makers that apply them."""
from datetime import date, datetime, timezone

from marshmallow import ValidationError, validate

from services.common import fields

__all__ = ["KINDS", "TRANSPORT", "BASES", "MAX_OCCUPANCY", "NOT_BLANK", "MAX_MONEY", "MAX_DAYS", "MAX_PARTY",
           "MAX_ITEMS_PER_DAY", "CATALOG_KINDS", "ITINERARY_STATUSES", "not_past", "text", "amount", "percentage",
           "location"]

KINDS = ("flight", "train", "hotel", "transfer", "attraction", "meal", "guide", "insurance", "visa", "other")
TRANSPORT = ("flight", "train", "transfer")
BASES = ("per_person", "per_unit", "per_night")
MAX_OCCUPANCY = 10  # people in one hotel room
NOT_BLANK = validate.Regexp(r"\S", error="Must not be blank.")
MAX_MONEY = 10_000_000
MAX_DAYS = 60
MAX_PARTY = 50
MAX_ITEMS_PER_DAY = 40

CATALOG_KINDS = ("route", "package")
ITINERARY_STATUSES = ("draft", "quoted", "accepted")


def not_past(value: date):
    if value < datetime.now(timezone.utc).date():
        raise ValidationError("Must not be in the past.")


def text(max_length: int, **kwargs):
    return fields.String(validate=[validate.Length(min=1, max=max_length), NOT_BLANK], **kwargs)


MAX_PLACES = 6  # unit costs and rates are given to at most this many decimals


def _places(value):
    # "0e-771312756028096" is a valid zero that no database column can store: refuse it here.
    if value is not None and value.as_tuple().exponent < -MAX_PLACES:
        raise ValidationError(f"At most {MAX_PLACES} decimals.")


def amount(**kwargs):
    """Money: a decimal >= 0, as a string on the way out."""
    return fields.Decimal(as_string=True, validate=[validate.Range(min=0, max=MAX_MONEY), _places], **kwargs)


def percentage(max_value=100, **kwargs):
    return fields.Decimal(as_string=True, validate=[validate.Range(min=0, max=max_value), _places], **kwargs)


def location(**kwargs):
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=120), **kwargs)
