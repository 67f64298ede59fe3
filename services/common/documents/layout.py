"""What every document shares: styles, how figures and dates are written, pages and their footer.

The figures and dates here are the English ones of the itinerary's sheets; a document in the
customer's language writes them with `locales` instead and passes its own `page_label`.
"""
import base64
import io
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Table, TableStyle

from services.common.money import minor_unit

from .typesetting import BASE, BOLD, rich

CONTENT_TYPE = "application/pdf"
INK, MUTED, RULE, BAND, ACCENT = (colors.HexColor("#1f2933"), colors.HexColor("#616e7c"),
                                  colors.HexColor("#cbd2d9"), colors.HexColor("#f0f4f8"),
                                  colors.HexColor("#0b6e4f"))
PAGE_MARGIN = 16 * mm
WIDTH = A4[0] - 2 * PAGE_MARGIN


def _style(name, size=9, leading=None, font=BASE, color=INK, **kw) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.3, textColor=color, **kw)


STYLES = {
    "title": _style("title", 18, font=BOLD, spaceAfter=2),
    "subtitle": _style("subtitle", 10, color=MUTED),
    "h2": _style("h2", 12, font=BOLD, spaceBefore=10, spaceAfter=4, color=ACCENT),
    "h3": _style("h3", 10, font=BOLD),
    "body": _style("body", 9),
    "bold": _style("bold", 9, font=BOLD),
    "small": _style("small", 7.5, color=MUTED),
    "small_right": _style("small_right", 7.5, color=MUTED, alignment=TA_RIGHT),
    "right": _style("right", 9, alignment=TA_RIGHT),
    "right_bold": _style("right_bold", 9, font=BOLD, alignment=TA_RIGHT),
    "big_right": _style("big_right", 12, font=BOLD, alignment=TA_RIGHT),
    "badge": _style("badge", 7.5, font=BOLD, color=colors.white),
}


def para(value, style="body", markup: str | None = None) -> Paragraph:
    """A paragraph of plain text (escaped, fonts per run); `markup` is trusted, already escaped."""
    return Paragraph(markup if markup is not None else rich(value), STYLES[style])


# --- formatting ---------------------------------------------------------------------------------------

def money(amount, currency: str, *, code: bool = True) -> str:
    """'CNY 12,345.60', '-CNY 1,026.24' (grouped, to the currency's minor unit); code=False: '12,345.60'."""
    if amount is None:
        return "-"
    value = Decimal(str(amount)).quantize(Decimal(1).scaleb(-minor_unit(currency)), ROUND_HALF_UP)
    return ("-" if value < 0 else "") + (f"{currency} " if code else "") + f"{abs(value):,}"


def number(value) -> str:
    """A percentage or rate as given, without trailing zeros after the point ('30', '2.5', '7.8125')."""
    text = str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def as_date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.fromisoformat(str(value)).date() if "T" in str(value) else date.fromisoformat(str(value))


def day_text(value, weekday: bool = True) -> str:
    """'Mon 3 May 2027'."""
    d = as_date(value)
    if d is None:
        return "-"
    return (f"{d:%a} " if weekday else "") + f"{d.day} {d:%b %Y}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# --- page furniture ----------------------------------------------------------------------------------

def english_page_label(page: int, total: int) -> str:
    return f"page {page} of {total}"


class _NumberedCanvas(Canvas):
    """Writes 'page n of m' (and the document's footer text) once the page count is known."""

    footer = ""
    page_label = staticmethod(english_page_label)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(PAGE_MARGIN, 12 * mm, A4[0] - PAGE_MARGIN, 12 * mm)
            footer = Paragraph(self.footer, STYLES["small"])
            _, height = footer.wrap(WIDTH - 30 * mm, 10 * mm)
            footer.drawOn(self, PAGE_MARGIN, 11 * mm - height)
            label = self.page_label(self._pageNumber, total)
            try:
                label.encode("cp1252")
            except UnicodeEncodeError:  # "第 1 页，共 2 页": set in the fonts that have it
                number_ = Paragraph(rich(label), STYLES["small_right"])
                _, height = number_.wrap(30 * mm, 10 * mm)
                number_.drawOn(self, A4[0] - PAGE_MARGIN - 30 * mm, 10.5 * mm - height)
            else:
                self.setFont(BASE, 7.5)
                self.setFillColor(MUTED)
                self.drawRightString(A4[0] - PAGE_MARGIN, 8 * mm, label)
            super().showPage()
        super().save()


def render(story: list, *, title: str, subject: str, footer_markup: str,
           page_label: Callable[[int, int], str] = english_page_label) -> bytes:
    """The story on numbered A4 pages; page_label(page, total) is the words for 'page n of m'."""
    buffer = io.BytesIO()
    # invariant: the same input gives the same bytes (no creation time or random id inside).
    doc = BaseDocTemplate(buffer, pagesize=A4, title=title, subject=subject, author="Itinera", creator="Itinera",
                          invariant=1)
    bottom = 20 * mm
    frame = Frame(PAGE_MARGIN, bottom, WIDTH, A4[1] - PAGE_MARGIN - bottom, leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0)  # tables of WIDTH line up with the text
    doc.addPageTemplates([PageTemplate("page", frames=[frame])])
    canvas_class = type("FooterCanvas", (_NumberedCanvas,),
                        {"footer": footer_markup, "page_label": staticmethod(page_label)})
    doc.build(story, canvasmaker=canvas_class)
    return buffer.getvalue()


def grid(rows, widths, *, header: bool = True, extra=()) -> Table:
    # splitInRow: a row taller than what is left of the page (long notes) continues on the next.
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, splitInRow=1)
    commands = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3), ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5), ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE)]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), BAND), ("LINEBELOW", (0, 0), (-1, 0), 0.75, MUTED)]
    table.setStyle(TableStyle(commands + list(extra)))
    return table


def fact_table(rows: list[tuple[str, Paragraph]], widths=(38 * mm, WIDTH - 38 * mm)) -> Table:
    table = Table([[para(label, "small"), value] for label, value in rows], colWidths=list(widths))
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]))
    return table


def as_attachment(filename: str, content: bytes) -> dict:
    """What the RPC returns: RPC is JSON (itinera-json), so the bytes travel as base64 text."""
    return {"filename": filename, "content_type": CONTENT_TYPE,
            "content_base64": base64.b64encode(content).decode("ascii")}


def short(text: str, limit: int = 60) -> str:
    """For the one-line footer."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"
