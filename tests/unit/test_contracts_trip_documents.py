"""The trip documents, no broker: built from an order file (its itinerary day by day, travellers,
visa and insurance) and rendered in Chinese, Spanish and English, the text read back
shows what a traveller relies on: their name in any script, the locators and tickets, where and
when to meet, each day's heading and the number to call."""
from datetime import date, datetime, timezone

import pytest

from services.common.documents import typesetting
from services.contracts import documents, settings
from services.contracts.models import ContractVersion, OrderFile
from services.contracts.trip_documents import trip_documents_data
from tests.unit.test_contracts_documents import AGENCY, assert_shows, text_of
from tests.unit.test_itinerary_documents import embedded_fonts

LINES = [
    {"line": 1, "day": 1, "kind": "flight", "description": "CA907 北京 - 马德里", "service_date": "2027-05-01",
     "from_location": "Beijing", "to_location": "Madrid", "quantity": 2, "supplier_name": "Air China",
     "inventory_product_id": "p-flight"},
    {"line": 2, "day": 1, "kind": "hotel", "description": "Hotel Urban", "service_date": "2027-05-01",
     "location": "Madrid", "nights": 2, "check_out": "2027-05-03", "quantity": 1, "supplier_name": "Derby Hotels"},
    {"line": 3, "day": 3, "kind": "attraction", "description": "Museo del Prado", "service_date": "2027-05-03",
     "location": "Madrid", "quantity": 2},
]


def order_file(**changes) -> OrderFile:
    fields = dict(
        id="of-1", order_number="OF-2027-000042", title="Madrid · 马德里四日游", language="zh",
        start_date=date(2027, 5, 1), end_date=date(2027, 5, 4), status="signed", quote={"lines": LINES},
        travellers=[{"customer_id": "c1", "full_name": "王小明", "type": "adult", "visa": "granted"},
                    {"customer_id": "c2", "full_name": "María Núñez", "type": "adult", "visa": None}],
        entry_requirements={"passport_required": True, "visa_required": True}, special_arrangements=None)
    fields.update(changes)
    return OrderFile(**fields)


BOOKINGS = [{"locator": "NX7Q2B", "ticket_number": "999-1234567890", "product": "CA907 北京 - 马德里",
             "service_date": "2027-05-01", "status": "ticketed"}]
CONFIRMATIONS = [{"supplier": "Derby Hotels", "description": "Hotel Urban", "service_date": "2027-05-01",
                  "reference": "DH-55817"}]
MEETING = {"at": datetime(2027, 5, 1, 6, 30, tzinfo=timezone.utc), "place": "首都机场 T3 国航柜台 F 区"}
AGENCY_24H = {**AGENCY, "emergency_phone": "+34 600 111 222"}


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    return text_of(content)


EXPECTED = {
    "zh": {"heading": "出行通知书", "days": ["第 1 天", "第 2 天", "第 3 天", "第 4 天"], "free": "自由活动",
           "visa": ["本次行程需要签证", "王小明（已获签）", "María Núñez（尚未登记，请联系我们）"],
           "insurance": "本次行程不含旅游保险"},
    "es": {"heading": "DOCUMENTACIÓN DEL VIAJE", "days": ["Día 1", "Día 2", "Día 3", "Día 4"], "free": "día libre",
           "visa": ["Este viaje requiere visado", "王小明 (concedido)", "María Núñez (sin registrar"],
           "insurance": "no incluye seguro de viaje"},
    "en": {"heading": "TRIP DOCUMENTS", "days": ["Day 1", "Day 2", "Day 3", "Day 4"], "free": "free day",
           "visa": ["A visa is needed for this trip", "王小明 (granted)", "María Núñez (not recorded"],
           "insurance": "No travel insurance is included"},
}


@pytest.mark.parametrize("language", ["zh", "es", "en"])
def test_the_trip_documents_show_names_locators_meeting_point_and_every_day(language):
    order = order_file(language=language)
    data = trip_documents_data(order, AGENCY_24H, BOOKINGS, CONFIRMATIONS,
                               [{"name": "Tour leader 李导", "phone": "+34 611 000 999"}], MEETING)
    text = pdf_text(documents.trip_documents(data, language))
    expected = EXPECTED[language]
    assert_shows(text, [expected["heading"], "OF-2027-000042", "王小明", "María Núñez", "NX7Q2B", "999-1234567890",
                        "DH-55817", "首都机场 T3 国航柜台 F 区", *expected["days"], expected["free"],
                        "CA907 北京 - 马德里", "Museo del Prado", "+34 600 111 222", "Tour leader 李导",
                        "+34 611 000 999", expected["insurance"]])
    assert_shows(text, expected["visa"], wrapped=True)


def test_the_day_by_day_itinerary_groups_the_lines_and_lists_free_days():
    data = trip_documents_data(order_file(), AGENCY, [], [], None, None)
    assert [(d["day"], d["date"], [i["description"] for i in d["items"]]) for d in data["days"]] == [
        (1, "2027-05-01", ["CA907 北京 - 马德里", "Hotel Urban"]), (2, "2027-05-02", []),
        (3, "2027-05-03", ["Museo del Prado"]), (4, "2027-05-04", [])]
    hotel = data["days"][0]["items"][1]
    assert hotel == {"kind": "hotel", "description": "Hotel Urban", "location": "Madrid", "from_location": None,
                     "to_location": None, "nights": 2, "check_out": "2027-05-03"}
    assert data["meeting"] is None and data["bookings"] == [] and data["confirmations"] == []


def test_a_signed_amendment_is_the_itinerary_the_travellers_get():
    amended = [{**LINES[2], "day": 2, "description": "Palacio Real"}]
    order = order_file(versions=[ContractVersion(version=1, status="superseded", lines=LINES),
                                 ContractVersion(version=2, status="signed", lines=amended)])
    data = trip_documents_data(order, AGENCY, [], [], None, None)
    assert [[i["description"] for i in d["items"]] for d in data["days"]] == [[], ["Palacio Real"], [], []]


def test_the_notes_say_visa_and_insurance_in_the_order_files_language():
    insured = order_file(language="es", entry_requirements={"visa_required": False},
                         quote={"lines": [*LINES, {"day": 1, "kind": "insurance", "description": "Mapfre Viaje Plus"}]})
    notes = trip_documents_data(insured, AGENCY, [], [], None, None)["notes"]
    assert notes == {"visa": "Este viaje no requiere visado; lleve un pasaporte válido para toda la estancia.",
                     "insurance": "Seguro de viaje incluido: Mapfre Viaje Plus."}


def test_the_agencys_emergency_line_comes_first_and_defaults_to_its_phone():
    agency = settings.from_config({"AGENCY_PHONE": "+34 910 000 000"}).agency
    assert agency["emergency_phone"] == "+34 910 000 000"
    assert settings.from_config({"AGENCY_PHONE": "+34 910", "AGENCY_EMERGENCY_PHONE": "+34 600"}).agency[
        "emergency_phone"] == "+34 600"
    data = trip_documents_data(order_file(language="en"), {**agency, "name": "Itinera"}, [], [],
                               [{"name": "Guide", "phone": "+39 333"}], None)
    assert data["emergency_contacts"] == [{"name": "Itinera (24-hour line)", "phone": "+34 910 000 000"},
                                          {"name": "Guide", "phone": "+39 333"}]


def test_a_meeting_not_yet_set_prints_to_be_confirmed_and_a_named_zone_prints_local_time():
    data = trip_documents_data(order_file(language="en"), AGENCY, [], [], None, {"at": None, "place": None})
    assert "to be confirmed" in pdf_text(documents.trip_documents(data, "en"))
    local = {"at": "2027-05-01T06:30:00+00:00", "place": "Barajas T4", "timezone": "Europe/Madrid"}
    data = trip_documents_data(order_file(language="en"), AGENCY, [], [], None, local)
    assert "1 May 2027, 08:30:00 (Europe/Madrid)" in pdf_text(documents.trip_documents(data, "en"))


@pytest.mark.skipif(typesetting.discover_font() is None, reason="no Chinese TrueType font installed "
                                                                  "(.ci/run installs fonts-wqy-microhei)")
def test_a_chinese_name_in_english_trip_documents_prints_in_an_embedded_font(monkeypatch):
    monkeypatch.delenv(typesetting.FONT_ENV, raising=False)
    content = documents.trip_documents(trip_documents_data(order_file(language="en"), AGENCY, BOOKINGS, [], None,
                                                           MEETING), "en")
    assert "王小明" in pdf_text(content)
    fonts = embedded_fonts(content)
    assert any(subtype == "/TrueType" and embedded for subtype, _, embedded in fonts)
    assert not [f for f in fonts if f[0] == "/Type0"] and b"STSong" not in content
