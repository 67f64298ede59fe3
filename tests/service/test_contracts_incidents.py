"""The incident log on the real broker and database, with real CRM and itinerary services: an
incident on an order file whose trip leaves in two days is on the desk's list until it is closed,
its facts go out as events (and onto the customer's CRM timeline), and bad input writes nothing."""
from datetime import date, timedelta

import pytest

from services.common.errors import Conflict, NotFound, ValidationFailed
from services.contracts import wire
from tests.conftest import wait_for
from tests.events import assert_honour_contract, outbox_envelopes
from tests.service.test_contracts import accepted_quote, as_staff, opened, rows, suite  # noqa: F401 (fixture)

pytestmark = pytest.mark.service


def test_an_incident_is_on_the_desks_list_until_it_is_handled_and_closed(suite, rpc, nameko_config):  # noqa: F811
    trip, _ = accepted_quote(rpc, suite["customer"]["id"], start=date.today() + timedelta(days=2))
    order = opened(rpc, trip)
    with as_staff(nameko_config, "ticketing") as ticketing:
        incident = ticketing.contracts.open_incident(order["id"], {
            "kind": "booking_failed", "summary": "Hotel Lutetia has no room left for the first night",
            "locator": "HL-0042"})
        assert (incident["status"], incident["handler"], incident["order_number"]) == \
            ("open", "user:ticketing", order["order_number"])
        watch = ticketing.contracts.open_incidents({})
        assert [i["id"] for i in watch] == [incident["id"]]
        assert ticketing.contracts.open_incidents({"departing_within_days": 1}) == []  # leaves in two days

        with pytest.raises(Conflict):  # nothing done yet: not handled
            ticketing.contracts.update_incident(incident["id"], {"status": "closed", "resolution": "Moved hotel"})
        ticketing.contracts.add_incident_action(incident["id"], {"text": "Booked Hotel Regina for the first night"})
        ticketing.contracts.update_incident(incident["id"], {
            "alternative": "Hotel Regina (same category) for the first night", "customer_informed_how": "phone"})
        closed = ticketing.contracts.update_incident(incident["id"], {"status": "closed",
                                                                     "resolution": "Customer agreed to the change"})
    assert closed["status"] == "closed" and closed["closed_by"] == "user:ticketing"
    assert [a["text"] for a in closed["actions"]] == ["Booked Hotel Regina for the first night"]
    assert rpc.contracts.open_incidents({}) == []
    assert [i["status"] for i in rpc.contracts.open_incidents({"open": False})] == ["closed"]
    assert rpc.contracts.list_incidents(order["id"])[0]["alternative"].startswith("Hotel Regina")

    envelopes = [e for e in outbox_envelopes(suite["url"]) if e["type"].startswith("contracts.incident_")]
    assert [e["type"] for e in envelopes] == ["contracts.incident_opened", "contracts.incident_closed"]
    assert_honour_contract(envelopes, wire.EVENTS, all_emitted=False)
    assert envelopes[1]["payload"]["customer_id"] == suite["customer"]["id"]
    timeline = wait_for(lambda: [e for e in rpc.crm.customer_timeline(suite["customer"]["id"], {})["items"]
                                 if e["kind"] == "contracts.incident_closed"] or None,
                        timeout=15, message="incident_closed on the customer's timeline")
    assert "Customer agreed to the change" in timeline[0]["summary"]


def test_bad_input_and_unknown_records_write_nothing(suite, rpc):  # noqa: F811
    trip, _ = accepted_quote(rpc, suite["customer"]["id"])
    order = opened(rpc, trip)
    with pytest.raises(ValidationFailed) as refused:
        rpc.contracts.open_incident(order["id"], {"kind": "alien_abduction", "summary": " "})
    assert {"kind", "summary"} <= set(refused.value.details)
    with pytest.raises(NotFound):
        rpc.contracts.open_incident("no-such-order", {"kind": "delay", "summary": "Flight delayed"})
    with pytest.raises(NotFound):
        rpc.contracts.get_incident(424242)
    assert rows(suite["url"], "SELECT count(*) FROM incidents") == [(0,)]

    incident = rpc.contracts.open_incident(order["id"], {"kind": "complaint", "summary": "Room was noisy"})
    rpc.contracts.add_incident_action(incident["id"], {"text": "Asked the hotel for a quieter room"})
    # One request: a handler and the close without the customer informed: refused as a whole.
    with pytest.raises(ValidationFailed) as refused:
        rpc.contracts.update_incident(incident["id"], {"handler": "user:ana", "status": "closed",
                                                       "resolution": "Moved rooms"})
    assert "not_informed_reason" in refused.value.details
    again = rpc.contracts.get_incident(incident["id"])
    assert (again["handler"], again["status"]) == (incident["handler"], "open")
