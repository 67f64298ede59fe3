"""An itinerary's fields completed from its CRM inquiry (plain rule, no broker)."""
from datetime import date

import pytest

from services.common.errors import ValidationFailed
from services.itinerary.crm import with_inquiry

INQUIRY = {"id": "inq-1", "customer_id": "c-1", "destinations": ["Lijiang", "Dali"],
           "party": {"adults": 2, "children": [8]},
           "travel_window": {"start": date(2027, 5, 1), "end": date(2027, 5, 7), "month": None, "nights": None}}


def test_what_the_request_leaves_out_comes_from_the_inquiry():
    merged = with_inquiry({"inquiry_id": "inq-1", "currency": "CNY", "party": None, "start_date": None}, INQUIRY)
    assert merged["customer_id"] == "c-1" and merged["title"] == "Lijiang, Dali"
    assert merged["party"] == {"adults": 2, "children": [{"age": 8}]}
    assert (merged["start_date"], merged["days"]) == (date(2027, 5, 1), 7)


def test_what_the_request_gives_wins():
    fields = {"inquiry_id": "inq-1", "customer_id": "c-1", "title": "Yunnan", "party": {"adults": 1},
              "start_date": date(2027, 6, 1), "days": 3}
    assert with_inquiry(fields, INQUIRY) == fields


def test_iso_dates_and_nights_and_a_catalog_product_keeps_its_own_duration():
    window = {"start": "2027-05-01", "end": None, "month": None, "nights": 4}
    merged = with_inquiry({"party": None, "start_date": None}, {**INQUIRY, "travel_window": window})
    assert (merged["start_date"], merged["days"]) == (date(2027, 5, 1), 5)
    merged = with_inquiry({"party": None, "start_date": None, "catalog_product_id": "p"}, INQUIRY)
    assert "days" not in merged or merged["days"] is None


@pytest.mark.parametrize("fields, inquiry, field", [
    ({"party": None, "start_date": None}, {**INQUIRY, "party": None}, "party"),
    ({"party": None, "start_date": None},
     {**INQUIRY, "travel_window": {"start": None, "end": None, "month": "2027-05", "nights": 6}}, "start_date"),
    ({"party": None, "start_date": None}, {**INQUIRY, "travel_window": None}, "start_date"),
    ({"party": None, "start_date": None, "customer_id": "c-2"}, INQUIRY, "customer_id"),
])
def test_what_neither_gives_or_another_customers_inquiry_is_refused(fields, inquiry, field):
    with pytest.raises(ValidationFailed) as refused:
        with_inquiry(fields, inquiry)
    assert field in refused.value.details
