"""marshmallow's fields, bounded to what the suite can store and compute with.

Wire schemas import `from services.common import fields` instead of marshmallow's, so every date,
moment, integer and text (no NUL character) anyone sends is refused with a field message when it is out of range (rather
than overflowing date arithmetic or the database later), and the bounds show in the OpenAPI document.
Every string is refused the same way when no database can hold it (NUL, lone surrogates).
"""
from marshmallow import fields as _fields
from marshmallow.fields import *  # noqa: F401,F403 (the rest of marshmallow's fields, unchanged)

from .validators import BIGINT_RANGE, DATE_RANGE, INT_RANGE, MONTH, moment_in_range, storable_text


class _Bounded:
    """Puts the class's bound before the field's own validators."""

    bound = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators.insert(0, self.bound)


class String(_Bounded, _fields.String):
    bound = staticmethod(storable_text)


Str = String


class Integer(_Bounded, _fields.Integer):
    bound = INT_RANGE


Int = Integer


class BigInteger(_Bounded, _fields.Integer):
    bound = BIGINT_RANGE


class Date(_Bounded, _fields.Date):
    bound = DATE_RANGE


class DateTime(_Bounded, _fields.DateTime):
    bound = staticmethod(moment_in_range)


class AwareDateTime(_Bounded, _fields.AwareDateTime):
    bound = staticmethod(moment_in_range)


class NaiveDateTime(_Bounded, _fields.NaiveDateTime):
    bound = staticmethod(moment_in_range)


class Month(_Bounded, _fields.String):  # its pattern admits no NUL
    """A calendar month as YYYY-MM, within the years every date may take."""

    bound = MONTH
