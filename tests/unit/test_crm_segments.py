"""After-sales segments with SQLite and no broker: filters, consent, CSV."""
import csv
import io
from datetime import date

import pytest

from services.common.envelope import make_envelope
from services.common.errors import ValidationFailed, validated
from services.crm import customers, inquiries, intake, segments
from services.crm.models import Base
from services.crm.wire import CustomerCreateSchema, InquiryCreateSchema, SegmentQuerySchema


def customer(session, name, **data):
    return customers.create_customer(session, validated(CustomerCreateSchema(), {"full_name": name, **data}),
                                     "user:desk")


TODAY = date(2026, 6, 1)


def won(session, who, destinations, window):
    inquiry, _ = inquiries.create_inquiry(session, validated(InquiryCreateSchema(), {
        "customer_id": who.id, "channel": "web", "destinations": destinations, "travel_window": window}), "u")
    for step in ("qualified", "quoted", "won"):
        inquiries.transition(session, inquiry.id, step, None, "user:lucia")


def booked(session, who, *lines):
    """A booking confirmed in ticketing: (day, destination) per line, the customer on each."""
    intake.record_event(session, make_envelope("ticketing.booking_confirmed", {
        "id": f"b-{who.id[:8]}-{lines[0][0]}", "locator": "XYZ789", "lines": [
            {"id": number, "day": day, "destination": destination,
             "travellers": [{"name": who.full_name, "customer_id": who.id}]}
            for number, (day, destination) in enumerate(lines, start=1)]}, None), today=TODAY)


@pytest.fixture
def crowd(session):
    ana = customer(session, "Ana Gómez", email="ana@example.es", interests=["Diving", "food"],
                   marketing_consent=True, preferred_language="es", tags=["vip"])
    booked(session, ana, ("2024-08-01", "Bali"), ("2024-08-15", "Bali"))
    li = customer(session, "李伟", phone="+86 138 0000 0000", interests=["culture"], marketing_consent=True,
                  preferred_language="zh")
    booked(session, li, ("2025-10-31", "Kyōto"))
    booked(session, li, ("2026-03-10", "Lisboa"))
    pedro = customer(session, "Pedro Núñez", interests=["diving"], marketing_consent=False)
    booked(session, pedro, ("2023-05-09", "Bali"))
    zoe = customer(session, "Zoë New", interests=["diving"], marketing_consent=True)  # never travelled:
    won(session, zoe, ["Bali"], {"month": "2026-08"})  # a won inquiry is no trip,
    booked(session, zoe, ("2026-07-10", "Lisboa"))  # and a booking is one only once its day has passed
    return {"ana": ana, "li": li, "pedro": pedro, "zoe": zoe}


def found(session, **filters):
    items, total = segments.search(session, **filters)
    assert total == len(items)
    return [c.full_name for c in items]


@pytest.mark.parametrize("filters, expected", [
    ({}, ["Ana Gómez", "Zoë New", "李伟"]),                                  # consent given, by default
    ({"consent": "any"}, ["Ana Gómez", "Pedro Núñez", "Zoë New", "李伟"]),
    ({"consent": "not_given"}, ["Pedro Núñez"]),
    ({"interests": ["DIVING"]}, ["Ana Gómez", "Zoë New"]),
    ({"interests": ["diving"], "consent": "any"}, ["Ana Gómez", "Pedro Núñez", "Zoë New"]),
    ({"interests": ["culture", "food"]}, ["Ana Gómez", "李伟"]),             # any of them
    ({"interests": ["div"]}, []),                                           # whole labels only
    ({"destinations": ["bali"]}, ["Ana Gómez"]),
    ({"destinations": ["Kyoto"]}, ["李伟"]),                                  # Kyōto, accents aside
    ({"destinations": ["lisboa"]}, ["李伟"]),                                 # not Zoë: not yet travelled
    ({"destinations": ["Bali", "Lisboa"], "consent": "any"}, ["Ana Gómez", "Pedro Núñez", "李伟"]),
    ({"last_trip_before": date(2025, 1, 1)}, ["Ana Gómez"]),
    ({"last_trip_before": date(2025, 1, 1), "consent": "any"}, ["Ana Gómez", "Pedro Núñez"]),
    ({"last_trip_after": date(2026, 1, 1)}, ["李伟"]),
    ({"last_trip_after": date(2024, 8, 15), "last_trip_before": date(2024, 8, 16)}, ["Ana Gómez"]),
    ({"tag": "VIP"}, ["Ana Gómez"]),
    ({"preferred_language": "zh"}, ["李伟"]),
])
def test_segment_filters(session, crowd, filters, expected):
    assert found(session, **filters) == expected


def test_travel_that_happened_feeds_the_customer(session, crowd):
    li, zoe = crowd["li"], crowd["zoe"]
    assert li.past_destinations == ["Kyōto", "Lisboa"] and li.last_trip_date == date(2026, 3, 10)
    assert zoe.past_destinations == [] and zoe.last_trip_date is None


def test_segment_pages(session, crowd):
    items, total = segments.search(session, page=2, page_size=2, consent="any")
    assert total == 4 and [c.full_name for c in items] == ["Zoë New", "李伟"]


def test_csv_export_has_a_header_and_one_row_per_customer(session, crowd):
    content, rows = segments.export_csv(session, interests=["diving"])
    assert rows == 2
    parsed = list(csv.DictReader(io.StringIO(content)))
    assert list(parsed[0]) == list(segments.CSV_COLUMNS)
    ana = parsed[0]
    assert ana["full_name"] == "Ana Gómez" and ana["email"] == "ana@example.es"
    assert ana["interests"] == "Diving; food" and ana["past_destinations"] == "Bali"
    assert ana["last_trip_date"] == "2024-08-15" and ana["marketing_consent"] == "true"
    assert "documents" not in content
    assert content.endswith("\r\n")


def test_csv_keeps_phone_numbers_and_defuses_formulas(session):
    customer(session, "=HYPERLINK(\"http://evil\")", phone="+34 600 000 000", marketing_consent=True,
             tags=["@sum", "-1+2"])
    content, _ = segments.export_csv(session)
    [row] = list(csv.DictReader(io.StringIO(content)))
    assert row["full_name"].startswith("'=") and row["phone"] == "+34 600 000 000"
    assert segments.csv_cell("-1+2") == "'-1+2" and segments.csv_cell("@x") == "'@x"
    assert segments.csv_cell("+34 (600) 000-000") == "+34 (600) 000-000"
    assert segments.csv_cell(["a", "b"]) == "a; b" and segments.csv_cell(None) == ""


@pytest.mark.parametrize("query, field", [
    ({"consent": "yes"}, "consent"),
    ({"last_trip_before": "last year"}, "last_trip_before"),
    ({"page_size": 101}, "page_size"),
    ({"page": 0}, "page"),
    ({"preferred_language": "Spanish"}, "preferred_language"),
])
def test_segment_query_is_checked(query, field):
    with pytest.raises(ValidationFailed) as failure:
        validated(SegmentQuerySchema(), query)
    assert set(failure.value.details) == {field}
