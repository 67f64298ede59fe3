"""The order file's documents as PDFs, no broker: for each document in Chinese, Spanish and English, the
text read back shows the facts a customer relies on (names in any script, every amount to the cent,
each payment and cancellation tier, travel documents masked), the fonts travel inside the file, and
the same order gives the same bytes (a remote signature names the SHA-256 of what was shown).
"""
import copy
import hashlib
import io
import subprocess
import sys
from decimal import Decimal as D

import pytest
from pypdf import PdfReader

from services.common.config import REPO_ROOT
from services.common.documents import typesetting
from services.common.documents.locales import Formats, language_of
from services.contracts import documents
from services.contracts.documents.wording import TERMS, WORDS, Words, fields_of
from tests.unit.test_itinerary_documents import embedded_fonts

AGENCY = {"name": "Viajes Itinera 行程旅行社", "address": "Calle Mayor 1, 28013 Madrid", "tax_id": "B12345678",
          "phone": "+34 910 000 000", "email": "hola@itinera.example", "licence": "CICMA-1234"}
ORDER = {
    "order_number": "OF-2027-000042", "version": 2, "language": "zh", "title": "España y Portugal · 西班牙葡萄牙十日游",
    "start_date": "2027-05-03", "end_date": "2027-05-06", "currency": "EUR", "agency": AGENCY,
    "customer": {"full_name": "王芳", "email": "wang.fang@example.cn", "phone": "+86 138 0000 0000"},
    "travellers": [
        {"full_name": "王芳", "type": "adult", "date_of_birth": "1985-02-14",
         "document": {"type": "passport", "number": "E12345678", "country": "CN", "expiry": "2031-06-30"}},
        {"full_name": "María Núñez", "type": "adult", "date_of_birth": "1990-07-01",
         "document": {"type": "id_card", "number": "12345678Z", "country": "ES", "expiry": "2029-01-31"}},
        {"full_name": "Lucía Núñez", "type": "child", "date_of_birth": "2018-03-09", "document": None}],
    "lines": [
        {"line": 1, "day": 1, "kind": "flight", "description": "CA907 北京 - 马德里", "supplier_name": "Air China",
         "service_date": "2027-05-03", "from_location": "Beijing", "to_location": "Madrid", "basis": "per_person",
         "quantity": 3, "sell_amount": "1900.00"},
        {"line": 2, "day": 1, "kind": "hotel", "description": "Hotel Urban, doble", "supplier_name": "Derby Hotels",
         "service_date": "2027-05-03", "check_in": "2027-05-03", "check_out": "2027-05-06", "nights": 3,
         "location": "Madrid", "basis": "per_night", "quantity": 2, "notes": "Desayuno incluido"},
        {"line": 3, "day": 2, "kind": "attraction", "description": "Museo del Prado", "service_date": "2027-05-04",
         "location": "Madrid", "basis": "per_person", "quantity": 3},
        {"line": 4, "day": 4, "kind": "transfer", "description": "Hotel - Barajas", "supplier_name": "Taxi Núñez",
         "service_date": "2027-05-06", "basis": "per_unit", "quantity": 1}],
    "per_person": {"basis": "child_factor", "adult": D("2105.47"), "child": "1579.10", "child_factor": "0.75",
                   "single_supplement": "0.00"},
    "fees": [{"code": "services", "label": "Services", "amount": "5400.00"},
             {"code": "discount", "label": "Discount", "amount": "-162.00"},
             {"code": "service_fee", "label": "Agency service fee", "amount": "104.76"},
             {"code": "tax", "label": "Tax", "amount": "447.28"},
             {"code": "total", "label": "Total", "amount": "5790.04"}],
    "total": D("5790.04"),
    "schedule": [{"n": 1, "kind": "deposit", "due_on": "2027-03-04", "amount": "1737.01", "paid": "1737.01",
                  "status": "paid"},
                 {"n": 2, "kind": "balance", "due_on": "2027-04-12", "amount": D("4053.03"), "paid": "0.00",
                  "status": "pending"}],
    "cancellation_tiers": [{"days_before": 30, "penalty_percent": "25"}, {"days_before": 60, "penalty_percent": "10"},
                           {"days_before": 7, "penalty_percent": "100"}],
    "special_arrangements": "Cuna en la habitación; 王芳 素食。",
    "terms": "La señal no es reembolsable. 签证费用另计。",
    "signature": None,
    "bookings": [{"locator": "NX7Q2B", "product": "CA907 北京 - 马德里", "supplier": "Air China",
                  "service_date": "2027-05-03", "status": "ticketed"},
                 {"locator": None, "product": "Hotel Urban, doble", "supplier": "Derby Hotels", "status": "held"}],
}
PAYMENT = {"receipt_number": "R-2027-000123", "order_number": "OF-2027-000042", "language": "es", "agency": AGENCY,
           "customer": ORDER["customer"], "amount": "1737.01", "currency": "EUR", "method": "wechat_pay",
           "reference": "WX-4200001234", "received_at": "2027-03-02T10:15:00+00:00", "received_by": "Ana García 李安娜",
           "desk": "Madrid Centro"}
INVOICE = {"kind": "invoice", "series": "A", "number": 17, "display_number": "A-2027-000017",
           "issued_at": "2027-03-02T11:00:00+00:00", "language": "en", "agency": AGENCY,
           "buyer": {"name": "王芳", "tax_id": "91110000MA01ABCD2X", "address": "北京市朝阳区建国路 88 号"},
           "order_number": "OF-2027-000042",
           "lines": [{"description": "Viaje combinado 西班牙葡萄牙十日游", "quantity": "1", "unit_price": "5342.76",
                      "tax_rate": "0", "tax": "0.00", "total": "5342.76"},
                     {"description": "Agency service fee", "quantity": "2", "unit_price": "52.38", "tax_rate": "21",
                      "tax": "22.00", "total": "126.76"}],
           "tax_totals": [{"rate": "21", "base": "104.76", "tax": "22.00"}, {"rate": "0", "base": "5342.76", "tax": "0.00"}],
           "subtotal": "5447.52", "tax_total": "22.00", "total": "5469.52", "currency": "EUR", "corrects": None,
           "fiscal_number": "24112000000012345678", "reason": None}

EXPECTED = {
    "en": {
        "total": "€5,790.04",
        "numbers": "Contract OF-2027-000042 · version 2",
        "travellers": ["1. 王芳 Adult 14 Feb 1985 Passport (CN) ****5678 30 Jun 2031",
                       "2. María Núñez Adult 1 Jul 1990 Identity card (ES) ****678Z 31 Jan 2029",
                       "3. Lucía Núñez Child 9 Mar 2018 not given yet"],
        "dates": "3 May 2027 – 6 May 2027, 4 days",
        "days": ["Day 1 · Monday, 3 May 2027 CA907 北京 - 马德里 Flight · Air China Beijing – Madrid 3 persons",
                 "Hotel Urban, doble Hotel · Derby Hotels check-in 3 May 2027, check-out 6 May 2027; Madrid "
                 "Desayuno incluido 2 rooms × 3 nights",
                 "Day 3 · Wednesday, 5 May 2027 free day: no services booked",
                 "Day 4 · Thursday, 6 May 2027 Hotel - Barajas Transfer · Taxi Núñez 1 unit"],
        "price": ["Price per adult €2,105.47", "Price per child €1,579.10", "Discount -€162.00",
                  "Agency service fee €104.76", "Taxes €447.28", "Total price €5,790.04"],
        "schedule": ["1 Deposit 4 Mar 2027 €1,737.01 €1,737.01 Paid", "2 Balance 12 Apr 2027 €4,053.03 €0.00 Pending",
                     "Together €5,790.04 €1,737.01"],
        "tiers": ["60 to 31 days before departure 10% of the total price €579.00",
                  "30 to 8 days before departure 25% of the total price €1,447.51",
                  "7 days or fewer before departure 100% of the total price €5,790.04"],
        "unsigned": "Name: ____",
        "signed": "Signed by 王芳 on 2 Mar 2027, 09:30:00 UTC, remotely through a one-time link.",
        "page": "page 1 of",
        "letter": ["Dear 王芳,", "We are pleased to confirm your booking of España y Portugal · 西班牙葡萄牙十日游, from "
                   "3 May 2027 to 6 May 2027", "NX7Q2B CA907 北京 - 马德里 Air China 3 May 2027 Ticketed",
                   "to follow Hotel Urban, doble Derby Hotels On hold", "Total price €5,790.04",
                   "Paid so far €1,737.01", "Still due €4,053.03", "2 Balance 12 Apr 2027 €4,053.03 €0.00 Pending"],
        "receipt": ["PAYMENT RECEIPT Receipt no. R-2027-000123", "Received from 王芳", "Amount received €1,737.01",
                    "Order OF-2027-000042", "Payment method WeChat Pay", "Reference WX-4200001234",
                    "Received on 2 Mar 2027, 10:15:00 UTC", "Received by Ana García 李安娜", "Desk Madrid Centro"],
        "invoice": ["INVOICE No. A-2027-000017 Issue date: 2 March 2027", "Tax ID: 91110000MA01ABCD2X",
                    "Fiscal number 24112000000012345678",
                    "Viaje combinado 西班牙葡萄牙十日游 1 €5,342.76 0% €0.00 €5,342.76",
                    "Agency service fee 2 €52.38 21% €22.00 €126.76", "21% €104.76 €22.00", "0% €5,342.76 €0.00",
                    "Total before tax €5,447.52", "Total tax €22.00", "Total €5,469.52"],
        "credit_note": ["CREDIT NOTE No. A-2027-000018", "Corrects invoice A-2027-000017", "Reason Cancelled by the "
                        "customer 20 days before departure", "Total -€4,342.53"],
    },
    "es": {
        "total": "5.790,04 €",
        "numbers": "Contrato OF-2027-000042 · versión 2",
        "travellers": ["1. 王芳 Adulto 14 feb 1985 Pasaporte (CN) ****5678 30 jun 2031",
                       "2. María Núñez Adulto 1 jul 1990 Documento de identidad (ES) ****678Z 31 ene 2029",
                       "3. Lucía Núñez Niño 9 mar 2018 pendiente"],
        "dates": "3 de mayo de 2027 – 6 de mayo de 2027, 4 días",
        "days": ["Día 1 · lunes, 3 de mayo de 2027 CA907 北京 - 马德里 Vuelo · Air China Beijing – Madrid 3 personas",
                 "2 habitaciones × 3 noches", "Día 3 · miércoles, 5 de mayo de 2027 día libre: sin servicios reservados",
                 "Traslado · Taxi Núñez 1 unidad"],
        "price": ["Precio por adulto 2.105,47 €", "Precio por niño 1.579,10 €", "Descuento -162,00 €",
                  "Honorarios de la agencia 104,76 €", "Impuestos 447,28 €", "Precio total 5.790,04 €"],
        "schedule": ["1 Señal 4 mar 2027 1.737,01 € 1.737,01 € Pagado",
                     "2 Resto del precio 12 abr 2027 4.053,03 € 0,00 € Pendiente", "Total 5.790,04 € 1.737,01 €"],
        "tiers": ["entre 60 y 31 días antes de la salida 10 % del precio total 579,00 €",
                  "entre 30 y 8 días antes de la salida 25 % del precio total 1.447,51 €",
                  "7 días o menos antes de la salida 100 % del precio total 5.790,04 €"],
        "unsigned": "Nombre: ____",
        "signed": "Firmado por 王芳 el 2 mar 2027, 9:30:00 UTC, a distancia mediante un enlace de un solo uso.",
        "page": "página 1 de",
        "letter": ["Estimado/a 王芳:", "Nos complace confirmarle la reserva de España y Portugal · 西班牙葡萄牙十日游, "
                   "del 3 de mayo de 2027 al 6 de mayo de 2027", "NX7Q2B CA907 北京 - 马德里 Air China 3 may 2027 Emitido",
                   "pendiente Hotel Urban, doble Derby Hotels En espera", "Precio total 5.790,04 €",
                   "Pagado hasta hoy 1.737,01 €", "Pendiente de pago 4.053,03 €",
                   "2 Resto del precio 12 abr 2027 4.053,03 € 0,00 € Pendiente"],
        "receipt": ["RECIBO DE PAGO Recibo n.º R-2027-000123", "Recibido de 王芳", "Importe recibido 1.737,01 €",
                    "Expediente OF-2027-000042", "Forma de pago WeChat Pay", "Referencia WX-4200001234",
                    "Fecha de cobro 2 mar 2027, 10:15:00 UTC", "Cobrado por Ana García 李安娜", "Oficina Madrid Centro"],
        "invoice": ["FACTURA N.º A-2027-000017 Fecha de expedición: 2 de marzo de 2027", "NIF: 91110000MA01ABCD2X",
                    "Número fiscal 24112000000012345678",
                    "Viaje combinado 西班牙葡萄牙十日游 1 5.342,76 € 0 % 0,00 € 5.342,76 €",
                    "Agency service fee 2 52,38 € 21 % 22,00 € 126,76 €", "21 % 104,76 € 22,00 €",
                    "Total base imponible 5.447,52 €", "Total impuestos 22,00 €", "Total factura 5.469,52 €"],
        "credit_note": ["FACTURA RECTIFICATIVA N.º A-2027-000018", "Rectifica la factura A-2027-000017",
                        "Total factura -4.342,53 €"],
    },
    "zh": {
        "total": "€5,790.04",
        "numbers": "合同编号 OF-2027-000042 · 第 2 版",
        "travellers": ["1. 王芳 成人 1985年2月14日 护照 (CN) ****5678 2031年6月30日",
                       "2. María Núñez 成人 1990年7月1日 身份证 (ES) ****678Z 2029年1月31日",
                       "3. Lucía Núñez 儿童 2018年3月9日 尚未提供"],
        "dates": "2027年5月3日 – 2027年5月6日, 4 天",
        "days": ["第 1 天 · 2027年5月3日星期一 CA907 北京 - 马德里 航班 · Air China Beijing – Madrid 3 人",
                 "2 间 × 3 晚", "第 3 天 · 2027年5月5日星期三 自由活动：无预订服务", "接送 · Taxi Núñez 1 份"],
        "price": ["成人单价 €2,105.47", "儿童单价 €1,579.10", "折扣 -€162.00", "旅行社服务费 €104.76", "税费 €447.28",
                  "总价 €5,790.04"],
        "schedule": ["1 定金 2027年3月4日 €1,737.01 €1,737.01 已付清", "2 尾款 2027年4月12日 €4,053.03 €0.00 待付",
                     "合计 €5,790.04 €1,737.01"],
        "tiers": ["出发前 60 至 31 天 总价的 10% €579.00", "出发前 30 至 8 天 总价的 25% €1,447.51",
                  "出发前 7 天以内（含） 总价的 100% €5,790.04"],
        "unsigned": "姓名：____",
        "signed": "由 王芳 于 2027年3月2日 09:30:00 UTC 签署（通过一次性链接远程签署）。",
        "page": "第 1 页，共",
        "letter": ["尊敬的 王芳：", "我们很高兴确认您预订的「España y Portugal · 西班牙葡萄牙十日游」，行程日期为 2027年5月3日 至 "
                   "2027年5月6日", "NX7Q2B CA907 北京 - 马德里 Air China 2027年5月3日 已出票",
                   "待确认 Hotel Urban, doble Derby Hotels 已预留", "总价 €5,790.04", "已付金额 €1,737.01",
                   "尚欠金额 €4,053.03", "2 尾款 2027年4月12日 €4,053.03 €0.00 待付"],
        "receipt": ["收款收据 收据编号 R-2027-000123", "付款人 王芳", "收款金额 €1,737.01", "订单编号 OF-2027-000042",
                    "付款方式 微信支付", "交易参考号 WX-4200001234", "收款时间 2027年3月2日 10:15:00 UTC",
                    "经办人 Ana García 李安娜", "收款网点 Madrid Centro"],
        "invoice": ["发票 编号 A-2027-000017 开票日期：2027年3月2日", "纳税人识别号：91110000MA01ABCD2X",
                    "税务发票号码 24112000000012345678",
                    "Viaje combinado 西班牙葡萄牙十日游 1 €5,342.76 0% €0.00 €5,342.76",
                    "Agency service fee 2 €52.38 21% €22.00 €126.76", "21% €104.76 €22.00",
                    "不含税金额合计 €5,447.52", "税额合计 €22.00", "价税合计 €5,469.52"],
        "credit_note": ["红字发票 编号 A-2027-000018", "冲销发票 A-2027-000017", "价税合计 -€4,342.53"],
    },
}
LANGUAGES = list(EXPECTED)
SIGNATURE = {"signed_by": "王芳", "signed_at": "2027-03-02T09:30:00Z", "method": "remote",
             "document_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
CREDIT_NOTE = {**INVOICE, "kind": "credit_note", "number": 18, "display_number": "A-2027-000018",
               "corrects": "A-2027-000017", "reason": "Cancelled by the customer 20 days before departure",
               "fiscal_number": None,
               "lines": [{"description": "Cancelación: reembolso", "quantity": "1", "unit_price": "-4342.53",
                          "tax_rate": "0", "tax": "0.00", "total": "-4342.53"}],
               "tax_totals": [{"rate": "0", "base": "-4342.53", "tax": "0.00"}],
               "subtotal": "-4342.53", "tax_total": "0.00", "total": "-4342.53"}


def flat(text: str) -> str:
    """Runs of white space (line breaks, no-break spaces) as one space: a cell may wrap anywhere."""
    return " ".join(text.split())


def text_of(content: bytes) -> str:
    return flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


def assert_shows(text: str, expected: list[str], *, wrapped: bool = False):
    """wrapped: paragraphs whose lines break anywhere, Chinese ones without a space to break at."""
    if wrapped:
        missing = [e for e in expected if "".join(e.split()) not in "".join(text.split())]
    else:
        missing = [e for e in expected if flat(e) not in text]
    assert not missing, f"not in the document: {missing}"


# --- the wording -------------------------------------------------------------------------------------

def test_every_word_is_there_in_all_three_languages_with_the_same_fields():
    for key, texts in WORDS.items():
        assert len(texts) == 3 and all(t.strip() for t in texts), key
        assert len({frozenset(fields_of(t)) for t in texts}) == 1, f"{key}: the languages name different fields"
        if key.endswith("_one"):
            assert key[:-len("_one")] in WORDS, f"{key} is the singular of nothing"
    assert set(TERMS) == {"zh", "es", "en"}
    assert len({len(clauses) for clauses in TERMS.values()}) == 1 and len(TERMS["en"]) >= 5
    assert all(heading.strip() and text.strip() for clauses in TERMS.values() for heading, text in clauses)


def test_a_language_other_than_the_three_prints_in_english():
    assert [language_of(x) for x in ("zh", "zh-CN", "es_MX", "EN", "fr", None, "")] == \
        ["zh", "zh", "es", "en", "en", "en", "en"]
    assert Words("de")("contract") == "TRAVEL CONTRACT"
    assert documents.contract(ORDER, language="fr") == documents.contract(ORDER, language="en")


def test_amounts_are_exact_to_the_minor_unit_of_their_currency_never_through_float():
    en, es = Formats("en"), Formats("es")
    assert en.money("12345678901234567.895", "EUR") == "€12,345,678,901,234,567.90"  # beyond a float's digits
    assert en.money(D("0.005"), "EUR") == "€0.01" and en.money("-26.245", "EUR") == "-€26.25"  # half up
    assert en.money("1234.5", "JPY") == "JP¥1,235" and en.money("1.0005", "KWD") == "KWD1.001"
    assert es.money("1234.5", "EUR") == "1.234,50\u00a0€" and es.money("-0.5", "EUR") == "-0,50\u00a0€"
    assert Formats("zh").money("6980", "CNY") == "¥6,980.00" and en.money(None, "EUR") == "-"


# --- the contract --------------------------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_the_contract_shows_every_fact_the_customer_signs_for(language):
    expected = EXPECTED[language]
    content = documents.contract(ORDER, language=language)
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    text = text_of(content)
    assert_shows(text, [expected["numbers"], expected["total"], *expected["travellers"], expected["dates"],
                        *expected["days"], *expected["price"], *expected["schedule"], *expected["tiers"],
                        expected["unsigned"], expected["page"]])
    assert_shows(text, ["Viajes Itinera 行程旅行社", "Calle Mayor 1, 28013 Madrid", "B12345678", "CICMA-1234",
                        "hola@itinera.example", "+86 138 0000 0000", "España y Portugal · 西班牙葡萄牙十日游",
                        "Cuna en la habitación; 王芳 素食。", "La señal no es reembolsable. 签证费用另计。"])
    assert_shows(text, [f"{n}. {heading} {body}" for n, (heading, body) in enumerate(TERMS[language], start=1)],
                 wrapped=True)
    # travel documents masked: the last four characters, never the whole number
    assert "E12345678" not in text and "12345678Z" not in text and "12345678" not in text.replace("B12345678", "")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_signed_contract_says_who_signed_when_how_and_the_documents_sha256(language):
    text = text_of(documents.contract({**ORDER, "signature": SIGNATURE}, language=language))
    assert_shows(text, [EXPECTED[language]["signed"], SIGNATURE["document_sha256"]])
    assert EXPECTED[language]["unsigned"] not in text


def test_the_same_order_gives_the_same_bytes_whatever_form_its_values_come_in():
    first = documents.contract(ORDER, language="zh")
    assert documents.contract(copy.deepcopy(ORDER), language="zh") == first
    as_text = {**ORDER, "total": "5790.04", "per_person": {**ORDER["per_person"], "adult": "2105.47"},
               "schedule": [{**item, "amount": str(item["amount"])} for item in ORDER["schedule"]]}
    assert documents.contract(as_text, language="zh") == first
    assert documents.contract({**ORDER, "total": D("5790.05")}, language="zh") != first


def test_another_process_renders_the_same_bytes_so_a_signature_can_be_checked_later():
    script = ("import hashlib, sys; from tests.unit.test_contracts_documents import ORDER; "
              "from services.contracts import documents; "
              "print(hashlib.sha256(documents.contract(ORDER, language='es')).hexdigest())")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == hashlib.sha256(documents.contract(ORDER, language="es")).hexdigest()


def test_a_long_itinerary_flows_over_numbered_pages_and_a_trip_without_tiers_says_so():
    lines = [{**ORDER["lines"][2], "line": n, "day": 1 + n % 4, "description": f"Visita {n} 参观"} for n in range(90)]
    order = {**ORDER, "lines": lines, "cancellation_tiers": [], "special_arrangements": None, "terms": None}
    content = documents.contract(order, language="zh")
    pages = len(PdfReader(io.BytesIO(content)).pages)
    text = text_of(content)
    assert pages >= 3 and f"第 {pages} 页，共 {pages} 页" in text
    assert "Visita 0 参观" in text and "Visita 89 参观" in text and "未约定取消违约金。" in text
    assert "特别约定" not in text


# --- the letter, the receipt, the invoice ------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_the_confirmation_letter_says_what_is_booked_what_was_paid_and_what_is_due(language):
    text = text_of(documents.confirmation_letter(ORDER, language=language))
    assert_shows(text, [EXPECTED[language]["numbers"], *EXPECTED[language]["letter"], "María Núñez", "Lucía Núñez",
                        "Museo del Prado", "Hotel - Barajas"])
    assert "****5678" not in text  # the letter names the travellers, not their documents


def test_a_paid_up_order_is_thanked_and_lists_nothing_still_to_pay():
    schedule = [{**item, "paid": item["amount"], "status": "paid"} for item in ORDER["schedule"]]
    text = text_of(documents.confirmation_letter({**ORDER, "schedule": schedule, "bookings": []}, language="en"))
    assert_shows(text, ["Paid so far €5,790.04", "Still due €0.00", "Everything is paid: thank you."])
    assert "Still to pay" not in text and "Locator" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_receipt_names_the_payment_and_who_took_it(language):
    assert_shows(text_of(documents.receipt(PAYMENT, language=language)), EXPECTED[language]["receipt"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_invoice_shows_its_lines_taxes_per_rate_and_totals_as_issued(language):
    assert_shows(text_of(documents.invoice(INVOICE, language=language)), EXPECTED[language]["invoice"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_credit_note_names_the_invoice_it_corrects(language):
    text = text_of(documents.invoice(CREDIT_NOTE, language=language))
    assert_shows(text, EXPECTED[language]["credit_note"])
    assert flat(EXPECTED[language]["invoice"][0]) not in text


# --- fonts ------------------------------------------------------------------------------------------

@pytest.mark.skipif(typesetting.discover_font() is None, reason="no Chinese TrueType font installed "
                                                                  "(.ci/run installs fonts-wqy-microhei)")
@pytest.mark.parametrize("render, data", [(documents.contract, ORDER), (documents.confirmation_letter, ORDER),
                                          (documents.receipt, PAYMENT), (documents.invoice, INVOICE)])
def test_chinese_names_in_an_english_document_print_in_an_embedded_font(render, data, monkeypatch):
    monkeypatch.delenv(typesetting.FONT_ENV, raising=False)
    content = render(data, language="en")
    assert "王芳" in text_of(content)
    fonts = embedded_fonts(content)
    assert any(subtype == "/TrueType" and embedded for subtype, _, embedded in fonts)
    assert not [f for f in fonts if f[0] == "/Type0"] and b"STSong" not in content  # no font left to the viewer


def test_each_tier_runs_from_its_days_down_to_the_next_and_the_last_to_departure():
    tiers = [{"days_before": 1, "penalty_percent": "50"}, {"days_before": 60, "penalty_percent": "10"},
             {"days_before": 0, "penalty_percent": "100"}, {"days_before": 59, "penalty_percent": "12.5"}]
    text = text_of(documents.contract({**ORDER, "cancellation_tiers": tiers}, language="en"))
    assert_shows(text, ["60 days before departure 10% of the total price €579.00",
                        "59 to 2 days before departure 12.5% of the total price €723.76",  # 723.755 half up
                        "1 day before departure 50% of the total price €2,895.02",
                        "on the day of departure 100% of the total price €5,790.04"])
    only = [{"days_before": 1, "penalty_percent": "100"}]
    assert "1 day or less before departure" in text_of(
        documents.contract({**ORDER, "cancellation_tiers": only}, language="en"))


def test_a_contract_signed_in_person_says_so_in_the_customers_language():
    signature = {**SIGNATURE, "method": "in_person", "signed_at": "2027-03-02T09:30:00+00:00"}
    text = text_of(documents.contract({**ORDER, "signature": signature}, language="zh"))
    assert "由 王芳 于 2027年3月2日 09:30:00 UTC 签署（当面签署）。" in text
