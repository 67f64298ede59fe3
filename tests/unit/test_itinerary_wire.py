"""Itinerary's published contract stands alone: importing it loads none of the service's insides,
and it is enough for a caller to re-raise itinerary's own remote errors typed."""
import json
import subprocess
import sys

from nameko.exceptions import deserialize, serialize

from services.itinerary import wire


def loaded_after(statement: str) -> list[str]:
    """The modules a fresh interpreter has loaded after running `statement`."""
    script = f"import sys\n{statement}\nimport json\nprint(json.dumps(sorted(sys.modules)))"
    return json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                                     timeout=60).stdout)


def test_the_wire_imports_no_model_no_database_and_nothing_else_of_the_service():
    modules = loaded_after("import services.itinerary.wire")
    insides = [m for m in modules
               if m.startswith("services.itinerary.") and not m.startswith("services.itinerary.wire")]
    assert insides == []
    assert not {"services.common.db", "services.common.unit_of_work", "services.common.outbox"} & set(modules)


def test_the_gateway_imports_only_the_itinerary_wire():
    modules = loaded_after("import gateway.api.itinerary")
    assert [m for m in modules if m.startswith("services.itinerary.")
            and not m.startswith("services.itinerary.wire")] == []


def test_a_remote_ticketing_outage_comes_back_typed_to_whoever_imports_the_wire():
    raised = wire.TicketingUnavailable("Ticketing is not running.")
    back = deserialize(json.loads(json.dumps(serialize(raised))))
    assert type(back) is wire.TicketingUnavailable and back.status == 503


def test_every_declared_event_is_itinerarys_own_and_routed_by_its_fact():
    assert set(wire.EVENTS) == {"itinerary.quote_issued", "itinerary.quote_accepted", "itinerary.quote_rejected",
                                "itinerary.quote_expired"}
    for name, event in wire.EVENTS.items():
        assert (event.exchange, f"itinerary.{event.routing_key}") == ("itinerary.events", name)
