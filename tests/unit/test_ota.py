"""OpenTravel XML mapping and the rules of receiving it: no broker, no database."""
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone

import pytest

from services.ticketing import ota_receiving as receiving
from services.ticketing.wire import ota

NS = {"ota": ota.NS}
STAMP = "2026-05-01T09:30:00.000Z"
STAMP_MS = 1777627800000


def inv_count(*inventories: str, root_attrs: str = f'EchoToken="tok-1" TimeStamp="{STAMP}" Version="3.0"',
              xmlns: str = f' xmlns="{ota.NS}"') -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<OTA_HotelInvCountNotifRQ{xmlns} {root_attrs}>'
            f'<Inventories HotelCode="H1">{"".join(inventories)}</Inventories></OTA_HotelInvCountNotifRQ>')


def inventory(control: str = 'Start="2026-06-01" End="2026-06-30" InvTypeCode="KING"', counts: str =
              '<InvCount CountType="2" Count="7"/>') -> str:
    return f"<Inventory><StatusApplicationControl {control}/><InvCounts>{counts}</InvCounts></Inventory>"


def avail(*messages: str, root_attrs: str = f'EchoToken="tok-2" TimeStamp="{STAMP}" Version="1.002"') -> str:
    return (f'<OTA_HotelAvailNotifRQ xmlns="{ota.NS}" {root_attrs}>'
            f'<AvailStatusMessages HotelCode="H1">{"".join(messages)}</AvailStatusMessages></OTA_HotelAvailNotifRQ>')


def status_message(inner: str = "", attrs: str = "",
                   control: str = 'Start="2026-06-01" End="2026-06-03" InvTypeCode="KING"') -> str:
    return f"<AvailStatusMessage {attrs}><StatusApplicationControl {control}/>{inner}</AvailStatusMessage>"


def refused(xml: str) -> ota.OtaError:
    with pytest.raises(ota.OtaError) as caught:
        ota.parse(xml)
    return caught.value


def errors_of(error: ota.OtaError) -> list[tuple[str, str]]:
    """(Type, Code) of each Error in the answer, read back from its XML."""
    root = ET.fromstring(ota.error_rs(error))
    return [(e.get("Type"), e.get("Code")) for e in root.findall("ota:Errors/ota:Error", NS)]


# --- what maps to what -----------------------------------------------------------------------

def test_an_inventory_count_becomes_an_available_update_sequenced_by_the_timestamp():
    message = ota.parse(inv_count(inventory()))
    assert (message.root, message.echo_token, message.version, message.sequence) == \
        (ota.INV_COUNT, "tok-1", "3.0", STAMP_MS)
    updates, origins = receiving.coalesce(message)
    assert updates == [{"product_code": "KING", "start": "2026-06-01", "end": "2026-06-30",
                        "sequence": STAMP_MS, "available": 7}]
    assert origins == [[1]]


@pytest.mark.parametrize("flags, weekdays", [
    ("", None),                                             # no flag: every day
    ('Mon="true" Weds="1" Sun="true"', [1, 3, 7]),          # true and 1 select those days only
    ('Mon="true" Tue="false" Fri="1" Sat="0"', [1, 5]),     # false ones beside true ones change nothing
    ('Sat="false" Sun="0"', [1, 2, 3, 4, 5]),               # only false ones: every day but those
    ('Wed="true" Thu="true"', [3, 4]),                      # the short spellings some senders use
    ('Thur="TRUE"', [4]),
])
def test_weekday_flags_select_iso_weekdays(flags, weekdays):
    message = ota.parse(inv_count(inventory(f'Start="2026-06-01" End="2026-06-30" InvTypeCode="KING" {flags}')))
    [element] = message.elements
    assert element.weekdays == weekdays
    [update], _ = receiving.coalesce(message)
    assert update.get("weekdays") == weekdays


def test_seven_false_weekday_flags_select_nothing_and_say_so():
    flags = " ".join(f'{day}="false"' for day in ("Mon", "Tue", "Weds", "Thur", "Fri", "Sat", "Sun"))
    message = ota.parse(inv_count(inventory(f'Start="2026-06-01" End="2026-06-30" InvTypeCode="KING" {flags}')))
    assert receiving.coalesce(message) == ([], [])
    [note] = message.notes
    assert note.record == "1" and "no date is selected" in note.text


def test_a_weekday_flag_that_is_not_a_boolean_is_refused():
    error = refused(inv_count(inventory('Start="2026-06-01" End="2026-06-30" InvTypeCode="KING" Mon="yes"')))
    assert error.status == 422
    assert errors_of(error) == [(ota.EWT_BIZ_RULE, ota.ERR_INVALID_VALUE)]


@pytest.mark.parametrize("restriction, stop_sell", [
    ('<RestrictionStatus Status="Close"/>', True),
    ('<RestrictionStatus Status="Close" Restriction="Master"/>', True),
    ('<RestrictionStatus Status="Open"/>', False),
    ('<RestrictionStatus Status="Open" Restriction="Master"/>', False),
])
def test_master_restriction_close_and_open_are_stop_sell(restriction, stop_sell):
    message = ota.parse(avail(status_message(restriction)))
    [update], _ = receiving.coalesce(message)
    assert update["stop_sell"] is stop_sell and "capacity" not in update
    assert message.notes == []


def test_arrival_and_departure_restrictions_are_not_applied_but_reported():
    message = ota.parse(avail(status_message('<RestrictionStatus Status="Close" Restriction="Arrival"/>'),
                              status_message('<RestrictionStatus Status="Close" Restriction="Departure"/>',
                                             control='Start="2026-07-01" End="2026-07-01" InvTypeCode="KING"')))
    assert receiving.coalesce(message) == ([], [])
    assert [(n.record, n.type) for n in message.notes] == [("1", ota.EWT_NO_IMPLEMENTATION),
                                                            ("2", ota.EWT_NO_IMPLEMENTATION)]
    assert "Arrival" in message.notes[0].text


def test_a_restriction_status_that_is_neither_open_nor_close_is_refused():
    error = refused(avail(status_message('<RestrictionStatus Status="Closed"/>')))
    assert error.status == 422 and "Open or Close" in error.problems[0].text


def test_booking_limit_is_the_capacity_and_combines_with_a_restriction():
    message = ota.parse(avail(status_message('<RestrictionStatus Status="Close"/>', attrs='BookingLimit="12"')))
    [update], _ = receiving.coalesce(message)
    assert (update["capacity"], update["stop_sell"]) == (12, True)


def test_booking_limit_adjustments_are_not_applied_but_reported():
    message = ota.parse(avail(status_message(attrs='BookingLimit="2" BookingLimitMessageType="AdjustLimit"')))
    assert receiving.coalesce(message) == ([], [])
    assert "AdjustLimit" in message.notes[0].text


def test_rate_plan_level_messages_are_not_applied_to_the_whole_room_type():
    message = ota.parse(avail(status_message(
        '<RestrictionStatus Status="Close"/>',
        control='Start="2026-06-01" End="2026-06-03" InvTypeCode="KING" RatePlanCode="BAR"')))
    assert receiving.coalesce(message) == ([], [])
    assert "rate plans are not supported" in message.notes[0].text


@pytest.mark.parametrize("counts, fields", [
    ('<InvCount CountType="2" Count="9"/>', {"available": 9}),
    ('<InvCount Count="4"/>', {"available": 4}),                   # no CountType: rooms left to sell
    ('<InvCount CountType="1" Count="90"/>', {"capacity": 90}),    # physical alone: the allotment in all
    # Both: left to sell, never above the physical count. Neither is dropped.
    ('<InvCount CountType="1" Count="90"/><InvCount CountType="2" Count="0"/>', {"capacity": 90, "available": 0}),
    ('<InvCount CountType="2" Count="5"/><InvCount CountType="1" Count="20"/>', {"capacity": 20, "available": 5}),
    # Zero counts of other types change nothing and need no warning.
    ('<InvCount CountType="1" Count="20"/><InvCount CountType="4" Count="0"/><InvCount CountType="6" Count="0"/>',
     {"capacity": 20}),
])
def test_count_types_1_and_2_are_applied_with_their_meaning(counts, fields):
    message = ota.parse(inv_count(inventory(counts=counts)))
    [update], _ = receiving.coalesce(message)
    assert {k: v for k, v in update.items() if k in ("capacity", "available")} == fields
    assert message.notes == []


def test_counts_of_other_types_only_are_reported_not_applied():
    message = ota.parse(inv_count(inventory(counts='<InvCount CountType="3" Count="2"/>'
                                                   '<InvCount CountType="4" Count="3"/>')))
    assert receiving.coalesce(message) == ([], [])
    [note] = message.notes
    assert note.record == "1" and note.type == ota.EWT_NO_IMPLEMENTATION
    assert "CountType 3 (tentative availability) = 2, 4 (definite sold) = 3 not applied" in note.text


def test_other_counts_beside_the_available_one_are_warned_per_element_and_the_rest_applied():
    message = ota.parse(inv_count(
        inventory(counts='<InvCount CountType="1" Count="20"/><InvCount CountType="2" Count="15"/>'
                         '<InvCount CountType="4" Count="3"/><InvCount CountType="5" Count="2"/>'),
        inventory('Start="2026-07-01" End="2026-07-02" InvTypeCode="KING"', '<InvCount CountType="2" Count="6"/>'
                  '<InvCount CountType="6" Count="1"/>')))
    updates, _ = receiving.coalesce(message)
    assert [(u["capacity"] if "capacity" in u else None, u["available"]) for u in updates] == [(20, 15), (None, 6)]
    assert [(n.record, n.type) for n in message.notes] == [("1", ota.EWT_NO_IMPLEMENTATION),
                                                            ("2", ota.EWT_NO_IMPLEMENTATION)]
    assert "4 (definite sold) = 3, 5 (tentative sold) = 2" in message.notes[0].text
    assert "6 (out of order) = 1" in message.notes[1].text


def test_a_physical_count_beside_sold_counts_but_no_available_one_is_not_applied():
    message = ota.parse(inv_count(inventory(counts='<InvCount CountType="1" Count="20"/>'
                                                   '<InvCount CountType="4" Count="12"/>')))
    assert receiving.coalesce(message) == ([], [])
    assert [n.type for n in message.notes] == [ota.EWT_BIZ_RULE, ota.EWT_NO_IMPLEMENTATION]
    assert "CountType 1 (physical) was not applied" in message.notes[0].text


def test_a_count_type_given_twice_in_one_inventory_is_refused():
    error = refused(inv_count(inventory(counts='<InvCount CountType="2" Count="3"/>'
                                               '<InvCount CountType="2" Count="4"/>')))
    assert error.status == 422 and "given twice" in error.problems[0].text


@pytest.mark.parametrize("count", ['Count="-1"', 'Count="three"', 'Count="2.5"', ''])
def test_a_count_that_is_not_a_whole_number_is_refused(count):
    error = refused(inv_count(inventory(counts=f'<InvCount CountType="2" {count}/>')))
    assert error.status == 422
    assert errors_of(error)[0][1] in (ota.ERR_INVALID_VALUE, ota.ERR_REQUIRED_FIELD_MISSING)


def test_inv_code_is_taken_when_inv_type_code_is_absent():
    message = ota.parse(avail(status_message(attrs='BookingLimit="3"',
                                             control='Start="2026-06-01" End="2026-06-01" InvCode="STD"')))
    assert message.product_codes == ["STD"]


# --- one RQ, one state change -------------------------------------------------------------------

def test_elements_of_one_product_on_the_same_dates_fold_into_one_update():
    # A limit and a closure in separate messages: both must apply, though they share a TimeStamp.
    message = ota.parse(avail(status_message(attrs='BookingLimit="5"'),
                              status_message('<RestrictionStatus Status="Close"/>')))
    updates, origins = receiving.coalesce(message)
    assert updates == [{"product_code": "KING", "start": "2026-06-01", "end": "2026-06-03",
                        "sequence": STAMP_MS, "capacity": 5, "stop_sell": True}]
    assert origins == [[1, 2]]


def test_a_later_element_wins_on_the_dates_it_overlaps():
    message = ota.parse(inv_count(
        inventory('Start="2026-06-01" End="2026-06-05" InvTypeCode="KING"', '<InvCount CountType="2" Count="10"/>'),
        inventory('Start="2026-06-03" End="2026-06-03" InvTypeCode="KING"', '<InvCount CountType="2" Count="2"/>'),
        inventory('Start="2026-06-01" End="2026-06-05" InvTypeCode="QUEEN"', '<InvCount CountType="2" Count="4"/>')))
    updates, origins = receiving.coalesce(message)
    assert [(u["product_code"], u["start"], u["end"], u["available"]) for u in updates] == [
        ("KING", "2026-06-01", "2026-06-02", 10),
        ("KING", "2026-06-03", "2026-06-03", 2),
        ("KING", "2026-06-04", "2026-06-05", 10),
        ("QUEEN", "2026-06-01", "2026-06-05", 4),
    ]
    assert origins == [[1], [1, 2], [1], [3]]


def test_elements_on_different_days_of_the_week_stay_as_sent():
    message = ota.parse(inv_count(
        inventory('Start="2026-06-01" End="2026-06-30" InvTypeCode="KING" Sat="1" Sun="1"',
                  '<InvCount Count="2"/>'),
        inventory('Start="2026-06-01" End="2026-06-30" InvTypeCode="KING" Sat="0" Sun="0"',
                  '<InvCount Count="8"/>')))
    updates, origins = receiving.coalesce(message)
    assert [(u["weekdays"], u["available"]) for u in updates] == [([6, 7], 2), ([1, 2, 3, 4, 5], 8)]
    assert origins == [[1], [2]]


# --- the RQ as a whole --------------------------------------------------------------------------

def test_timestamp_is_required():
    error = refused(inv_count(inventory(), root_attrs='EchoToken="tok-1" Version="3.0"'))
    assert error.status == 422
    assert errors_of(error) == [(ota.EWT_REQUIRED_FIELD_MISSING, ota.ERR_REQUIRED_FIELD_MISSING)]
    assert "TimeStamp is required" in error.problems[0].text
    # The answer is still the matching RS, echoing what the RQ did carry.
    root = ET.fromstring(ota.error_rs(error))
    assert root.tag == f"{{{ota.NS}}}OTA_HotelInvCountNotifRS" and root.get("EchoToken") == "tok-1"


@pytest.mark.parametrize("stamp, millis", [
    ("2026-05-01T09:30:00.000Z", 1777627800000),
    ("2026-05-01T11:30:00+02:00", 1777627800000),
    ("2026-05-01T09:30:00.123", 1777627800123),     # no offset: UTC
])
def test_timestamps_become_unix_milliseconds(stamp, millis):
    assert ota.timestamp_ms(stamp) == millis


@pytest.mark.parametrize("stamp", ["2026-05-01", "yesterday", "1969-12-31T23:59:59Z"])
def test_a_timestamp_that_is_not_a_date_and_time_is_refused(stamp):
    error = refused(inv_count(inventory(), root_attrs=f'TimeStamp="{stamp}"'))
    assert error.status == 422 and "TimeStamp" in error.problems[0].text


@pytest.mark.parametrize("control, tag", [
    ('End="2026-06-30" InvTypeCode="KING"', "@Start"),
    ('Start="2026-06-01" InvTypeCode="KING"', "@End"),
    ('Start="2026-06-01" End="2026-06-30"', "@InvTypeCode"),
])
def test_missing_required_attributes_are_refused_as_a_whole(control, tag):
    error = refused(inv_count(inventory(), inventory(control)))
    assert error.status == 422
    [problem] = error.problems
    assert (problem.type, problem.code, problem.record) == (ota.EWT_REQUIRED_FIELD_MISSING,
                                                            ota.ERR_REQUIRED_FIELD_MISSING, "2")
    assert problem.tag.endswith(tag)


@pytest.mark.parametrize("control", ['Start="2026-06-31" End="2026-07-01" InvTypeCode="KING"',
                                     'Start="2026-07-01" End="2026-06-01" InvTypeCode="KING"',
                                     'Start="2026-01-01" End="2027-12-31" InvTypeCode="KING"'])
def test_impossible_or_reversed_or_too_long_ranges_are_refused(control):
    error = refused(inv_count(inventory(control)))
    assert error.status == 422 and error.problems[0].code == ota.ERR_INVALID_DATE


def test_a_message_without_elements_is_refused():
    error = refused(inv_count())
    assert error.status == 422 and "Inventory is required" in error.problems[0].text


def test_un_namespaced_messages_are_accepted():
    message = ota.parse(inv_count(inventory(), xmlns=""))
    assert not message.namespaced and message.elements[0].fields == {"available": 7}


@pytest.mark.parametrize("xml", ["", "   ", "not xml at all", "<OTA_HotelInvCountNotifRQ>",
                                 "<OTA_HotelInvCountNotifRQ></OTA_HotelAvailNotifRQ>"])
def test_malformed_xml_is_a_400(xml):
    error = refused(xml)
    assert error.status == 400
    root = ET.fromstring(ota.error_rs(error))
    assert root.tag == f"{{{ota.NS}}}OTA_ErrorRS"
    assert errors_of(error) == [(ota.EWT_PROCESSING_EXCEPTION, ota.ERR_UNABLE_TO_PROCESS)]


@pytest.mark.parametrize("xml", [
    f'<OTA_HotelRateAmountNotifRQ xmlns="{ota.NS}" TimeStamp="{STAMP}"/>',     # a message we do not take
    '<OTA_HotelInvCountNotifRQ xmlns="urn:someone-else" TimeStamp="2026-05-01T09:30:00Z"/>',
    "<html><body>hello</body></html>",
])
def test_an_unsupported_root_element_is_a_400(xml):
    error = refused(xml)
    assert error.status == 400
    assert errors_of(error) == [(ota.EWT_NO_IMPLEMENTATION, ota.ERR_UNABLE_TO_PROCESS)]


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<OTA_HotelInvCountNotifRQ EchoToken="&lol9;" TimeStamp="2026-05-01T09:30:00Z"/>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<OTA_HotelInvCountNotifRQ EchoToken="&secret;" TimeStamp="2026-05-01T09:30:00Z"/>"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY,
                                 '<!DOCTYPE OTA_HotelInvCountNotifRQ><OTA_HotelInvCountNotifRQ/>'])
def test_entity_expansion_external_entities_and_dtds_are_refused(xml):
    error = refused(xml)
    assert error.status == 400
    assert "Document type declarations and entities are not accepted" in error.problems[0].text
    assert "lol" not in ota.error_rs(error) and "root:" not in ota.error_rs(error)


# --- answers -----------------------------------------------------------------------------------

def test_the_rs_echoes_the_rq_and_lists_warnings_after_success():
    message = ota.parse(inv_count(inventory(), root_attrs=f'EchoToken="tok-9" TimeStamp="{STAMP}" '
                                                          'Version="4.1" Target="Test"'))
    warnings = ota.result_warnings([
        {"index": 0, "status": "ignored_stale", "product_code": "KING", "applied_days": 0, "stale_days": 30}],
        [[1]])
    root = ET.fromstring(ota.success_rs(message, warnings))
    assert root.tag == f"{{{ota.NS}}}OTA_HotelInvCountNotifRS"
    assert (root.get("EchoToken"), root.get("TimeStamp"), root.get("Version"), root.get("Target")) == \
        ("tok-9", STAMP, "4.1", "Test")
    assert [child.tag.split("}")[1] for child in root] == ["Success", "Warnings"]
    [warning] = root.findall("ota:Warnings/ota:Warning", NS)
    assert (warning.get("Type"), warning.get("RecordID")) == (ota.EWT_ADVISORY, "1")
    assert "ignored" in warning.text


def test_result_warnings_name_each_update_that_was_not_fully_applied():
    results = [
        {"index": 0, "status": "applied", "product_code": "KING", "applied_days": 3, "stale_days": 0},
        {"index": 1, "status": "rejected", "reason": "past_dates",
         "detail": "Every date of this update is in the past."},
        {"index": 2, "status": "rejected", "reason": "invalid", "errors": {"capacity": ["Must be at most 100000."]}},
        {"index": 3, "status": "applied", "product_code": "QUEEN", "applied_days": 1, "stale_days": 2},
        {"index": 4, "status": "rejected", "product_code": "TWIN", "applied_days": 0, "stale_days": 0,
         "reason": "no_allotment", "missing_days": ["2026-06-01"], "detail": "No allotment yet"},
    ]
    warnings = ota.result_warnings(results, [[1], [2], [3], [4, 5], [6]])
    assert [(w.record, w.code) for w in warnings] == [
        ("2", ota.ERR_INVALID_DATE), ("3", ota.ERR_INVALID_VALUE), ("4,5", None),
        ("6", ota.ERR_UNABLE_TO_PROCESS)]
    assert "capacity: Must be at most 100000." in warnings[1].text
    assert warnings[2].text.startswith("Elements 4,5 (QUEEN): 2 date(s) ignored")
    assert "no allotment yet on 2026-06-01" in warnings[3].text


def test_unknown_product_codes_are_an_error_naming_each():
    message = ota.parse(inv_count(inventory(), inventory('Start="2026-06-01" End="2026-06-02" InvTypeCode="SUITE"')))
    assert receiving.unknown_codes(message, {"KING", "SUITE"}) is None
    error = receiving.unknown_codes(message, {"KING"})
    assert error.status == 422
    assert [(p.code, p.record) for p in error.problems] == [(ota.ERR_INVALID_ROOM_TYPE, "2")]
    assert "SUITE" in ota.error_rs(error)


# --- bytes to text -------------------------------------------------------------------------------

def test_bodies_are_decoded_by_charset_bom_or_declaration():
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?><a>Hôtel</a>'.encode("latin-1")
    assert "Hôtel" in ota.decode_body(latin)
    assert "Hôtel" in ota.decode_body("<a>Hôtel</a>".encode("utf-16"))
    assert "Hôtel" in ota.decode_body("<a>Hôtel</a>".encode("utf-8"))
    assert "Hôtel" in ota.decode_body("<a>Hôtel</a>".encode("cp1252"), "windows-1252")
    message = ota.parse(ota.decode_body(inv_count(inventory()).replace("UTF-8", "ISO-8859-1").encode("latin-1")))
    assert message.elements[0].start == date(2026, 6, 1)


@pytest.mark.parametrize("raw, charset", [(b"<a>\xff\xfe\xfa</a>", None), (b"<a/>", "no-such-charset")])
def test_bodies_that_do_not_decode_are_a_400(raw, charset):
    with pytest.raises(ota.OtaError) as caught:
        ota.decode_body(raw, charset)
    assert caught.value.status == 400 and not caught.value.fault
    with pytest.raises(ota.OtaError) as caught:   # sent as SOAP 1.2: the answer is a SOAP 1.2 Fault
        ota.decode_body(raw, charset, "application/soap+xml")
    assert ota.error_answer(caught.value)["content_type"] == ota.CONTENT_TYPE["1.2"]
    assert "Fault" in ota.error_answer(caught.value)["xml"]


# --- SOAP envelopes --------------------------------------------------------------------------------

SOAP = {"1.1": ota.SOAP11, "1.2": ota.SOAP12}


def in_envelope(inner: str, version: str = "1.1", header: str = "") -> str:
    inner = inner.split("?>", 1)[1] if inner.startswith("<?xml") else inner
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<s:Envelope xmlns:s="{SOAP[version]}">{header}'
            f"<s:Body>{inner}</s:Body></s:Envelope>")


WSSE = ('<s:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-'
        'secext-1.0.xsd" s:mustUnderstand="1"><wsse:UsernameToken><wsse:Username>lac</wsse:Username>'
        '</wsse:UsernameToken></wsse:Security></s:Header>')


@pytest.mark.parametrize("version, content_type", [("1.1", "text/xml"), ("1.2", "application/soap+xml")])
def test_an_rq_in_a_soap_envelope_is_read_and_answered_in_the_same_envelope(version, content_type):
    message = ota.parse(in_envelope(inv_count(inventory()), version, WSSE), content_type)
    assert (message.soap, message.echo_token, message.elements[0].fields) == (version, "tok-1", {"available": 7})
    answer = ota.answer(200, ota.success_rs(message, []), message.soap)
    assert answer["content_type"] == ota.CONTENT_TYPE[version]
    assert answer["content_type"].split(";")[0] == content_type
    envelope = ET.fromstring(answer["xml"])
    assert envelope.tag == f"{{{SOAP[version]}}}Envelope"
    [rs] = envelope.find(f"{{{SOAP[version]}}}Body")
    assert rs.tag == f"{{{ota.NS}}}OTA_HotelInvCountNotifRS" and rs.get("EchoToken") == "tok-1"


def test_errors_inside_a_good_envelope_are_an_rs_in_that_envelope():
    error = refused_in(in_envelope(inv_count(inventory(), root_attrs='EchoToken="t"'), "1.2"), "application/soap+xml")
    answer = ota.error_answer(error)
    assert (answer["status"], answer["content_type"]) == (422, ota.CONTENT_TYPE["1.2"])
    [rs] = ET.fromstring(answer["xml"]).find(f"{{{ota.SOAP12}}}Body")
    assert rs.find("ota:Errors/ota:Error", NS).get("Code") == ota.ERR_REQUIRED_FIELD_MISSING


def refused_in(xml: str, content_type: str | None) -> ota.OtaError:
    with pytest.raises(ota.OtaError) as caught:
        ota.parse(xml, content_type)
    return caught.value


@pytest.mark.parametrize("xml, content_type, version, reason", [
    (f'<s:Envelope xmlns:s="{ota.SOAP11}"><s:Header/></s:Envelope>', "text/xml", "1.1", "exactly one Body"),
    (f'<s:Envelope xmlns:s="{ota.SOAP12}"><s:Body/></s:Envelope>', "application/soap+xml", "1.2", "not 0"),
    (in_envelope(avail(status_message()) + avail(status_message()), "1.1"), "text/xml", "1.1", "not 2"),
    ('<s:Envelope xmlns:s="urn:not-soap"><s:Body/></s:Envelope>', "text/xml", "1.1", "no SOAP envelope"),
    (inv_count(inventory()), "application/soap+xml", "1.2", "carries a SOAP 1.2 Envelope"),
    ("<s:Envelope", "application/soap+xml", "1.2", "Malformed XML"),
])
def test_a_malformed_envelope_gets_a_soap_fault_of_its_version(xml, content_type, version, reason):
    error = refused_in(xml, content_type)
    answer = ota.error_answer(error)
    assert (answer["status"], answer["content_type"]) == (400, ota.CONTENT_TYPE[version])
    fault = ET.fromstring(answer["xml"]).find(f"{{{SOAP[version]}}}Body/{{{SOAP[version]}}}Fault")
    if version == "1.1":
        assert (fault.findtext("faultcode"), reason in fault.findtext("faultstring")) == ("soap:Client", True)
    else:
        s12 = {"s": ota.SOAP12}
        assert fault.findtext("s:Code/s:Value", namespaces=s12) == "soap:Sender"
        assert reason in fault.findtext("s:Reason/s:Text", namespaces=s12)


def test_a_bare_rq_as_text_xml_is_answered_bare():
    message = ota.parse(inv_count(inventory()), "text/xml")
    answer = ota.answer(200, ota.success_rs(message, []), message.soap)
    assert message.soap is None and answer["content_type"] == "application/xml"
    assert ET.fromstring(answer["xml"]).tag == f"{{{ota.NS}}}OTA_HotelInvCountNotifRS"


# --- TimeStamps from the future, repeated EchoTokens ------------------------------------------------

def test_a_timestamp_beyond_the_clock_skew_is_refused():
    message = ota.parse(inv_count(inventory()))   # 2026-05-01T09:30:00Z
    at = datetime(2026, 5, 1, 9, 25, tzinfo=timezone.utc)
    assert receiving.too_far_ahead(message, at) is None                                  # 5 minutes ahead: our skew
    error = receiving.too_far_ahead(message, at - timedelta(seconds=1))
    assert error.status == 422 and errors_of(error) == [(ota.EWT_BIZ_RULE, ota.ERR_INVALID_DATE)]
    assert "in the future" in error.problems[0].text and error.problems[0].tag.endswith("@TimeStamp")
    assert receiving.too_far_ahead(message, at - timedelta(minutes=55), max_skew=timedelta(hours=1)) is None


def test_a_repeated_echo_token_gets_the_first_answer_marked_as_a_repeat():
    message = ota.parse(inv_count(inventory()))
    stale = ota.Problem(ota.EWT_ADVISORY, None, "Element 1 ignored", "1")
    for first in (ota.success_rs(message, []), ota.success_rs(message, [stale])):
        again = ota.repeated_rs(first, "tok-1", datetime(2026, 5, 1, 9, 30, 2, tzinfo=timezone.utc))
        assert again != first
        root = ET.fromstring(again)
        assert root.tag == f"{{{ota.NS}}}OTA_HotelInvCountNotifRS" and root.get("EchoToken") == "tok-1"
        assert [child.tag.split("}")[1] for child in root] == ["Success", "Warnings"]
        *before, repeat = root.findall("ota:Warnings/ota:Warning", NS)
        earlier = ET.fromstring(first).findall("ota:Warnings/ota:Warning", NS)
        assert [w.text for w in before] == [w.text for w in earlier]
        assert (repeat.get("Type"), repeat.get("Tag")) == (ota.EWT_ADVISORY, "EchoToken")
        assert "already processed at 2026-05-01T09:30:02Z" in repeat.text
