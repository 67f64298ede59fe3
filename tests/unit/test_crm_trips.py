"""Travel that happened, with SQLite and no broker: trips from ticketing's booking events become
past destinations and the last trip date only once their day has passed."""
from datetime import date

import pytest

from services.common.envelope import make_envelope
from services.common.errors import validated
from services.crm import customers, intake, trips
from services.crm.models import Base  # noqa: F401 (the session fixture makes its tables)
from services.crm.wire import CustomerCreateSchema

DAY = date(2026, 7, 10)


@pytest.fixture
def ana(session):
    return customers.create_customer(session, validated(CustomerCreateSchema(), {"full_name": "Ana Gómez"}), "u")


def line(customer, line_id, day, destination="Lijiang"):
    return {"id": line_id, "day": day.isoformat(), "destination": destination,
            "travellers": [{"name": customer.full_name, "customer_id": customer.id}]}


def take_in(session, event_type, payload, today):
    intake.record_event(session, make_envelope(event_type, {"booking_id": "b1", **payload}, None), today=today)


def test_a_booked_trip_counts_only_once_its_day_has_passed(session, ana):
    take_in(session, "ticketing.booking_confirmed", {"id": "b1", "lines": [line(ana, 1, DAY)]}, today=DAY)
    assert (ana.past_destinations, ana.last_trip_date) == ([], None)  # on the day itself: not yet
    assert trips.count_travel(session, DAY) == 0
    assert trips.count_travel(session, date(2026, 7, 11)) == 1
    assert (ana.past_destinations, ana.last_trip_date) == (["Lijiang"], DAY)
    assert trips.count_travel(session, date(2026, 7, 12)) == 0  # counted once


def test_a_rebooked_trip_dates_from_the_new_flight_and_a_cancelled_one_never_counts(session, ana):
    take_in(session, "ticketing.booking_confirmed", {"id": "b1", "lines": [
        line(ana, 1, DAY), line(ana, 2, date(2026, 7, 12), "Dali")]}, today=date(2026, 7, 1))
    take_in(session, "ticketing.booking_changed", {
        "old_line": line(ana, 1, DAY), "new_line": line(ana, 3, date(2026, 7, 14))}, today=date(2026, 7, 1))
    take_in(session, "ticketing.booking_cancelled", {"cancelled_lines": [line(ana, 2, date(2026, 7, 12), "Dali")]},
            today=date(2026, 7, 1))
    trips.count_travel(session, date(2026, 7, 20))
    assert (ana.past_destinations, ana.last_trip_date) == (["Lijiang"], date(2026, 7, 14))


def test_an_event_about_a_past_trip_counts_at_once_and_a_late_cancellation_takes_it_back(session, ana):
    take_in(session, "ticketing.booking_confirmed", {"id": "b1", "lines": [line(ana, 1, DAY)]},
            today=date(2026, 8, 1))
    assert (ana.past_destinations, ana.last_trip_date) == (["Lijiang"], DAY)
    take_in(session, "ticketing.booking_cancelled", {"cancelled_lines": [line(ana, 1, DAY)]}, today=date(2026, 8, 2))
    assert (ana.past_destinations, ana.last_trip_date) == ([], None)


def test_lines_without_this_customer_or_a_usable_day_are_no_trip_of_theirs(session, ana):
    take_in(session, "ticketing.booking_confirmed", {"id": "b1", "lines": [
        {"id": 1, "day": "2026-07-01", "destination": "Dali", "travellers": [{"name": "Guest"}]},
        {"id": 2, "day": "soon", "destination": "Dali", "travellers": [{"customer_id": ana.id}]},
        line(ana, 3, DAY)]}, today=date(2026, 9, 1))
    assert (ana.past_destinations, ana.last_trip_date) == (["Lijiang"], DAY)


def test_a_change_that_arrives_before_the_confirmation_is_not_undone_by_it(session, ana):
    early = date(2026, 7, 5)  # rebooked onto an earlier flight
    take_in(session, "ticketing.booking_changed", {
        "old_line": line(ana, 1, DAY), "new_line": line(ana, 2, early)}, today=date(2026, 7, 1))
    take_in(session, "ticketing.booking_confirmed", {"id": "b1", "lines": [line(ana, 1, DAY)]},
            today=date(2026, 7, 1))
    trips.count_travel(session, date(2026, 7, 20))
    assert (ana.past_destinations, ana.last_trip_date) == (["Lijiang"], early)
