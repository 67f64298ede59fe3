"""Printable documents as PDF bytes: the catalog brochure and the customer's quote sheet.

Plain functions of plain data, no database and no broker: `quote_sheet(snapshot)` renders a quote
version from its immutable snapshot alone (quotes.snapshot: money as decimal strings, dates ISO),
`brochure(products)` renders published catalog products (catalog.as_dict). The service reads,
these render, the gateway sends the bytes as application/pdf.

typesetting: the fonts (one embedded so any name prints on any viewer) and text set in them;
layout: styles, figures and dates, pages; quote_sheets and brochures: the two documents.
"""
from .brochures import brochure, brochure_filename
from .layout import CONTENT_TYPE, as_attachment
from .quote_sheets import consultant_name, customer_name, quote_sheet, quote_sheet_filename
from .typesetting import FONT_ENV, Fonts, discover_font, fonts, rich

__all__ = ["brochure", "brochure_filename", "CONTENT_TYPE", "as_attachment", "consultant_name", "customer_name",
           "quote_sheet", "quote_sheet_filename", "FONT_ENV", "Fonts", "discover_font", "fonts", "rich"]
