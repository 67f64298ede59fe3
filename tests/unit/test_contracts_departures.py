"""The group desk's rules, without a broker: capacity, a guide's overlapping departures, the rooming
list's checks and the suppliers' manifests."""
import csv
import io
from datetime import date

import pytest

from services.common.csv_files import rows_csv
from services.common.errors import Conflict, NotFound, ValidationFailed
from services.contracts import departures


def order(oid, number, travellers, lines):
    return {"id": oid, "order_number": number, "quote": {"lines": lines}, "travellers": [
        {"customer_id": cid, "full_name": name, "type": kind,
         "documents": [{"type": "passport", "number": "E****5678", "country": "CN", "expiry": "2031-01-01"}]}
        for cid, name, kind in travellers]}


TRAIN = {"supplier_id": "sup-train", "supplier_name": "Tibet Railway", "kind": "train",
         "service_date": "2027-05-01", "description": "Z21 Beijing - Lhasa"}
HOTEL = {"supplier_name": "Lhasa Hotel", "kind": "hotel", "service_date": "2027-05-03", "description": "3 nights"}
WANG = order("of-1", "OF-2027-000001", [("c-wang", "王小明", "adult"), ("c-li", "李梅", "adult"),
                                         ("c-tao", "王涛", "child")], [TRAIN, HOTEL])
RUIZ = order("of-2", "OF-2027-000002", [("c-ruiz", "Luis Ruiz", "adult")], [TRAIN, HOTEL])
SOLO = order("of-3", "OF-2027-000003", [("c-ann", "Ann Lee", "adult")], [TRAIN])


def travellers(*orders):
    return {t["customer_id"]: t for o in orders for t in departures.travellers_of(o)}


def test_a_group_never_takes_more_travellers_than_its_capacity():
    departures.check_capacity(20, 17, 3, "GD-2027-0001")  # exactly full is fine
    with pytest.raises(Conflict) as full:
        departures.check_capacity(20, 18, 3, "GD-2027-0001")
    assert "2 places left" in str(full.value) and full.value.details["joining"] == 3


def test_a_guide_overlaps_when_the_stays_share_a_day():
    may1, may5, may6, may9 = date(2027, 5, 1), date(2027, 5, 5), date(2027, 5, 6), date(2027, 5, 9)
    assert departures.overlaps(may1, may5, may5, may9)       # hand over and meet the next the same day: no
    assert departures.overlaps(may1, may9, may5, may6)       # one inside the other
    assert not departures.overlaps(may1, may5, may6, may9)   # the day after is free


def test_a_departed_or_cancelled_group_stays_so():
    departures.check_move("open", "closed", "GD")
    departures.check_move("closed", "open", "GD")
    with pytest.raises(Conflict):
        departures.check_move("departed", "open", "GD")
    with pytest.raises(Conflict):
        departures.check_move("cancelled", "open", "GD")


def room(label, kind, *ids):
    return {"label": label, "room_type": kind, "occupants": [{"customer_id": i} for i in ids], "notes": None}


def test_the_rooming_list_keeps_names_from_the_order_files_and_lists_who_is_not_roomed_and_the_singles():
    everyone = travellers(WANG, RUIZ, SOLO)
    rooms = departures.check_rooming([room("301", "family", "c-wang", "c-li", "c-tao"),
                                      room("302", "single", "c-ruiz")], everyone)
    assert [o["full_name"] for o in rooms[0]["occupants"]] == ["王小明", "李梅", "王涛"]
    view = departures.rooming_view(rooms, everyone)
    assert not view["complete"]
    assert [t["full_name"] for t in view["not_roomed"]] == ["Ann Lee"]
    assert [(s["full_name"], s["room"]) for s in view["singles"]] == [("Luis Ruiz", "302")]
    assert view["rooms_by_type"] == [{"room_type": "single", "rooms": 1}, {"room_type": "family", "rooms": 1}]


def test_a_traveller_in_two_rooms_a_stranger_an_overfull_room_and_a_label_twice_are_refused_by_field():
    everyone = travellers(WANG, RUIZ)
    with pytest.raises(ValidationFailed) as bad:
        departures.check_rooming([room("301", "double", "c-wang", "c-li", "c-tao"),
                                  room("302", "twin", "c-wang", "c-nobody"),
                                  room("301", "single", "c-ruiz")], everyone)
    errors = bad.value.details["rooms"]
    assert errors[0]["occupants"] == ["A double room sleeps 2; 3 are listed."]
    assert errors[1]["occupants"] == ["王小明 is already in room 301.", "c-nobody does not travel with this departure."]
    assert errors[2]["label"] == ["Room 301 is listed twice."]


def test_a_party_leaving_leaves_its_rooms_and_an_empty_room_goes():
    rooms = [{"label": "301", "room_type": "double", "occupants": [{"customer_id": "c-ruiz"}]},
             {"label": "302", "room_type": "twin", "occupants": [{"customer_id": "c-ann"}, {"customer_id": "c-x"}]}]
    assert departures.without(rooms, {"c-ruiz", "c-ann"}) == [
        {"label": "302", "room_type": "twin", "occupants": [{"customer_id": "c-x"}]}]


def test_the_suppliers_are_those_of_the_member_files_quote_lines_each_with_whom_it_serves():
    found = departures.suppliers_of([WANG, RUIZ, SOLO])
    assert [(s["supplier_name"], s["kinds"], s["order_file_ids"]) for s in found] == [
        ("Lhasa Hotel", ["hotel"], ["of-1", "of-2"]), ("Tibet Railway", ["train"], ["of-1", "of-2", "of-3"])]
    assert departures.find_supplier(found, "sup-train")["supplier_name"] == "Tibet Railway"
    assert departures.find_supplier(found, "lhasa hotel")["kinds"] == ["hotel"]
    with pytest.raises(NotFound):
        departures.find_supplier(found, "Roma Guides")


def test_a_hotel_manifest_names_rooms_a_train_manifest_does_not_and_the_csv_keeps_chinese_names():
    everyone = list(travellers(WANG, RUIZ, SOLO).values())
    rooms = departures.check_rooming([room("301", "family", "c-wang", "c-li", "c-tao"),
                                      room("302", "single", "c-ruiz")], travellers(WANG, RUIZ, SOLO))
    hotel, train = departures.suppliers_of([WANG, RUIZ, SOLO])
    hotel_rows = departures.manifest_rows(hotel, everyone, rooms)
    assert [(r["full_name"], r["type"], r["room"]) for r in hotel_rows] == [
        ("李梅", "adult", "301"), ("王小明", "adult", "301"), ("王涛", "child", "301"), ("Luis Ruiz", "adult", "302")]
    train_rows = departures.manifest_rows(train, everyone, rooms)
    assert len(train_rows) == 5 and {r["room"] for r in train_rows} == {None}
    assert departures.counts(departures.supplier_travellers(hotel, everyone), rooms) == {
        "travellers": 4, "adults": 3, "children": 1, "rooms": 2}

    manifest = {"code": "GD-2027-0001", "departure_date": date(2027, 5, 1), "return_date": date(2027, 5, 7),
                "supplier_name": "Lhasa Hotel", "services": hotel["services"], "travellers": hotel_rows}
    text = rows_csv(departures.MANIFEST_COLUMNS, departures.manifest_records(manifest), bom=True)
    assert text.startswith("\ufeffdeparture,departure_date,")
    header, first = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[:2]
    assert dict(zip(header, first)) == {
        "departure": "GD-2027-0001", "departure_date": "2027-05-01", "return_date": "2027-05-07",
        "supplier": "Lhasa Hotel", "services": "2027-05-03 hotel 3 nights", "order_number": "OF-2027-000001",
        "full_name": "李梅", "type": "adult", "nationality": "", "date_of_birth": "",
        "document": "passport E****5678 (CN, 2031-01-01)", "room": "301", "room_type": "family"}
