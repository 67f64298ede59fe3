"""Itinerary's published contract is enough for a caller to re-raise itinerary's own remote errors
typed (that it loads nothing else of the service: tests/unit/test_gateway_imports.py)."""
import json
from decimal import Decimal

import pytest
from marshmallow import ValidationError

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



@pytest.mark.parametrize("unit_cost", ["0e-771312756028096", "1.2345678"])
def test_a_cost_no_column_can_store_is_refused_by_field_not_a_500(unit_cost):
    """Found by the OpenAPI fuzz: PATCH .../items/{id} with unit_cost "0e-771312756028096" was a 500."""
    with pytest.raises(ValidationError) as refused:
        wire.ItemUpdateSchema().load({"unit_cost": unit_cost}, partial=True)
    assert "unit_cost" in refused.value.messages
    assert wire.ItemUpdateSchema().load({"unit_cost": "12.345678"}, partial=True)["unit_cost"] == Decimal("12.345678")
