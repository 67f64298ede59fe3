"""The catalog brochure and the quote sheet as PDFs through the gateway: real RPC, real services."""
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader

from services.itinerary.service import ItineraryService

pytestmark = pytest.mark.e2e

START = date.today() + timedelta(days=40)


def ok(response, status=200):
    assert response.status_code == status, response.json
    return response.json


def pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) >= 1
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def is_pdf(response, filename: str):
    assert response.status_code == 200, response.json
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["Cache-Control"] == "private, no-store"


@pytest.fixture
def agency(run_services, staff_client):
    run_services(ItineraryService)
    manager = staff_client("manager")
    ok(manager.post("/api/v1/exchange-rates", json={"base": "EUR", "quote": "CNY", "rate": "7.8125",
                                                    "valid_from": "2020-01-01"}), 201)
    ok(manager.post("/api/v1/markup-rules", json={"method": "percent", "value": "12"}), 201)
    return {"manager": manager, "consultant": staff_client("consultant")}


@pytest.fixture
def quoted(agency):
    """A two-day trip for 王芳's family, quoted once in CNY: (itinerary id, the issued quote)."""
    consultant = agency["consultant"]
    trip = ok(consultant.post("/api/v1/itineraries", json={
        "title": "马德里两日游 · Madrid en dos días", "customer_id": "cust-wang",
        "party": {"adults": 2, "children": [{"age": 8, "name": "Lucía Núñez"}]}, "start_date": START.isoformat(),
        "days": 2, "currency": "CNY"}), 201)
    for day, item in ((1, {"kind": "hotel", "description": "Hotel Urban, doble", "supplier_name": "Derby Hotels",
                           "unit_cost": "180.00", "currency": "EUR", "nights": 1, "location": "Madrid"}),
                      (2, {"kind": "attraction", "description": "Museo del Prado", "supplier_name": "Prado",
                           "unit_cost": "20.00", "currency": "EUR", "location": "Madrid"})):
        ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/days/{day}/items", json=item), 201)
    quote = ok(consultant.post(f"/api/v1/itineraries/{trip['id']}/quotes",
                               json={"customer_name": "王芳", "note": "¡Buen viaje!"}), 201)
    return trip["id"], quote


def test_the_quote_sheet_is_a_pdf_of_the_issued_snapshot(agency, quoted):
    trip_id, quote = quoted
    snapshot = quote["snapshot"]
    assert snapshot["itinerary"]["customer_name"] == "王芳"
    response = agency["consultant"].get(f"/api/v1/itineraries/{trip_id}/quotes/1/sheet.pdf")
    is_pdf(response, f"quote-{snapshot['quote']['number']}-v1.pdf")
    text = pdf_text(response)
    assert "马德里两日游 · Madrid en dos días" in text and "王芳" in text and "Lucía Núñez" in text
    assert f"CNY {Decimal(quote['total']):,}" in text and "¡Buen viaje!" in text
    valid_until = date.fromisoformat(quote["valid_until"])
    assert f"valid until {valid_until:%a} {valid_until.day} {valid_until:%b %Y}" in text
    assert f"Price per adult sharing a room CNY {Decimal(snapshot['per_person']['adult']):,}" in text
    assert "1 EUR = 7.8125 CNY" in text and "Cancellation terms" in text and "Payment terms" in text
    assert "Margin" not in text

    agency_copy = agency["manager"].get(f"/api/v1/itineraries/{trip_id}/quotes/1/sheet.pdf",
                                        query_string={"costs": "true"})
    is_pdf(agency_copy, f"quote-{snapshot['quote']['number']}-v1.pdf")
    assert f"Margin CNY {Decimal(snapshot['totals']['margin']):,}" in pdf_text(agency_copy)


def test_a_revised_itinerary_does_not_change_an_issued_sheet(agency, quoted):
    trip_id, _ = quoted
    consultant = agency["consultant"]
    before = consultant.get(f"/api/v1/itineraries/{trip_id}/quotes/1/sheet.pdf").data
    items = ok(consultant.get(f"/api/v1/itineraries/{trip_id}"))["days"][1]["items"]
    ok(consultant.patch(f"/api/v1/itineraries/{trip_id}/items/{items[0]['id']}", json={"unit_cost": "25.00"}))
    ok(consultant.post(f"/api/v1/itineraries/{trip_id}/quotes", json={"customer_name": "王芳"}), 201)
    assert consultant.get(f"/api/v1/itineraries/{trip_id}/quotes/1/sheet.pdf").data == before
    assert consultant.get(f"/api/v1/itineraries/{trip_id}/quotes/2/sheet.pdf").data != before


def test_an_unknown_version_or_itinerary_is_404(agency, quoted):
    trip_id, _ = quoted
    consultant = agency["consultant"]
    for path in (f"/api/v1/itineraries/{trip_id}/quotes/9/sheet.pdf", "/api/v1/itineraries/no-such/quotes/1/sheet.pdf"):
        response = consultant.get(path)
        assert response.status_code == 404 and response.mimetype == "application/problem+json"
    bad = consultant.get(f"/api/v1/itineraries/{trip_id}/quotes/1/sheet.pdf", query_string={"costs": "maybe"})
    assert bad.status_code == 422 and "costs" in bad.json["errors"]


def test_only_consultants_and_managers_get_quote_sheets(agency, quoted, staff_client, anonymous):
    trip_id, _ = quoted
    path = f"/api/v1/itineraries/{trip_id}/quotes/1/sheet.pdf"
    for role in ("front_desk", "finance", "ticketing"):
        response = staff_client(role).get(path)
        assert response.status_code == 403 and response.mimetype == "application/problem+json", role
    assert anonymous.get(path).status_code == 401


def test_the_brochure_lists_the_published_catalog_featured_first(agency, staff_client, anonymous):
    consultant = agency["consultant"]
    season = [{"name": "Primavera", "start": "2027-03-01", "end": "2027-05-31", "currency": "CNY",
               "adult_price": "6980.00", "child_price": "4880.00"}]
    folder = {"kind": "package", "duration_days": 7, "published": True}
    ok(consultant.post("/api/v1/catalog/products", json={"code": "MADRID-7", "name": "Madrid y Toledo", **folder,
                                                         "summary": "Paseos con guía por el casco antiguo."}), 201)
    ok(consultant.post("/api/v1/catalog/products", json={"code": "YUNNAN-TRAIN", "name": "云南专列七日游", **folder,
                                                         "featured": True, "rank": 1, "seasons": season}), 201)
    ok(consultant.post("/api/v1/catalog/products", json={"code": "DRAFT", "name": "Borrador", **folder,
                                                         "published": False}), 201)
    response = staff_client("front_desk").get("/api/v1/catalog/brochure.pdf")
    is_pdf(response, f"catalog-{date.today().isoformat()}.pdf")
    text = pdf_text(response)
    assert "2 products, 1 featured first" in text
    assert text.index("云南专列七日游") < text.index("Madrid y Toledo") and "Borrador" not in text
    assert "CNY 6,980.00" in text and "Paseos con guía por el casco antiguo." in text
    featured = consultant.get("/api/v1/catalog/brochure.pdf", query_string={"featured": "true"})
    assert "Madrid y Toledo" not in pdf_text(featured)

    for role in ("ticketing", "finance"):
        refused = staff_client(role).get("/api/v1/catalog/brochure.pdf")
        assert refused.status_code == 403 and refused.mimetype == "application/problem+json", role
    assert anonymous.get("/api/v1/catalog/brochure.pdf").status_code == 401


def test_openapi_documents_the_pdf_downloads(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/catalog/brochure.pdf",
                 "/api/v1/itineraries/{itinerary_id}/quotes/{version}/sheet.pdf"):
        ok = paths[path]["get"]["responses"]["200"]
        assert ok["content"] == {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
        assert "Content-Disposition" in ok["headers"]
