"""Printable documents as PDF bytes: the catalog brochure and the customer's quote sheet.

Plain functions of plain data, no database and no broker: `quote_sheet(snapshot)` renders a quote
version from its immutable snapshot alone (quotes.snapshot: money as decimal strings, dates ISO),
`brochure(products)` renders published catalog products (catalog.as_dict). The service reads,
these render, the gateway sends the bytes as application/pdf.

The fonts (one embedded so any name prints on any viewer), styles, figures, dates and numbered
pages are services.common.documents (typesetting, layout); quote_sheets and brochures are the
two documents.
"""
from services.common.documents.layout import CONTENT_TYPE, as_attachment
from services.common.documents.typesetting import FONT_ENV, Fonts, discover_font, fonts, rich

from .brochures import brochure, brochure_filename
from .quote_sheets import consultant_name, customer_name, quote_sheet, quote_sheet_filename

__all__ = ["brochure", "brochure_filename", "CONTENT_TYPE", "as_attachment", "consultant_name", "customer_name",
           "quote_sheet", "quote_sheet_filename", "FONT_ENV", "Fonts", "discover_font", "fonts", "rich"]
