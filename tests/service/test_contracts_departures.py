"""Group departures on the real broker and database, with real CRM, itinerary and contracts services:
order files from accepted quotes join a special-train departure up to its capacity, a guide is never
on two overlapping departures, the rooming list is checked whole, and once announced every change is
a notice to the suppliers concerned (a cancelled order file leaves by itself)."""
from datetime import date, timedelta

import pytest

from services.common.errors import Conflict, ValidationFailed
from services.contracts import wire
from services.contracts.service import ContractsService
from services.crm.service import CrmService
from services.itinerary.service import ItineraryService
from tests.conftest import wait_for
from tests.events import assert_honour_contract, outbox_envelopes
from tests.service.test_contracts import passport, rows

pytestmark = pytest.mark.service

LEAVES = date.today() + timedelta(days=60)
BACK = LEAVES + timedelta(days=6)


@pytest.fixture
def suite(start_service, rpc, database_url):
    url = database_url("contracts")
    start_service(CrmService)
    start_service(ItineraryService)
    start_service(ContractsService, DATABASE_URLS={"contracts": url})
    rpc.itinerary.create_markup_rule({"method": "percent", "value": "15"})
    return {"url": url}


def customer(rpc, name, born="1985-03-02"):
    return rpc.crm.create_customer({"full_name": name, "preferred_language": "zh", "date_of_birth": born,
                                    "documents": [passport(BACK + timedelta(days=400))]})


def order_file(rpc, title, travellers, adults, children=()):
    """An accepted special-train quote's order file, its travellers named from CRM."""
    trip = rpc.itinerary.create_itinerary({"title": title, "customer_id": travellers[0][0]["id"],
                                           "party": {"adults": adults, "children": list(children)},
                                           "start_date": LEAVES.isoformat(), "days": 7, "currency": "CNY"})
    rpc.itinerary.add_item(trip["id"], 1, {"kind": "train", "description": "Z21 Beijing West - Lhasa",
                                           "supplier_name": "Qinghai-Tibet Railway", "unit_cost": "1200.00",
                                           "currency": "CNY", "from_location": "Beijing", "to_location": "Lhasa",
                                           "overnight": True})
    rpc.itinerary.add_item(trip["id"], 3, {"kind": "hotel", "description": "Shangri-La Lhasa", "nights": 3,
                                           "supplier_name": "Shangri-La Lhasa", "unit_cost": "800.00",
                                           "currency": "CNY", "location": "Lhasa", "quantity": 1})
    quote = rpc.itinerary.issue_quote(trip["id"])
    rpc.itinerary.accept_quote(trip["id"], quote["version"])
    order = rpc.contracts.open_order_file({"itinerary_id": trip["id"], "version": quote["version"]})
    return rpc.contracts.update_order_file(order["id"], {"travellers": [
        {"customer_id": c["id"], "type": kind} for c, kind in travellers]})


def test_a_special_train_group_with_its_guide_rooms_manifests_and_notices(suite, rpc):
    wang, li, tao = customer(rpc, "王小明"), customer(rpc, "李梅"), customer(rpc, "王涛", born="2016-07-01")
    ruiz, ann = customer(rpc, "Luis Ruiz"), customer(rpc, "Ann Lee")
    family = order_file(rpc, "Family Wang", [(wang, "adult"), (li, "adult"), (tao, "child")], 2, [{"age": 10}])
    single = order_file(rpc, "Mr Ruiz", [(ruiz, "adult")], 1)
    late = order_file(rpc, "Ms Lee", [(ann, "adult")], 1)

    group = rpc.contracts.create_departure({"product_name": "7 days Tibet by special train", "capacity": 4,
                                            "departure_date": LEAVES.isoformat(), "return_date": BACK.isoformat()})
    assert group["code"].startswith(f"GD-{date.today().year}-") and group["status"] == "open"
    rpc.contracts.add_departure_member(group["id"], {"order_file_id": family["id"]})
    group = rpc.contracts.add_departure_member(group["id"], {"order_file_id": single["id"]})
    assert (group["travellers"], group["places_left"]) == (4, 0)
    assert {s["supplier_name"] for s in group["suppliers"]} == {"Qinghai-Tibet Railway", "Shangri-La Lhasa"}

    # Full: the fifth traveller is refused and nothing is written; so is an unknown order file.
    with pytest.raises(Conflict, match="0 places left"):
        rpc.contracts.add_departure_member(group["id"], {"order_file_id": late["id"]})
    with pytest.raises(ValidationFailed) as unknown:
        rpc.contracts.add_departure_member(group["id"], {"order_file_id": "no-such-file"})
    assert "order_file_id" in unknown.value.details
    assert rows(suite["url"], "SELECT count(*) FROM departure_members") == [(2,)]
    # An order file is on one departure at most.
    other = rpc.contracts.create_departure({"product_name": "Tibet again", "capacity": 10,
                                            "departure_date": LEAVES.isoformat(), "return_date": BACK.isoformat()})
    with pytest.raises(Conflict, match=group["code"]):
        rpc.contracts.add_departure_member(other["id"], {"order_file_id": single["id"]})

    # The guide: a second departure overlapping the first is refused, naming it.
    guide = rpc.contracts.create_guide({"name": "Tenzin Dorje", "phone": "+86 891 555 0101",
                                        "languages": ["zh", "en"]})
    assert rpc.contracts.assign_guide(group["id"], {"guide_id": guide["id"]})["guide"]["name"] == "Tenzin Dorje"
    with pytest.raises(Conflict, match=group["code"]):
        rpc.contracts.assign_guide(other["id"], {"guide_id": guide["id"]})
    assert rpc.contracts.get_departure(other["id"])["guide"] is None

    # The rooming list: a traveller in two rooms is refused whole; then the family room and a single.
    with pytest.raises(ValidationFailed) as twice:
        rpc.contracts.put_rooming_list(group["id"], {"rooms": [
            {"label": "501", "room_type": "family", "occupants": [{"customer_id": wang["id"]}]},
            {"label": "502", "room_type": "double", "occupants": [{"customer_id": wang["id"]}]}]})
    assert twice.value.details["rooms"]["1"]["occupants"] == ["王小明 is already in room 501."]
    assert rpc.contracts.get_rooming_list(group["id"])["rooms"] == []
    rooming = rpc.contracts.put_rooming_list(group["id"], {"rooms": [
        {"label": "501", "room_type": "family",
         "occupants": [{"customer_id": c["id"]} for c in (wang, li, tao)]},
        {"label": "502", "room_type": "single", "occupants": [{"customer_id": ruiz["id"]}]}]})
    assert rooming["complete"] and [s["full_name"] for s in rooming["singles"]] == ["Luis Ruiz"]

    hotel = rpc.contracts.departure_manifest(group["id"], {"supplier": "Shangri-La Lhasa"})
    assert [(t["full_name"], t["type"], t["room"]) for t in hotel["travellers"]] == [
        ("李梅", "adult", "501"), ("王小明", "adult", "501"), ("王涛", "child", "501"), ("Luis Ruiz", "adult", "502")]
    assert hotel["travellers"][0]["document"]["number"] != "E12345678"  # masked, as the order file keeps it
    train = rpc.contracts.departure_manifest_csv(group["id"], {"supplier": "qinghai-tibet railway", "bom": True})
    assert train["content"].startswith("\ufeffdeparture,") and "王涛,child" in train["content"]

    # Nothing was told before the announcement; after it, Mr Ruiz cancelling is a notice to both suppliers.
    assert rpc.contracts.departure_notices(group["id"]) == []
    rpc.contracts.announce_departure(group["id"])
    rpc.contracts.cancel_order_file(single["id"], {"reason": "Illness"})
    left = wait_for(lambda: [n for n in rpc.contracts.departure_notices(group["id"]) if n["change"] == "left"],
                    timeout=15, message="the cancelled order file left its departure")
    assert {(n["supplier_name"], n["counts"]["travellers"], n["counts"]["rooms"]) for n in left} == {
        ("Qinghai-Tibet Railway", 3, 1), ("Shangri-La Lhasa", 3, 1)}
    group = rpc.contracts.get_departure(group["id"])
    assert group["travellers"] == 3 and group["rooming"] == {"complete": True, "rooms": 1, "not_roomed": 0,
                                                             "singles": 0}
    changed = [e for e in outbox_envelopes(suite["url"]) if e["type"] == wire.DEPARTURE_CHANGED.name]
    assert [e["payload"]["change"] for e in changed] == ["announced", "left"]
    assert {s["supplier_name"] for s in changed[-1]["payload"]["suppliers"]} == {"Qinghai-Tibet Railway",
                                                                                  "Shangri-La Lhasa"}
    assert_honour_contract(changed, wire.EVENTS, all_emitted=False)


def test_two_overlapping_assignments_of_one_guide_at_once_one_wins(suite, rpc):
    """The guide's row is locked by each assignment: the second sees the first and is refused."""
    first, second = (rpc.contracts.create_departure({
        "product_name": name, "capacity": 10, "departure_date": (LEAVES + timedelta(days=shift)).isoformat(),
        "return_date": (BACK + timedelta(days=shift)).isoformat()}) for name, shift in (("A", 0), ("B", 3)))
    guide = rpc.contracts.create_guide({"name": "Pema"})
    calls = [rpc.contracts.assign_guide.call_async(d["id"], {"guide_id": guide["id"]}) for d in (first, second)]
    outcomes = []
    for call in calls:
        try:
            outcomes.append(call.result()["code"])
        except Conflict as refused:
            outcomes.append(refused)
    won = [o for o in outcomes if isinstance(o, str)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(won) == 1 and len(lost) == 1 and won[0] in str(lost[0])
    assert rows(suite["url"], "SELECT count(*) FROM departures WHERE guide_id IS NOT NULL") == [(1,)]
