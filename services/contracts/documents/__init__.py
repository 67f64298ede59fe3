"""PLACEHOLDER until the documents branch merges: plain-text PDFs so the service can be exercised."""
import json

from reportlab.pdfgen.canvas import Canvas
import io


def _pdf(kind, data, language):
    buf = io.BytesIO()
    c = Canvas(buf, invariant=1)
    c.drawString(72, 800, f"{kind} {language}")
    c.drawString(72, 780, json.dumps(data, default=str, sort_keys=True)[:200])
    c.save()
    return buf.getvalue()


def contract(order, *, language):
    return _pdf("contract", order, language)


def confirmation_letter(order, *, language):
    return _pdf("confirmation", order, language)


def receipt(payment, *, language):
    return _pdf("receipt", payment, language)


def invoice(invoice, *, language):
    return _pdf("invoice", invoice, language)
