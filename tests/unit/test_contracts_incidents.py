"""The incident log's rules, no broker (an in-memory SQLite session): an incident is acted on,
given an alternative and the customer informed, and closes only when a desk would call it handled;
the desk's watch list holds the open incidents of trips running or about to leave."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.common.errors import Conflict, NotFound, ValidationFailed, validated
from services.contracts import incidents, wire
from services.contracts.models import Base, OrderFile

NOW = datetime(2026, 5, 3, 9, 0, tzinfo=timezone.utc)
TODAY = NOW.date()


def order_file(id: str, start: date, days: int = 5, status: str = "signed") -> OrderFile:
    return OrderFile(id=id, order_number=f"OF-2026-{id}", quote_id=f"q-{id}", quote_version=1, itinerary_id="i",
                     customer_id="c-1", title=f"Trip {id}", start_date=start, end_date=start + timedelta(days=days - 1),
                     currency="EUR", language="zh", status=status, quote={}, payment_terms={},
                     cancellation_tiers=[], travellers=[], entry_requirements={}, created_at=NOW, created_by="t",
                     updated_at=NOW)


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        yield s
    engine.dispose()


@pytest.fixture
def running(session):
    order = order_file("000001", TODAY - timedelta(days=1))
    session.add(order)
    session.flush()
    return order


DELAY = {"kind": "delay", "summary": "IB3166 Madrid - Beijing delayed 9 hours: the connection in Beijing is lost",
         "locator": "NX7Q2B"}


def test_an_incident_opens_on_its_order_file_handled_by_whoever_opened_it(session, running):
    incident = incidents.open(session, running, DELAY, actor="user:ticketing", now=NOW)
    assert (incident.status, incident.handler, incident.occurred_at, incident.created_by) == \
        ("open", "user:ticketing", NOW, "user:ticketing")
    record = incidents.as_dict(incident)
    assert (record["order_number"], record["customer_id"], record["locator"], record["actions"]) == \
        ("OF-2026-000001", "c-1", "NX7Q2B", [])
    event = incidents.event(incident)
    assert wire.IncidentPayload().validate(wire.IncidentPayload().dump(event)) == {}
    assert (event["order_file_id"], event["incident_id"], event["kind"]) == (running.id, incident.id, "delay")


def test_a_moment_in_the_future_is_refused_per_field(session, running):
    with pytest.raises(ValidationFailed) as refused:
        incidents.open(session, running, {**DELAY, "occurred_at": NOW + timedelta(hours=1)}, actor="u", now=NOW)
    assert "occurred_at" in refused.value.details
    incident = incidents.open(session, running, {**DELAY, "occurred_at": NOW + timedelta(minutes=2)}, actor="u",
                              now=NOW)  # a desk clock a little ahead
    with pytest.raises(ValidationFailed) as refused:
        incidents.add_action(incident, "Called Iberia", at=NOW + timedelta(days=1), actor="u", now=NOW)
    assert "at" in refused.value.details and incident.actions == []


def test_closing_needs_an_action_and_the_customer_informed_or_why_not(session, running):
    incident = incidents.open(session, running, DELAY, actor="user:ticketing", now=NOW)
    with pytest.raises(Conflict):
        incidents.close(incident, "Rebooked", actor="user:ticketing", now=NOW)
    incidents.add_action(incident, "Rebooked on CA908 tomorrow 10:40", actor="user:ticketing", now=NOW)
    with pytest.raises(ValidationFailed) as refused:
        incidents.close(incident, "Rebooked", actor="user:ticketing", now=NOW)
    assert "not_informed_reason" in refused.value.details and incident.status == "open"

    incidents.close(incident, "Rebooked, nothing lost", not_informed_reason="Fixed before the customer noticed",
                    actor="user:ticketing", now=NOW)
    assert (incident.status, incident.closed_by, incident.not_informed_reason) == \
        ("closed", "user:ticketing", "Fixed before the customer noticed")


def test_one_update_may_record_the_last_facts_and_close(session, running):
    incident = incidents.open(session, running, DELAY, actor="user:ticketing", now=NOW)
    incidents.add_action(incident, "Called Air China", actor="user:ticketing", now=NOW)
    later = NOW + timedelta(hours=1)
    fields = validated(wire.IncidentUpdateSchema(), {
        "handler": "user:front_desk", "alternative": "CA908 tomorrow 10:40 and a night at the airport hotel",
        "customer_informed_how": "phone", "status": "closed", "resolution": "Travelling tomorrow"})
    assert incidents.update(incident, fields, actor="user:front_desk", now=later) is True
    assert (incident.handler, incident.alternative_by, incident.customer_informed_at,
            incident.customer_informed_how, incident.closed_at) == \
        ("user:front_desk", "user:front_desk", later, "phone", later)
    assert incident.not_informed_reason is None
    closed = incidents.event(incident)
    assert wire.IncidentClosedPayload().validate(wire.IncidentClosedPayload().dump(closed)) == {}
    assert closed["actions"] == 1 and closed["resolution"] == "Travelling tomorrow"


def test_a_closed_incident_no_longer_changes(session, running):
    incident = incidents.open(session, running, DELAY, actor="u", now=NOW)
    incidents.add_action(incident, "Called", actor="u", now=NOW)
    incidents.inform_customer(incident, "email", actor="u", now=NOW)
    incidents.close(incident, "Done", actor="u", now=NOW)
    for change in (lambda: incidents.add_action(incident, "More", actor="u", now=NOW),
                   lambda: incidents.arrange_alternative(incident, "Other", actor="u", now=NOW),
                   lambda: incidents.update(incident, {"handler": "v"}, actor="u", now=NOW)):
        with pytest.raises(Conflict):
            change()
    assert incident.handler == "u" and incident.alternative is None


@pytest.mark.parametrize("data, field", [
    ({}, "_schema"), ({"status": "open"}, "status"), ({"status": "closed"}, "resolution"),
    ({"resolution": "Done"}, "status"), ({"customer_informed_at": NOW.isoformat()}, "customer_informed_how"),
    ({"customer_informed_how": "pigeon"}, "customer_informed_how"), ({"alternative": "  "}, "alternative")])
def test_an_update_says_which_field_is_wrong(data, field):
    with pytest.raises(ValidationFailed) as refused:
        validated(wire.IncidentUpdateSchema(), data)
    assert field in refused.value.details


def test_the_desk_sees_open_incidents_of_trips_running_or_leaving_soon(session, running):
    leaving = order_file("000002", TODAY + timedelta(days=3))
    later = order_file("000003", TODAY + timedelta(days=30))
    back = order_file("000004", TODAY - timedelta(days=10))
    cancelled = order_file("000005", TODAY, status="cancelled")
    session.add_all([leaving, later, back, cancelled])
    session.flush()
    found = {o.id: incidents.open(session, o, {**DELAY, "summary": f"On {o.id}"}, actor="u", now=NOW)
             for o in (running, leaving, later, back, cancelled)}
    closed = incidents.open(session, running, DELAY, actor="u", now=NOW)
    incidents.add_action(closed, "Called", actor="u", now=NOW)
    incidents.close(closed, "Done", not_informed_reason="Nothing for the customer", actor="u", now=NOW)

    watch = incidents.on_the_road(session, TODAY, departing_within_days=7)
    assert [i.id for i in watch] == [found["000001"].id, found["000002"].id]
    assert {i.id for i in incidents.on_the_road(session, TODAY, departing_within_days=7, only_open=False)} == \
        {found["000001"].id, found["000002"].id, closed.id}
    assert [i.status for i in incidents.of_order(session, running)] == ["open", "closed"]
    with pytest.raises(NotFound):
        incidents.get(session, 999)
