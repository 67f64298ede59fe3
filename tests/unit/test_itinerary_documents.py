"""The quote sheet and the catalog brochure as PDFs, no broker: valid PDFs whose text shows the figures.

The quote snapshot is made by the real rules (itineraries, costing, quotes.issue) on SQLite, then
sent through JSON as it is stored, so the sheet is rendered from the stored snapshot alone.
"""
import io
import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal as D
from pathlib import Path

import pytest
from pypdf import PdfReader

from services.itinerary import checks, costing, documents, itineraries, pricing, quotes
from services.common.documents import typesetting
from services.itinerary.inventory import InventoryData
from services.itinerary.models import Base

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)
START = date(2027, 5, 3)
TITLE = "España y Portugal · 西班牙葡萄牙十日游"
TERMS = {"cancellation": [{"days_before": 30, "penalty_percent": "25"}, {"days_before": 60, "penalty_percent": "10"},
                          {"days_before": 7, "penalty_percent": "100"}],
         "payment": {"deposit_percent": "30", "deposit_due_days": 3, "balance_due_days_before_departure": 21},
         "notes": "Pago por transferencia; la señal no es reembolsable. 签证费用另计。"}


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """Extracted text with line breaks and runs of spaces as one space (a cell may wrap anywhere)."""
    return " ".join(text.split())


def pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def manual(kind, description, cost, currency="EUR", **kw):
    return {"kind": kind, "description": description, "supplier_name": kw.pop("supplier_name", "Agency partner"),
            "unit_cost": D(cost), "currency": currency, **kw}


def issued_snapshot(session, *, notes=None, **fields) -> dict:
    """Three adults (odd: a single supplement) and a child, costs in EUR, USD and CNY, quoted in CNY
    with a discount, a service fee and tax; returned as stored (JSON)."""
    trip = itineraries.create(session, {
        "title": TITLE, "customer_id": "cust-wang", "inquiry_id": "inq-7",
        "party": {"adults": 3, "children": [{"age": 9, "name": "Lucía Núñez"}]}, "start_date": START, "days": 4,
        "currency": "CNY", "discount_percent": D("3"), "service_fee_percent": D("2"), "tax_percent": D("6")},
        settings=pricing.settings(session), actor="user:ana", now=NOW)
    trip.days[0].title = "Madrid, llegada"
    trip.days[1].description = "Paseo por el Prado y el Retiro."

    def add(day, item):
        return itineraries.add_item(trip, day, item, InventoryData(), actor="user:ana", now=NOW)

    add(1, manual("flight", "CA907 北京 - 马德里", "5200.00", "CNY", supplier_name="Air China",
                  from_location="Beijing", to_location="Madrid", attributes={"flight": "CA907"}))
    add(1, manual("hotel", "Hotel Urban, doble", "180.00", nights=3, location="Madrid",
                  supplier_name="Derby Hotels", notes=notes or "Desayuno incluido"))
    add(2, manual("attraction", "Museo del Prado", "20.00", "USD", location="Madrid", supplier_name="Prado"))
    add(4, manual("transfer", "Hotel - Barajas", "65.00", from_location="Madrid", to_location="Madrid Barajas",
                  supplier_name="Taxi Núñez"))
    session.flush()
    policy = pricing.settings(session)
    rates = costing.RateBook([costing.Rate("EUR", "CNY", D("7.8125"), date(2027, 1, 1), 1),
                              costing.Rate("CNY", "USD", D("0.1400"), date(2027, 1, 1), 2)], NOW.date())
    rules = [costing.MarkupRule(1, "percent", D("12")), costing.MarkupRule(2, "percent", D("15"), item_kind="hotel")]
    sheet = costing.cost_sheet(itineraries.plan_of(trip), pricing.pricing_for(trip, policy), rules, rates)
    quote, _ = quotes.issue(session, trip, sheet, checks.check(itineraries.plan_of(trip)),
                            {"terms": TERMS, "note": "Querida familia: 欢迎来到西班牙!", "customer_name": "王芳",
                             "valid_until": date(2027, 3, 20), **fields},
                            policy=policy, approval=None, actor="user:ana", now=NOW)
    return json.loads(json.dumps(quote.snapshot))


def money(amount: str) -> str:
    return f"{D(amount):,}"


def test_the_quote_sheet_is_a_pdf_that_explains_every_figure(session):
    snapshot = issued_snapshot(session)
    content = documents.quote_sheet(snapshot)
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    assert pages(content) >= 1
    text = flat(pdf_text(content))
    totals, people = snapshot["totals"], snapshot["per_person"]

    assert "王芳" in text and "Lucía Núñez" in text and "西班牙葡萄牙十日游" in text and "España" in text
    assert "CA907 北京 - 马德里" in text and "Taxi Núñez" in text
    assert f"{snapshot['quote']['number']} · version 1" in text
    # the total, and each fee with how it is computed
    assert f"CNY {money(totals['total'])}" in text
    assert D(totals["discount"]) > 0 and D(totals["service_fee"]) > 0 and D(totals["tax"]) > 0
    assert f"3 % of CNY {money(totals['sell'])}" in text and f"-{money(totals['discount'])}" in text
    after_discount = D(totals["sell"]) - D(totals["discount"])
    assert f"2 % of CNY {after_discount:,}" in text and money(totals["service_fee"]) in text
    assert f"6 % of CNY {money(totals['revenue'])}" in text and money(totals["tax"]) in text
    # per person, single supplement (three adults), each traveller
    assert D(people["single_supplement"]) > 0
    assert f"Price per adult sharing a room CNY {money(people['adult'])}" in text
    assert f"Price per child 75 % of an adult's price CNY {money(people['child'])}" in text
    assert f"Single supplement" in text and f"CNY {money(people['single_supplement'])}" in text
    for traveller in people["travellers"]:
        assert money(traveller["price"]) in text
    assert "Child, age 9: Lucía Núñez" in text and "Adult, lead traveller: 王芳" in text
    # the rates used, validity, payment and cancellation terms with their amounts
    assert "1 EUR = 7.8125 CNY" in text and "1 CNY = 0.14 USD" in text
    assert "valid until Sat 20 Mar 2027" in text and "This quote is valid until Sat 20 Mar 2027" in text
    total = D(totals["total"])
    deposit = (total * D("0.30")).quantize(D("0.01"))
    assert f"30 % of the total, within 3 days of accepting this quote CNY {deposit:,}" in text
    assert f"21 days before departure (by Mon 12 Apr 2027) CNY {total - deposit:,}" in text
    assert "60 to 31 days before departure 10 % of the total" in text
    assert "30 to 8 days before departure 25 % of the total" in text
    assert f"7 days or fewer before departure 100 % of the total CNY {total:,}" in text
    assert "la señal no es reembolsable. 签证费用另计。" in text
    assert "Querida familia: 欢迎来到西班牙!" in text
    # the customer's copy shows prices, not the agency's costs
    assert "Margin" not in text and money(totals["cost"]) not in text and "markup" not in text.lower()


def test_every_line_is_on_the_sheet_under_its_day_with_its_price(session):
    snapshot = issued_snapshot(session)
    text = flat(pdf_text(documents.quote_sheet(snapshot)))
    assert "Day 1 · Mon 3 May 2027 · Madrid, llegada" in text and "Paseo por el Prado y el Retiro." in text
    assert "Day 3 · Wed 5 May 2027" in text  # a day without services is still listed
    for line in snapshot["lines"]:
        assert line["description"] in text and money(line["sell_amount"]) in text
    assert "2 rooms × 3 nights" in text and "4 persons" in text and "1 unit" in text
    assert "check-in Mon 3 May 2027, check-out Thu 6 May 2027" in text and "Beijing – Madrid" in text
    assert "flight: CA907" in text and "Desayuno incluido" in text


def test_the_agency_copy_adds_net_costs_rates_markups_and_the_margin(session):
    snapshot = issued_snapshot(session)
    text = flat(pdf_text(documents.quote_sheet(snapshot, costs=True)))
    totals = snapshot["totals"]
    assert "AGENCY COPY WITH NET COSTS AND MARGIN: NOT FOR THE CUSTOMER" in text
    assert f"Net cost of the services CNY {money(totals['cost'])}" in text
    assert f"Margin CNY {money(totals['margin'])} ({totals['margin_percent'].rstrip('0').rstrip('.')} %)" in text
    hotel = next(line for line in snapshot["lines"] if line["kind"] == "hotel")
    assert "net EUR 1,080.00 at 1 EUR = 7.8125 CNY; markup 15 % (kind rule)" in text
    assert money(hotel["net_cost"]) in text and money(hotel["markup_amount"]) in text


def test_the_sheet_depends_on_the_snapshot_alone_and_is_reproducible(session):
    snapshot = issued_snapshot(session)
    first = documents.quote_sheet(snapshot)
    assert documents.quote_sheet(json.loads(json.dumps(snapshot))) == first
    assert documents.quote_sheet_filename(snapshot) == f"quote-{snapshot['quote']['number']}-v1.pdf"
    older = dict(snapshot, itinerary={k: v for k, v in snapshot["itinerary"].items() if k != "customer_name"})
    assert "customer cust-wang" in flat(pdf_text(documents.quote_sheet(older)))  # issued before names were kept


def test_long_notes_in_any_script_flow_over_pages_instead_of_failing(session):
    snapshot = issued_snapshot(session, notes="酒店说明。" * 400)  # 2,000 characters in one cell
    content = documents.quote_sheet(snapshot, costs=True)
    assert pages(content) >= 2 and "酒店说明。酒店说明。" in pdf_text(content)


def test_characters_outside_the_fonts_degrade_to_their_base_letters():
    fonts = documents.Fonts(None)
    assert documents.rich("Núñez & <Co>", fonts) == "Núñez &amp; &lt;Co&gt;"
    assert documents.rich("王芳 Núñez", fonts) == '<font face="STSong-Light">王芳</font> Núñez'
    assert documents.rich("Łódź", fonts) == "Lódz"  # ó is in Helvetica; Ł and ź are not
    assert documents.rich("서울", fonts) == '<font face="HYSMyeongJo-Medium">서울</font>'
    assert documents.rich("a\x00b\u200bc\nd", fonts) == "abc<br/>d"
    assert documents.rich("Nun\u0303ez", fonts) == "Nuñez"  # a combining tilde is composed first


@pytest.mark.skipif(not Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").exists(),
                    reason="needs a TrueType font on the machine")
def test_a_configured_truetype_font_is_embedded_for_what_helvetica_lacks(monkeypatch):
    monkeypatch.setenv(documents.FONT_ENV, "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    products = [{"code": "PL-1", "name": "Kraków i Łódź", "kind": "route", "duration_days": 2, "seasons": []}]
    content = documents.brochure(products, as_of=date(2027, 3, 1))
    assert "Kraków i Łódź" in pdf_text(content)
    assert b"FontFile2" in content  # the TrueType subset travels inside the PDF


def test_an_unusable_font_setting_falls_back_to_the_built_in_fonts(monkeypatch, tmp_path, caplog):
    (tmp_path / "broken.ttf").write_bytes(b"not a font")
    monkeypatch.setenv(documents.FONT_ENV, str(tmp_path / "broken.ttf"))
    products = [{"code": "CN-1", "name": "王芳的旅行 Núñez", "kind": "route", "duration_days": 2}]
    assert "王芳的旅行 Núñez" in pdf_text(documents.brochure(products, as_of=date(2027, 3, 1)))
    assert documents.FONT_ENV in caplog.text


# --- the brochure --------------------------------------------------------------------------------------

def product(code, name, featured=False, **kw):
    return {"id": code, "code": code, "name": name, "kind": kw.pop("kind", "package"), "duration_days": 7,
            "featured": featured, "rank": kw.pop("rank", 100), "published": True, "destination": None,
            "summary": None, "template": [], "included_services": [], "excluded_services": [], "seasons": [], **kw}


def test_the_brochure_lists_the_published_catalog_in_order_with_prices_and_programme():
    products = [
        product("YUNNAN-TRAIN", "云南专列七日游 (7 days Yunnan by special train)", featured=True, rank=1,
                destination="Yunnan 云南", summary="昆明 - 大理 - 丽江, 专列卧铺。",
                seasons=[{"name": "Spring", "start": "2027-03-01", "end": "2027-05-31", "currency": "CNY",
                          "adult_price": D("6980.00"), "child_price": D("4880.00")}],
                template=[{"day": 1, "title": "昆明 Kunming", "description": "Boarding the special train.",
                           "items": [{"kind": "train", "description": "Special train, soft sleeper"}]}],
                included_services=["Soft sleeper berth", "All meals on board"],
                excluded_services=["Visa"]),
        product("CANCUN-CHARTER", "Chárter a Cancún", featured=True, rank=2, kind="route",
                seasons=[{"name": "Verano", "start": "2027-06-01", "end": "2027-08-31", "currency": "USD",
                          "adult_price": "1299", "child_price": "899.5"}]),
        product("PARIS-3", "3 days Paris"),
    ]
    content = documents.brochure(products, as_of=date(2027, 3, 1))
    assert content.startswith(b"%PDF-") and pages(content) >= 1
    text = flat(pdf_text(content))
    assert "3 products, 2 featured first · as of 1 Mar 2027" in text
    positions = [text.index(name) for name in ("云南专列七日游", "Chárter a Cancún", "3 days Paris")]
    assert positions == sorted(positions)
    assert "Spring 1 Mar 2027 – 31 May 2027 CNY 6,980.00 CNY 4,880.00" in text
    assert "USD 1,299.00 USD 899.50" in text
    assert "FEATURED" in text and "Yunnan 云南 · Package · 7 days · code YUNNAN-TRAIN" in text
    assert "Day 1 昆明 Kunming Boarding the special train. Special train, soft sleeper" in text
    assert "Soft sleeper berth" in text and "Not included" in text and "Prices on request." in text
    assert documents.brochure_filename(date(2027, 3, 1)) == "catalog-2027-03-01.pdf"


def test_an_empty_catalog_is_a_one_page_brochure_that_says_so():
    text = pdf_text(documents.brochure([], as_of=date(2027, 3, 1)))
    assert "No product is published yet." in text


def test_the_rpc_carries_the_pdf_as_base64_text():
    import base64

    attachment = documents.as_attachment("catalog-2027-03-01.pdf", b"%PDF-1.4 \xff")
    assert attachment == {"filename": "catalog-2027-03-01.pdf", "content_type": "application/pdf",
                          "content_base64": base64.b64encode(b"%PDF-1.4 \xff").decode()}


def test_the_consultant_is_named_by_full_name_and_older_snapshots_by_username(session):
    snapshot = issued_snapshot(session)
    assert snapshot["quote"]["issued_by_name"] is None
    assert "Your consultant ana" in flat(pdf_text(documents.quote_sheet(snapshot)))  # issued before names
    named = {**snapshot, "quote": {**snapshot["quote"], "issued_by_name": "Ana García 李安娜"}}
    text = flat(pdf_text(documents.quote_sheet(named)))
    assert "Your consultant Ana García 李安娜" in text and "Your consultant ana" not in text
    by_service = {**snapshot, "quote": {**snapshot["quote"], "issued_by": "service:itinerary"}}
    assert "Your consultant" not in flat(pdf_text(documents.quote_sheet(by_service)))


def embedded_fonts(content: bytes) -> list[tuple[str, str, bool]]:
    """(subtype, base font, has an embedded TrueType file) for every font the pages use."""
    found = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            found.append((font["/Subtype"], font["/BaseFont"],
                          descriptor is not None and "/FontFile2" in descriptor.get_object()))
    return found


@pytest.mark.skipif(documents.discover_font() is None, reason="no Chinese TrueType font installed "
                                                                "(.ci/run installs fonts-wqy-microhei)")
def test_a_chinese_truetype_font_fontconfig_finds_is_embedded_without_any_setting(monkeypatch):
    monkeypatch.delenv(documents.FONT_ENV, raising=False)
    products = [{"code": "CN-1", "name": "王小明 y María Núñez", "kind": "route", "duration_days": 2}]
    content = documents.brochure(products, as_of=date(2027, 3, 1))
    assert "王小明 y María Núñez" in pdf_text(content)
    fonts = embedded_fonts(content)
    assert any(subtype == "/TrueType" and embedded for subtype, _, embedded in fonts)
    assert not [f for f in fonts if f[0] == "/Type0"] and b"STSong" not in content  # no referenced CID font


def test_with_no_font_at_all_the_log_says_so_and_latin_text_still_prints(monkeypatch, caplog):
    from services.itinerary.service import PdfFonts

    monkeypatch.delenv(documents.FONT_ENV, raising=False)
    monkeypatch.setattr(typesetting, "discover_font", lambda: None)
    typesetting._fonts.cache_clear()
    try:
        with caplog.at_level("WARNING"):
            PdfFonts().setup()  # what the service does when it starts
        assert "No TrueType font with Chinese glyphs" in caplog.text and documents.FONT_ENV in caplog.text
        products = [{"code": "ES-1", "name": "Toledo con María Núñez", "kind": "route", "duration_days": 2}]
        assert "Toledo con María Núñez" in pdf_text(documents.brochure(products, as_of=date(2027, 3, 1)))
    finally:
        typesetting._fonts.cache_clear()
