"""The vocabulary CRM's schemas share: channels, statuses, and how a language, a country, a phone
or a label is checked."""
from datetime import date

from marshmallow import ValidationError, validate

from services.common import fields

LANGUAGE = validate.Regexp(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,4})?$", error="Use a language tag such as es, zh or zh-Hant.")
COUNTRY = validate.Regexp(r"^[A-Z]{2}$", error="An ISO 3166 alpha-2 country code such as ES or CN.")
PHONE = validate.Regexp(r"^\+?[0-9 ()\-.]{5,30}$", error="Not a phone number.")


def NOT_BLANK(value: str):  # noqa: N802 (used like the validators above)
    if not value.strip():
        raise ValidationError("Must not be blank.")


CHANNELS = ("phone", "web", "walk_in", "email", "partner")
STATUSES = ("new", "qualified", "quoted", "won", "lost")
DOCUMENT_TYPES = ("passport", "id_card", "visa")
CONSENT = ("given", "not_given", "any")


def labels(max_items: int = 20, max_length: int = 60, **kwargs):
    """A list of short strings (interests, tags, destinations...)."""
    return fields.List(fields.String(validate=[validate.Length(min=1, max=max_length), NOT_BLANK]),
                       validate=validate.Length(max=max_items), **kwargs)


def check_birth_date(value: date):
    if value > date.today():
        raise ValidationError("Must not be in the future.")
    if value < date(1900, 1, 1):
        raise ValidationError("Must not be before 1900.")
