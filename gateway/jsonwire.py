"""JSON the gateway writes: dates and datetimes in ISO 8601, whatever path they took.

Flask's own provider writes a date or datetime it meets outside a schema (a dict field, an
error detail) as an HTTP date ("Wed, 13 Jan 2027 00:00:00 GMT"), losing the type and, for a
datetime, its offset. Schemas should declare their dates; this is the net under the ones
that do not.
"""
import datetime as dt
from decimal import Decimal

from flask.json.provider import DefaultJSONProvider


class IsoJSONProvider(DefaultJSONProvider):
    @staticmethod
    def default(o):
        if isinstance(o, (dt.datetime, dt.date, dt.time)):   # datetime before date: it is one
            return o.isoformat()
        if isinstance(o, Decimal):
            return str(o)   # money keeps every digit, as on RPC and in events
        return DefaultJSONProvider.default(o)
