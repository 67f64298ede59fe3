"""Itinerary's published contract is enough for a caller to re-raise itinerary's own remote errors
typed (that it loads nothing else of the service: tests/unit/test_gateway_imports.py)."""
import json

from nameko.exceptions import deserialize, serialize

from services.itinerary import wire


def test_a_remote_ticketing_outage_comes_back_typed_to_whoever_imports_the_wire():
    raised = wire.TicketingUnavailable("Ticketing is not running.")
    back = deserialize(json.loads(json.dumps(serialize(raised))))
    assert type(back) is wire.TicketingUnavailable and back.status == 503


def test_every_declared_event_is_itinerarys_own_and_routed_by_its_fact():
    assert set(wire.EVENTS) == {"itinerary.quote_issued", "itinerary.quote_accepted", "itinerary.quote_rejected",
                                "itinerary.quote_expired"}
    for name, event in wire.EVENTS.items():
        assert (event.exchange, f"itinerary.{event.routing_key}") == ("itinerary.events", name)
