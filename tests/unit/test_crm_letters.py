"""The letters CRM sends: every kind in every language, names in any script, values missing or wrong."""
import base64
from email import policy
from email.parser import BytesParser

import pytest

from services.common.errors import ValidationFailed, validated
from services.crm import letters, mail
from services.crm.settings import from_config
from services.crm.wire import MESSAGE_KINDS, MessageCreateSchema

FULL = {"order_number": "OF-2027-0042", "title": "Kyoto in spring", "signing_url": "https://agency.example/sign/t0k",
        "amount": "12345.6", "currency": "CNY", "due_on": "2027-05-03", "start_date": "2027-04-02",
        "locator": "QX7P2M", "old_flight": "CA925 09:00", "new_flight": "CA927 13:30",
        "survey_url": "https://agency.example/s/9", "valid_until": "2027-03-01"}
REQUIRED = {"signing_url": FULL["signing_url"], "survey_url": FULL["survey_url"]}


@pytest.mark.parametrize("language", ["zh", "es", "en"])
@pytest.mark.parametrize("kind", MESSAGE_KINDS)
def test_every_kind_renders_in_every_language_with_the_name_intact(kind, language):
    subject, body = letters.render(kind, language, "王芳 Núñez", FULL, "Itinera Travel")
    assert subject and "\n" not in subject
    assert "王芳 Núñez" in body and "Itinera Travel" in body
    assert "None" not in subject + body and "{{" not in body


@pytest.mark.parametrize("language", ["zh", "es", "en"])
@pytest.mark.parametrize("kind", MESSAGE_KINDS)
def test_missing_optional_values_leave_no_gaps(kind, language):
    subject, body = letters.render(kind, language, "Ana", REQUIRED, "Itinera")
    assert "None" not in subject + body
    assert "  " not in subject and not subject.endswith((":", "：", " "))
    assert "()" not in body and "（）" not in body


def test_amounts_and_dates_are_written_for_the_language():
    values = {"amount": "1234.5", "currency": "EUR", "due_on": "2027-05-03", "order_number": "OF-1"}
    _, zh = letters.render("payment_reminder", "zh-CN", "王芳", values, "Itinera")
    _, es = letters.render("payment_reminder", "es", "Ana", values, "Itinera")
    _, en = letters.render("payment_reminder", "fr", "Anne", values, "Itinera")  # French: English
    assert "€1,234.50" in zh and "2027年5月3日" in zh
    assert "1.234,50\xa0€" in es and "3 de mayo de 2027" in es
    assert "€1,234.50" in en and "3 May 2027" in en


def test_a_line_break_in_a_value_does_not_break_the_subject():
    subject, _ = letters.render("survey_invitation", "en", "Ana", dict(REQUIRED, title="Kyoto\r\nBcc: x@y"), "I")
    assert "\n" not in subject and "\r" not in subject


def test_the_email_carries_chinese_names_and_attachments_properly_encoded():
    settings = from_config({"SMTP_SENDER": "Itinera 旅行 <no-reply@agency.example>"})
    outgoing = mail.Outgoing(message_id="m-1", smtp_message_id=mail.message_id_for("m-1", settings),
                             to_address="wang@example.cn", to_name="王芳", subject="您的旅行文件：京都",
                             body_text="尊敬的王芳：\n", attachments=[("行程单.pdf", "application/pdf", b"%PDF-1.4")])
    raw = mail.build(outgoing, settings).as_bytes()
    assert all(byte < 128 for byte in raw)  # every header and part encoded for any mail server
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert parsed["Subject"] == "您的旅行文件：京都" and parsed["To"].addresses[0].display_name == "王芳"
    assert parsed["Message-ID"] == "<m-1@agency.example>"
    [pdf] = parsed.iter_attachments()
    assert pdf.get_filename() == "行程单.pdf" and pdf.get_content() == b"%PDF-1.4"


def test_the_request_is_checked_field_by_field():
    with pytest.raises(ValidationFailed) as refused:
        validated(MessageCreateSchema(), {
            "customer_id": "c", "kind": "payment_reminder",
            "values": {"amount": "12.345", "total": "1e300", "currency": "euro", "due_on": "03/05/2027",
                       "Bad-Key": "x", "note": {"nested": 1}}})
    assert set(refused.value.details["values"]) == {"amount", "total", "currency", "due_on", "Bad-Key", "note"}


def test_attachments_beyond_the_size_limit_are_refused(monkeypatch):
    monkeypatch.setattr("services.crm.wire.communications.MAX_ATTACHMENT_BYTES", 10)
    big = base64.b64encode(b"x" * 11).decode()
    with pytest.raises(ValidationFailed) as refused:
        validated(MessageCreateSchema(), {"customer_id": "c", "kind": "trip_documents", "attachments": [
            {"filename": "a.pdf", "content_type": "application/pdf", "content_base64": big}]})
    assert "attachments" in refused.value.details


def test_settings_have_working_defaults_and_refuse_an_unknown_security():
    s = from_config({})
    assert (s.host, s.port, s.security, s.sender_domain) == ("127.0.0.1", 1025, "none", "itinera.local")
    with pytest.raises(ValueError):
        from_config({"SMTP_SECURITY": "tls13"})
