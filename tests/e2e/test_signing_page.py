"""The page a customer opens from a signing link, /sign/<token>, at the real gateway over real RPC:
CRM, itinerary and contracts running, the order file opened by the quote_accepted event."""
import hashlib
import re
from datetime import date, timedelta

import pytest

from services.contracts.service import ContractsService
from services.crm.service import CrmService
from services.itinerary.service import ItineraryService
from tests.conftest import wait_for

pytestmark = pytest.mark.e2e

START = date.today() + timedelta(days=90)
# What a browser sends when the page posts its own form under Referrer-Policy: no-referrer.
BROWSER = {"Sec-Fetch-Site": "same-origin", "Origin": "null"}
CUSTOMER_ADDRESS = "203.0.113.7"


def ok(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.json


@pytest.fixture
def agency(run_services, client):
    run_services(CrmService, ItineraryService, ContractsService)
    ok(client.post("/api/v1/markup-rules", json={"method": "percent", "value": "15"}), 201)
    return client


@pytest.fixture
def contracts(rpc):
    """The order file as contracts keeps it, read and edited over RPC: the gateway's own answer for
    an order file is a 500 today (its schedule's due_on and travellers' date_of_birth arrive as ISO
    strings, which the wire's Date fields cannot dump)."""
    return rpc.contracts


def signing_link(client, full_name: str, language: str) -> tuple[dict, str]:
    """A customer's accepted quote, its order file and a fresh signing link: (order file, token)."""
    customer = ok(client.post("/api/v1/customers", json={
        "full_name": full_name, "preferred_language": language, "date_of_birth": "1985-03-02",
        "documents": [{"type": "passport", "number": "E12345678", "country": "CN",
                       "expiry": (START + timedelta(days=400)).isoformat()}]}), 201)
    trip = ok(client.post("/api/v1/itineraries", json={
        "title": "Paris y Roma", "customer_id": customer["id"], "party": {"adults": 2, "children": []},
        "start_date": START.isoformat(), "days": 5, "currency": "EUR"}), 201)
    ok(client.post(f"/api/v1/itineraries/{trip['id']}/days/1/items", json={
        "kind": "hotel", "description": "Hotel Lutetia", "nights": 2, "supplier_name": "Hotel Lutetia",
        "unit_cost": "210.00", "currency": "EUR", "location": "Paris", "quantity": 1}), 201)
    quote = ok(client.post(f"/api/v1/itineraries/{trip['id']}/quotes", json={}), 201)
    ok(client.post(f"/api/v1/itineraries/{trip['id']}/quotes/{quote['version']}/accept", json={}))
    summary = wait_for(lambda: ok(client.get("/api/v1/order-files", query_string={"customer_id": customer["id"]})
                                  )["items"], timeout=15, message="order file opened from quote_accepted")[0]
    link = ok(client.post(f"/api/v1/order-files/{summary['id']}/signing-link", json={}), 201)
    return summary, link["token"]


def shown_sha(page) -> str:
    return re.search(r'name="document_sha256" value="([0-9a-f]{64})"', page.get_data(as_text=True)).group(1)


def text(page) -> str:
    return page.get_data(as_text=True)


def policy(response) -> dict:
    return dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))


def assert_a_page_for_the_customer(response, status):
    assert response.status_code == status and response.mimetype == "text/html"
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Referrer-Policy"] == "no-referrer"
    csp = policy(response)
    assert csp["default-src"] == "'none'" and "script-src" not in csp      # no script runs, whatever is injected
    assert csp["frame-ancestors"] == "'none'" and csp["form-action"] == "'self'"
    nonce = re.search(r"'nonce-([^']+)'", csp["style-src"]).group(1)
    assert f'<style nonce="{nonce}">' in text(response) and "<script" not in text(response)


def test_a_chinese_customer_reads_signs_once_and_the_link_is_then_spent(agency, contracts, anonymous):
    order, token = signing_link(agency, "王小明", "zh")
    page = anonymous.get(f"/sign/{token}")
    assert_a_page_for_the_customer(page, 200)
    html = text(page)
    assert '<html lang="zh-Hans">' in html and "签署您的合同" in html
    for words in ("合同编号", order["order_number"], "版本", "Paris y Roma", "总价", "阅读或下载合同（PDF）",
                  '<label for="name">您的全名</label>', '<label for="accept">我已阅读并接受本合同</label>', "签署合同"):
        assert words in html, words
    assert "Your full name" not in html and "Su nombre completo" not in html
    # The PDF it links to is the very document whose SHA-256 it shows and will sign.
    pdf = anonymous.get(f"/sign/{token}/contract.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data == anonymous.get(f"/api/v1/signing/{token}/contract.pdf").data
    sha = shown_sha(page)
    assert hashlib.sha256(pdf.data).hexdigest() == sha and f"<code>{sha}</code>" in html

    # A cross-site form is refused before anything is read or signed.
    for cross in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site", "Origin": "null"}):
        refused = anonymous.post(f"/sign/{token}", headers=cross,
                                 data={"name": "王小明", "accept": "yes", "document_sha256": sha})
        assert_a_page_for_the_customer(refused, 403)
        assert "此表单来自其他网站" in text(refused) and "This form was sent from another site" in text(refused)

    # Each missing answer is said next to its field, in Chinese, and the name typed is kept.
    unticked = anonymous.post(f"/sign/{token}", headers=BROWSER, data={"name": "王小明", "document_sha256": sha})
    assert_a_page_for_the_customer(unticked, 422)
    assert 'id="accept-error">请勾选此项以接受合同。' in text(unticked) and 'value="王小明"' in text(unticked)
    assert 'id="name-error"' not in text(unticked)
    unnamed = anonymous.post(f"/sign/{token}", headers=BROWSER, data={"name": "  ", "accept": "yes",
                                                                      "document_sha256": sha})
    assert unnamed.status_code == 422 and 'id="name-error">请输入您的全名' in text(unnamed)
    assert 'aria-describedby="name-error"' in text(unnamed)
    assert contracts.get_order_file(order["id"])["versions"][0]["status"] != "signed"

    done = anonymous.post(f"/sign/{token}", headers=BROWSER, environ_base={"REMOTE_ADDR": CUSTOMER_ADDRESS},
                          data={"name": "王小明", "accept": "yes", "document_sha256": sha})
    assert_a_page_for_the_customer(done, 200)
    assert "谢谢，您的合同已签署" in text(done) and f"<code>{sha}</code>" in text(done)
    v1 = contracts.get_order_file(order["id"])["versions"][0]
    assert v1["version"] == 1 and v1["status"] == "signed" and v1["document_sha256"] == sha
    assert v1["signature"]["method"] == "remote" and v1["signature"]["signed_by"] == "王小明"
    assert v1["signature"]["address"] == CUSTOMER_ADDRESS

    # The link is spent: a friendly page in all three languages, for the page, the PDF and a repeat.
    for spent in (anonymous.get(f"/sign/{token}"), anonymous.get(f"/sign/{token}/contract.pdf"),
                  anonymous.post(f"/sign/{token}", headers=BROWSER,
                                 data={"name": "王小明", "accept": "yes", "document_sha256": sha}),
                  anonymous.get("/sign/no-such-token")):
        assert_a_page_for_the_customer(spent, 404)
        for title in ("此链接无效", "Este enlace no es válido", "This link is not valid"):
            assert title in text(spent)


def test_a_spanish_customer_reads_in_spanish_and_a_changed_contract_is_shown_again(agency, contracts, anonymous):
    order, token = signing_link(agency, "María Núñez", "es")
    page = anonymous.get(f"/sign/{token}")
    assert_a_page_for_the_customer(page, 200)
    html = text(page)
    assert '<html lang="es">' in html
    for words in ("Firme su contrato", "Número de contrato", order["order_number"], "Versión", "Importe total",
                  "Leer o descargar el contrato (PDF)", '<label for="name">Su nombre completo</label>',
                  '<label for="accept">He leído y acepto este contrato</label>', "Firmar el contrato"):
        assert words in html, words
    assert "€" in html and "合同" not in html and "Your full name" not in html
    shown = shown_sha(page)

    # The consultant edits the draft after the customer opened the page: what they read is not what
    # would be signed, so the page comes back with the new document and says why.
    contracts.update_order_file(order["id"], {"special_arrangements": "Cuna en la habitación"})
    stale = anonymous.post(f"/sign/{token}", headers=BROWSER,
                           data={"name": "María Núñez", "accept": "yes", "document_sha256": shown})
    assert_a_page_for_the_customer(stale, 409)
    assert "El contrato ha cambiado desde que abrió esta página" in text(stale)
    current = shown_sha(stale)
    assert current != shown
    assert current == hashlib.sha256(anonymous.get(f"/sign/{token}/contract.pdf").data).hexdigest()
    assert contracts.get_order_file(order["id"])["versions"][0]["status"] != "signed"

    done = anonymous.post(f"/sign/{token}", headers=BROWSER,
                          data={"name": "María Núñez", "accept": "yes", "document_sha256": current})
    assert_a_page_for_the_customer(done, 200)
    assert "Gracias: su contrato está firmado" in text(done)
    assert contracts.get_order_file(order["id"])["versions"][0]["document_sha256"] == current


def test_a_service_down_and_the_gateways_limits_are_pages_too(anonymous):
    # No contracts service is running.
    down = anonymous.get("/sign/some-token")
    assert_a_page_for_the_customer(down, 503)
    assert down.headers["Retry-After"] and "暂时无法签署" in text(down) and "Signing is not available" in text(down)
    too_long = anonymous.get("/sign/" + "t" * 5000)
    assert_a_page_for_the_customer(too_long, 414)
    assert "无法处理此请求" in text(too_long)
    too_big = anonymous.post("/sign/some-token", headers=BROWSER, data={"name": "x" * 1_000_001})
    assert_a_page_for_the_customer(too_big, 413)
