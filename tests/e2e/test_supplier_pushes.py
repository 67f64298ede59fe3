"""Supplier pushes through the real gateway (OTA XML) and the real broker (AMQP), to the database.

A real ticketing container on RabbitMQ, SQLite and (when it answers) PostgreSQL.
"""
import json
import uuid
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone

import eventlet
import pytest
from kombu import Queue
from sqlalchemy import create_engine, text

from gateway.app import create_app
from gateway.rpc import RpcPool
from services.ticketing import pushes
from services.ticketing.service import TicketingService
from services.ticketing.supplier_queue import API_KEY_HEADER, queue_names
from services.ticketing.wire import ota
from tests.conftest import wait_for
from tests.events import subscribe

pytestmark = pytest.mark.e2e

DAY = date.today() + timedelta(days=60)
NS = {"ota": ota.NS}


@pytest.fixture
def ticketing(start_service, amqp):
    """The ticketing service, consuming supplier pushes from a queue of this test's own."""
    queue = f"test-supplier-inventory-{uuid.uuid4().hex[:8]}"
    container = start_service(TicketingService, SUPPLIER_INVENTORY_QUEUE=queue)
    yield container
    container.stop()   # before its queue goes, or its consumer is cancelled under it
    channel = amqp.channel()
    names = queue_names(queue)
    for name in (names["queue"], names["retry"], names["dead_letter"]):
        Queue(name, channel=channel).delete()
    channel.exchange_delete(names["exchange"])
    channel.close()


@pytest.fixture
def client(ticketing, tmp_path, monkeypatch):
    """The real gateway app (suppliers need no staff sign-in: their key is their credential)."""
    monkeypatch.setenv("ITINERA_VAR_DIR", str(tmp_path))   # whatever the gateway keeps of its own
    pool = RpcPool(ticketing.config, size=6, timeout=15)
    app = create_app(ticketing.config, rpc_pool=pool)
    yield app.test_client()
    pool.close()


def from_supplier(envelope) -> bool:
    return envelope["payload"]["changed_by"].startswith("supplier:")


def open_hotel(rpc, codes=("KING", "QUEEN")) -> tuple[str, str, dict]:
    """A hotel with rooms open for a week from DAY, 10 of each; returns (supplier id, API key, products)."""
    supplier = rpc.ticketing.create_supplier({"name": "Hôtel du Lac", "kind": "hotel"})
    key = rpc.ticketing.issue_supplier_key(supplier["id"])["api_key"]
    products = {}
    for code in codes:
        product = rpc.ticketing.create_product({
            "supplier_id": supplier["id"], "supplier_code": code, "kind": "hotel", "name": f"{code} room",
            "location": "Annecy", "currency": "EUR"})
        rpc.ticketing.set_inventory(product["id"], {"start": DAY.isoformat(), "end": (DAY + timedelta(6)).isoformat(),
                                                    "capacity": 10, "net_price": "80.00", "sell_price": "110.00"})
        products[code] = product["id"]
    return supplier["id"], key, products


def stamp(minutes: int = 0) -> str:
    moment = datetime(2026, 5, 1, 9, 30, tzinfo=timezone.utc) + timedelta(minutes=minutes)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def inv_count_rq(echo: str | None, *, at: str, count: int, code="KING", start=DAY, end=DAY + timedelta(2)) -> str:
    echo_attr = f' EchoToken="{echo}"' if echo else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<OTA_HotelInvCountNotifRQ xmlns="{ota.NS}"{echo_attr} TimeStamp="{at}" Version="3.0">'
            f'<Inventories HotelCode="LAC"><Inventory>'
            f'<StatusApplicationControl Start="{start}" End="{end}" InvTypeCode="{code}"/>'
            f'<InvCounts><InvCount CountType="2" Count="{count}"/></InvCounts>'
            f'</Inventory></Inventories></OTA_HotelInvCountNotifRQ>')


def avail_rq(echo: str, at: str, *messages: str) -> str:
    return (f'<OTA_HotelAvailNotifRQ EchoToken="{echo}" TimeStamp="{at}" Version="1.0">'   # un-namespaced
            f'<AvailStatusMessages HotelCode="LAC">{"".join(messages)}</AvailStatusMessages>'
            f'</OTA_HotelAvailNotifRQ>')


def control(start=DAY, end=DAY + timedelta(1), code="KING") -> str:
    return f'<StatusApplicationControl Start="{start}" End="{end}" InvTypeCode="{code}"/>'


def post(client, xml: str, key: str | None, content_type="application/xml"):
    headers = {"X-Api-Key": key} if key else {}
    return client.post("/api/v1/supplier/ota", data=xml.encode("utf-8"), content_type=content_type, headers=headers)


def rs(response) -> ET.Element:
    assert response.mimetype == "application/xml", response.data
    return ET.fromstring(response.data)


def days(rpc, product_id, start=DAY, end=DAY + timedelta(6)) -> list[dict]:
    return rpc.ticketing.get_inventory(product_id, start, end)


def supplier_changes(rpc, product_id) -> list[dict]:
    return [c for c in rpc.ticketing.inventory_changes(product_id, DAY, DAY + timedelta(6)) if c["source"] != "staff"]


def table_count(container, table: str) -> int:
    engine = create_engine(container.config["DATABASE_URLS"]["ticketing"])
    try:
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    finally:
        engine.dispose()


# --- OTA XML at the gateway ------------------------------------------------------------------------

def test_an_ota_rq_is_applied_and_the_same_echo_token_again_changes_nothing(ticketing, client, rpc, amqp,
                                                                             nameko_config):
    _, key, products = open_hotel(rpc)
    with subscribe(amqp, nameko_config, "ticketing.inventory_changed", where=from_supplier) as received:
        first = post(client, inv_count_rq("inv-0001", at=stamp(), count=4), key)
        assert first.status_code == 200, first.data
        root = rs(first)
        assert root.tag == f"{{{ota.NS}}}OTA_HotelInvCountNotifRS"
        assert (root.get("EchoToken"), root.get("TimeStamp"), root.get("Version")) == ("inv-0001", stamp(), "3.0")
        assert root.find("ota:Success", NS) is not None and root.find("ota:Warnings", NS) is None
        [(envelope, _)] = wait_for(received, message="ticketing.inventory_changed")
        assert envelope["payload"]["changes"] == {"available": 4}   # rooms left to sell (CountType 2)
        assert envelope["payload"]["changed_by"].startswith("supplier:")

        assert [d["capacity"] for d in days(rpc, products["KING"])] == [4, 4, 4, 10, 10, 10, 10]
        changes = rpc.ticketing.inventory_changes(products["KING"], DAY, DAY + timedelta(6))
        assert [(c["source"], c["source_message"], c["new"]) for c in changes if c["source"] != "staff"] == \
            [("supplier_xml", "inv-0001", {"capacity": 4})] * 3

        # Sent again (a retry after a lost answer), even with other content and a later TimeStamp:
        # the first answer, marked as a repeat.
        again = post(client, inv_count_rq("inv-0001", at=stamp(5), count=1), key)
        assert again.status_code == 200 and again.data != first.data
        repeat = rs(again)
        assert (repeat.get("EchoToken"), repeat.get("TimeStamp")) == ("inv-0001", stamp())
        assert repeat.find("ota:Success", NS) is not None
        [warning] = repeat.findall("ota:Warnings/ota:Warning", NS)
        assert warning.get("Type") == ota.EWT_ADVISORY and "already processed" in warning.text
        eventlet.sleep(0.5)
        assert len(received()) == 1
    assert [d["capacity"] for d in days(rpc, products["KING"])] == [4, 4, 4, 10, 10, 10, 10]
    assert len(supplier_changes(rpc, products["KING"])) == 3
    assert table_count(ticketing, "supplier_messages") == 1

    # A new EchoToken with a newer TimeStamp is a new message.
    newer = post(client, inv_count_rq("inv-0002", at=stamp(10), count=2, start=DAY, end=DAY), key)
    assert newer.status_code == 200 and rs(newer).find("ota:Warnings", NS) is None
    assert [d["capacity"] for d in days(rpc, products["KING"], DAY, DAY + timedelta(1))] == [2, 4]


def test_the_same_echo_token_sent_at_once_many_times_is_applied_once(ticketing, client, rpc):
    _, key, products = open_hotel(rpc)
    responses = list(eventlet.GreenPool(6).imap(
        lambda _: post(client, inv_count_rq("burst-1", at=stamp(), count=3), key), range(6)))
    assert {r.status_code for r in responses} == {200}
    marked = [b"already processed" in r.data for r in responses]
    assert marked.count(False) == 1   # one applied it; the others got its answer, marked as a repeat
    assert len(supplier_changes(rpc, products["KING"])) == 3
    assert table_count(ticketing, "supplier_messages") == 1


def test_avail_notif_sets_the_limit_and_closes_and_opens_in_timestamp_order(ticketing, client, rpc):
    _, key, products = open_hotel(rpc)
    # A limit and a closure for the same room and dates, in two messages of one RQ: both apply.
    closed = post(client, avail_rq("av-1", stamp(), f'<AvailStatusMessage BookingLimit="6">{control()}'
                                                    f'</AvailStatusMessage>',
                                   f'<AvailStatusMessage>{control()}<RestrictionStatus Status="Close" '
                                   f'Restriction="Master"/></AvailStatusMessage>'), key)
    assert closed.status_code == 200, closed.data
    assert rs(closed).tag == f"{{{ota.NS}}}OTA_HotelAvailNotifRS"
    king = days(rpc, products["KING"], DAY, DAY + timedelta(2))
    assert [(d["capacity"], d["stop_sell"], d["status"]) for d in king] == \
        [(6, True, "stop_sell"), (6, True, "stop_sell"), (10, False, "available")]

    opened = post(client, avail_rq("av-2", stamp(1), f'<AvailStatusMessage>{control(end=DAY)}'
                                                     f'<RestrictionStatus Status="Open"/></AvailStatusMessage>'), key)
    assert opened.status_code == 200
    assert [d["stop_sell"] for d in days(rpc, products["KING"], DAY, DAY + timedelta(1))] == [False, True]

    # A message older than what was applied is answered, and its staleness reported per element.
    late = post(client, avail_rq("av-0", stamp(-60), f'<AvailStatusMessage>{control(end=DAY)}'
                                                     f'<RestrictionStatus Status="Close"/></AvailStatusMessage>',
                                 f'<AvailStatusMessage>{control(end=DAY, code="QUEEN")}'
                                 f'<RestrictionStatus Status="Close" Restriction="Arrival"/>'
                                 f'</AvailStatusMessage>'), key)
    assert late.status_code == 200
    root = rs(late)
    assert root.find("ota:Success", NS) is not None
    warnings = root.findall("ota:Warnings/ota:Warning", NS)
    assert [(w.get("RecordID"), w.get("Type")) for w in warnings] == [("1", ota.EWT_ADVISORY),
                                                                      ("2", ota.EWT_NO_IMPLEMENTATION)]
    assert "ignored" in warnings[0].text and "Arrival" in warnings[1].text
    assert days(rpc, products["KING"], DAY, DAY)[0]["stop_sell"] is False
    assert days(rpc, products["QUEEN"], DAY, DAY)[0]["stop_sell"] is False


@pytest.mark.parametrize("key", [None, "itk_nope_nope", "not-a-key"])
def test_a_missing_or_wrong_key_is_a_401_rs_and_changes_nothing(ticketing, client, rpc, key):
    _, _, products = open_hotel(rpc)
    response = post(client, inv_count_rq("k-1", at=stamp(), count=1), key)
    assert response.status_code == 401
    [error] = rs(response).findall("ota:Errors/ota:Error", NS)
    assert (error.get("Type"), error.get("Code")) == (ota.EWT_AUTHENTICATION, ota.ERR_AUTHORIZATION)
    # The key is checked before the body is read: nothing of an unauthenticated message is echoed.
    assert rs(response).get("EchoToken") is None
    assert {d["capacity"] for d in days(rpc, products["KING"])} == {10}
    assert table_count(ticketing, "supplier_messages") == 0


def test_a_revoked_key_is_refused(ticketing, client, rpc):
    supplier_id, key, products = open_hotel(rpc)
    rpc.ticketing.revoke_supplier_key(supplier_id)
    assert post(client, inv_count_rq("k-2", at=stamp(), count=1), key).status_code == 401


BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                  '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
                  '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
                  '<OTA_HotelInvCountNotifRQ EchoToken="&lol3;" TimeStamp="2026-05-01T09:30:00Z"/>')


@pytest.mark.parametrize("xml, content_type, status, code", [
    (inv_count_rq("u-1", at=stamp(), count=1, code="SUITE"), "application/xml", 422, ota.ERR_INVALID_ROOM_TYPE),
    (inv_count_rq("u-2", at=stamp(), count=1).replace(f' TimeStamp="{stamp()}"', ""), "text/xml", 422,
     ota.ERR_REQUIRED_FIELD_MISSING),
    (inv_count_rq("u-3", at=stamp(), count=1).replace(' InvTypeCode="KING"', ""), "application/xml", 422,
     ota.ERR_REQUIRED_FIELD_MISSING),
    (inv_count_rq("u-4", at=stamp(), count=1)[:-20], "application/xml", 400, ota.ERR_UNABLE_TO_PROCESS),
    (f'<OTA_HotelRateAmountNotifRQ xmlns="{ota.NS}" TimeStamp="{stamp()}"/>', "application/xml", 400,
     ota.ERR_UNABLE_TO_PROCESS),
    (BILLION_LAUGHS, "application/xml", 400, ota.ERR_UNABLE_TO_PROCESS),
    (inv_count_rq("u-5", at=stamp(), count=1), "application/json", 415, ota.ERR_UNABLE_TO_PROCESS),
])
def test_bad_messages_get_an_errors_rs_and_write_nothing(ticketing, client, rpc, xml, content_type, status, code):
    _, key, products = open_hotel(rpc)
    response = post(client, xml, key, content_type)
    assert response.status_code == status, response.data
    root = rs(response)
    assert root.find("ota:Success", NS) is None
    assert code in [e.get("Code") for e in root.findall("ota:Errors/ota:Error", NS)]
    assert {d["capacity"] for d in days(rpc, products["KING"])} == {10}
    assert supplier_changes(rpc, products["KING"]) == []
    assert table_count(ticketing, "supplier_messages") == 0


def test_the_ota_route_is_in_the_openapi_spec(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/supplier/ota"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/xml", "text/xml", "application/soap+xml"}
    assert {"200", "400", "401", "409", "415", "422"} <= set(operation["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])


def test_an_ota_rq_repeated_under_its_idempotency_key_gets_the_first_rs_from_the_gateway(ticketing, client, rpc):
    _, key, products = open_hotel(rpc)
    _, other_key, _ = open_hotel(rpc)
    xml = inv_count_rq(None, at=stamp(), count=4)   # no EchoToken: only the key says it is a repeat

    def send(api_key, body=xml, idempotency_key="ota-1"):
        return client.post("/api/v1/supplier/ota", data=body.encode(), content_type="application/xml",
                           headers={"X-Api-Key": api_key, "Idempotency-Key": idempotency_key})

    first = send(key)
    changes = supplier_changes(rpc, products["KING"])
    again = send(key)
    assert first.status_code == again.status_code == 200, first.data
    assert again.headers.get("Idempotent-Replayed") == "true" and again.data == first.data
    assert again.mimetype == "application/xml"
    assert supplier_changes(rpc, products["KING"]) == changes and len(changes) == 3
    # The key with another message is refused in XML, as every answer of this route.
    changed = send(key, inv_count_rq(None, at=stamp(1), count=5))
    assert changed.status_code == 422 and rs(changed).find("ota:Errors", NS) is not None
    # Keys are scoped per supplier: another supplier's "ota-1" is its own request.
    other = send(other_key)
    assert other.status_code == 200 and "Idempotent-Replayed" not in other.headers


SOAP = {"1.1": (ota.SOAP11, "text/xml"), "1.2": (ota.SOAP12, "application/soap+xml")}


def in_envelope(rq: str, version: str) -> str:
    namespace, _ = SOAP[version]
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenv="{namespace}">'
            '<soapenv:Header><wsa:MessageID xmlns:wsa="http://www.w3.org/2005/08/addressing">m-1</wsa:MessageID>'
            f'</soapenv:Header><soapenv:Body>{rq.split("?>", 1)[1]}</soapenv:Body></soapenv:Envelope>')


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_an_rq_in_a_soap_envelope_is_applied_and_answered_in_the_same_envelope(ticketing, client, rpc, version):
    namespace, content_type = SOAP[version]
    _, key, products = open_hotel(rpc)
    response = post(client, in_envelope(inv_count_rq("soap-1", at=stamp(), count=4), version), key,
                    content_type=f"{content_type}; charset=utf-8")
    assert response.status_code == 200, response.data
    assert response.mimetype == content_type
    [answer] = ET.fromstring(response.data).find(f"{{{namespace}}}Body")
    assert answer.tag == f"{{{ota.NS}}}OTA_HotelInvCountNotifRS" and answer.get("EchoToken") == "soap-1"
    assert answer.find("ota:Success", NS) is not None
    assert [d["capacity"] for d in days(rpc, products["KING"], DAY, DAY + timedelta(3))] == [4, 4, 4, 10]

    # Errors inside a good envelope are an RS in it; a broken envelope is a SOAP Fault; nothing applied.
    unknown = post(client, in_envelope(inv_count_rq("soap-2", at=stamp(1), count=1, code="SUITE"), version), key,
                   content_type=content_type)
    assert (unknown.status_code, unknown.mimetype) == (422, content_type)
    [answer] = ET.fromstring(unknown.data).find(f"{{{namespace}}}Body")
    assert answer.find("ota:Errors/ota:Error", NS).get("Code") == ota.ERR_INVALID_ROOM_TYPE
    broken = post(client, f'<soapenv:Envelope xmlns:soapenv="{namespace}"><soapenv:Header/></soapenv:Envelope>',
                  key, content_type=content_type)
    assert (broken.status_code, broken.mimetype) == (400, content_type)
    assert ET.fromstring(broken.data).find(f"{{{namespace}}}Body/{{{namespace}}}Fault") is not None
    assert len(supplier_changes(rpc, products["KING"])) == 3
    assert table_count(ticketing, "supplier_messages") == 1


def test_counts_left_to_sell_are_added_to_what_we_booked_and_held(ticketing, client, rpc):
    _, key, products = open_hotel(rpc)
    hold = rpc.ticketing.place_hold({"lines": [{"product_id": products["KING"], "day": DAY.isoformat(),
                                                "quantity": 2}]})
    rpc.ticketing.confirm_hold(hold["id"])
    rpc.ticketing.place_hold({"lines": [{"product_id": products["KING"], "day": DAY.isoformat(), "quantity": 1}]})
    both = (f'<?xml version="1.0"?><OTA_HotelInvCountNotifRQ xmlns="{ota.NS}" EchoToken="ct-1" '
            f'TimeStamp="{stamp()}" Version="3.0"><Inventories HotelCode="LAC"><Inventory>'
            f'{control(end=DAY + timedelta(1))}<InvCounts><InvCount CountType="1" Count="20"/>'
            '<InvCount CountType="2" Count="4"/><InvCount CountType="4" Count="9"/></InvCounts>'
            '</Inventory></Inventories></OTA_HotelInvCountNotifRQ>')
    response = post(client, both, key)
    assert response.status_code == 200, response.data
    king = days(rpc, products["KING"], DAY, DAY + timedelta(1))
    # 4 left to sell: on DAY 2 booked and 1 held come on top; the next day has nothing of ours.
    assert [(d["capacity"], d["available"]) for d in king] == [(7, 4), (4, 4)]
    [warning] = rs(response).findall("ota:Warnings/ota:Warning", NS)
    assert warning.get("RecordID") == "1" and "4 (definite sold) = 9" in warning.text


def test_a_timestamp_from_the_future_is_refused_and_later_messages_still_apply(ticketing, client, rpc):
    _, key, products = open_hotel(rpc)
    now = datetime.now(timezone.utc)
    ahead = (now + timedelta(hours=3)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    refused = post(client, inv_count_rq("fut-1", at=ahead, count=1), key)
    assert refused.status_code == 422
    [error] = rs(refused).findall("ota:Errors/ota:Error", NS)
    assert error.get("Code") == ota.ERR_INVALID_DATE and "future" in error.text
    assert {d["capacity"] for d in days(rpc, products["KING"])} == {10}
    assert table_count(ticketing, "supplier_messages") == 0
    real = now.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    applied = post(client, inv_count_rq("fut-2", at=real, count=3), key)
    assert applied.status_code == 200 and rs(applied).find("ota:Warnings", NS) is None
    assert [d["capacity"] for d in days(rpc, products["KING"], DAY, DAY)] == [3]


# --- AMQP --------------------------------------------------------------------------------------------

@pytest.fixture
def replies(amqp):
    """A reply queue of this test's own; next_reply() waits for the next result."""
    name = f"test-supplier-replies-{uuid.uuid4().hex[:8]}"
    queue = Queue(name, exclusive=True, auto_delete=True, channel=amqp.channel())
    queue.declare()

    def next_reply(timeout=15.0) -> dict:
        message = wait_for(lambda: queue.get(no_ack=True), timeout=timeout, message="a reply")
        return json.loads(message.body)

    next_reply.name = name
    yield next_reply


def send(amqp, container, body, *, key: str | None, message_id: str | None, reply_to: str | None,
         content_type="application/json"):
    headers = {API_KEY_HEADER: key} if key else {}
    payload = json.dumps(body) if not isinstance(body, bytes) else body
    producer = amqp.Producer()
    options = {k: v for k, v in {"message_id": message_id, "reply_to": reply_to}.items() if v}
    names = queue_names(container.config["SUPPLIER_INVENTORY_QUEUE"])
    producer.publish(payload, exchange=names["exchange"], routing_key=names["queue"],
                     headers=headers, content_type=content_type, content_encoding="utf-8", delivery_mode=2,
                     **options)


def push(code="KING", capacity=3, sequence=100, start=DAY, end=DAY + timedelta(1)) -> dict:
    return {"updates": [{"product_code": code, "start": start.isoformat(), "end": end.isoformat(),
                         "capacity": capacity, "sequence": sequence}]}


def queue_depth(amqp, name: str) -> int:
    channel = amqp.channel()
    try:
        return channel.queue_declare(name, passive=True).message_count
    finally:
        channel.close()


def test_an_amqp_push_is_applied_and_a_repeated_message_id_does_nothing(ticketing, rpc, amqp, replies,
                                                                      nameko_config):
    _, key, products = open_hotel(rpc)
    with subscribe(amqp, nameko_config, "ticketing.inventory_changed", where=from_supplier) as received:
        send(amqp, ticketing, push(capacity=3), key=key, message_id="batch-1", reply_to=replies.name)
        reply = replies()
        assert (reply["status"], reply["message_id"]) == ("processed", "batch-1")
        assert [r["status"] for r in reply["results"]] == ["applied"]
        wait_for(received, message="ticketing.inventory_changed")
        assert [d["capacity"] for d in days(rpc, products["KING"], DAY, DAY + timedelta(2))] == [3, 3, 10]

        # The broker redelivers, or the supplier re-sends: same message_id, whatever it now says.
        send(amqp, ticketing, push(capacity=1, sequence=200), key=key, message_id="batch-1", reply_to=replies.name)
        duplicate = replies()
        assert duplicate.pop("duplicate") is True and duplicate == reply
        eventlet.sleep(0.5)
        assert len(received()) == 1
    assert [d["capacity"] for d in days(rpc, products["KING"], DAY, DAY + timedelta(2))] == [3, 3, 10]
    changes = rpc.ticketing.inventory_changes(products["KING"], DAY, DAY + timedelta(6))
    assert [(c["source"], c["source_message"]) for c in changes if c["source"] != "staff"] == \
        [("supplier_amqp", "batch-1")] * 2

    # Without reply_to the push is applied all the same.
    send(amqp, ticketing, push(capacity=5, sequence=300), key=key, message_id="batch-2", reply_to=None)
    wait_for(lambda: days(rpc, products["KING"], DAY, DAY)[0]["capacity"] == 5, message="batch-2 applied")
    assert queue_depth(amqp, ticketing.config["SUPPLIER_INVENTORY_QUEUE"]) == 0


def test_refused_amqp_messages_are_answered_once_and_never_retried(ticketing, rpc, amqp, replies):
    _, key, products = open_hotel(rpc)
    refused = [
        (push(), "itk_nope_nope", "r-1", "application/json", 401),       # wrong key
        (push(), None, "r-2", "application/json", 401),                  # no key
        (push(), key, None, "application/json", 422),                    # no message_id
        ({"updates": []}, key, "r-4", "application/json", 422),          # invalid batch
        ([1, 2], key, "r-5", "application/json", 422),                   # not an object
        (b"\x00not json", key, "r-6", "application/octet-stream", 400),  # not JSON at all
        (b'{"updates": [', key, "r-7", "application/json", 400),         # broken JSON
    ]
    for body, with_key, message_id, content_type, status in refused:
        send(amqp, ticketing, body, key=with_key, message_id=message_id, reply_to=replies.name,
             content_type=content_type)
        reply = replies()
        assert (reply["status"], reply["error"]["status"]) == ("rejected", status), (message_id, reply)
    # The consumer is still there, nothing was written, nothing waits or is parked.
    send(amqp, ticketing, push(capacity=7), key=key, message_id="ok-1", reply_to=replies.name)
    assert replies()["status"] == "processed"
    assert days(rpc, products["KING"], DAY, DAY)[0]["capacity"] == 7
    assert table_count(ticketing, "supplier_messages") == 1
    names = queue_names(ticketing.config["SUPPLIER_INVENTORY_QUEUE"])
    assert queue_depth(amqp, names["queue"]) == 0


def test_an_amqp_push_that_keeps_failing_is_retried_then_parked_without_its_key(ticketing, rpc, amqp, replies,
                                                                              monkeypatch):
    _, key, products = open_hotel(rpc)
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("database fell over")

    monkeypatch.setattr(pushes, "apply_batch", broken)
    send(amqp, ticketing, push(capacity=2), key=key, message_id="doomed-1", reply_to=replies.name)
    reply = replies()
    assert (reply["status"], reply["message_id"]) == ("failed", "doomed-1")
    assert len(calls) == ticketing.config["EVENT_MAX_ATTEMPTS"]

    names = queue_names(ticketing.config["SUPPLIER_INVENTORY_QUEUE"])
    parked = Queue(names["dead_letter"], channel=amqp.channel()).get(no_ack=True)
    assert json.loads(parked.body) == push(capacity=2)
    assert parked.properties["message_id"] == "doomed-1"
    assert API_KEY_HEADER not in parked.headers
    assert parked.headers["x-itinera-api-key-prefix"] == key.split("_")[1]
    assert "database fell over" in parked.headers["x-itinera-error"]
    assert {d["capacity"] for d in days(rpc, products["KING"])} == {10}
    assert table_count(ticketing, "supplier_messages") == 0
