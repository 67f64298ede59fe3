"""The wire format: exact money and dates across RPC, plain JSON in events."""
import datetime as dt
import uuid
from decimal import Decimal

import pytest

from services.common import serialization
from services.common.envelope import make_envelope, split_event_name


def test_rpc_format_round_trips_types_exactly():
    value = {
        "total": Decimal("10.10"), "tiny": Decimal("0.0000001"), "big": Decimal("123456789012345.67"),
        "travel_date": dt.date(2027, 1, 31), "at": dt.datetime(2027, 1, 31, 23, 59, 59, 999, tzinfo=dt.timezone.utc),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"), "nested": [{"fee": Decimal("-3.30")}],
        "text": "北京 · Málaga",
    }
    back = serialization.loads(serialization.dumps(value))
    assert back == value
    assert type(back["total"]) is Decimal and str(back["total"]) == "10.10"
    assert type(back["travel_date"]) is dt.date and type(back["at"]) is dt.datetime


def test_money_never_passes_through_float():
    assert '"v":"0.1"' in serialization.dumps(Decimal("0.1"))
    assert sum(serialization.loads(serialization.dumps([Decimal("0.1")] * 3))) == Decimal("0.3")


def test_naive_datetimes_are_refused():
    with pytest.raises(TypeError, match="naive"):
        serialization.dumps(dt.datetime(2027, 1, 1, 12, 0))


def test_a_dict_that_merely_looks_tagged_stays_a_dict():
    assert serialization.loads('{"$t": "unknown", "v": "x"}') == {"$t": "unknown", "v": "x"}


def test_event_payloads_are_plain_json_with_money_as_strings():
    envelope = make_envelope("ticketing.booking_confirmed",
                             {"total": Decimal("1250.50"), "departure": dt.date(2027, 5, 1)}, "corr-1")
    assert envelope["payload"] == {"total": "1250.50", "departure": "2027-05-01"}
    assert envelope["type"] == "ticketing.booking_confirmed" and envelope["source"] == "ticketing"
    assert envelope["version"] == 1 and envelope["correlation_id"] == "corr-1"
    assert dt.datetime.fromisoformat(envelope["occurred_at"]).tzinfo is not None
    uuid.UUID(envelope["id"])


def test_event_names_must_be_service_dot_fact():
    assert split_event_name("crm.customer_created") == ("crm", "customer_created")
    with pytest.raises(ValueError):
        make_envelope("customer_created", {}, None)


def test_the_gateway_writes_dates_that_escaped_a_schema_in_iso_8601():
    import datetime as dt
    from decimal import Decimal

    from flask import Flask

    from gateway.jsonwire import IsoJSONProvider

    app = Flask(__name__)
    app.json = IsoJSONProvider(app)
    moment = dt.datetime(2027, 1, 13, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    text = app.json.dumps({"day": dt.date(2027, 1, 13), "at": moment, "price": Decimal("10.10")})
    assert text == '{"at": "2027-01-13T09:30:00+08:00", "day": "2027-01-13", "price": "10.10"}'
