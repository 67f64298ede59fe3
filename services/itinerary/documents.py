"""Printable documents as PDF bytes: the catalog brochure and the customer's quote sheet.

Plain functions of plain data, no database and no broker: `quote_sheet(snapshot)` renders a quote
version from its immutable snapshot alone (quotes.snapshot: money as decimal strings, dates ISO),
`brochure(products)` renders published catalog products (catalog.as_dict). The service reads,
these render, the gateway sends the bytes as application/pdf.

Fonts. The PDF uses Helvetica for every character it can encode (Windows-1252: Latin with the
accents of Spanish, French, German..., so "María Núñez" stays in one font) and, for the rest, a
TrueType font embedded as a subset of the glyphs used, so "王小明" prints on any viewer: the file
ITINERA_PDF_FONT names (.ttf, or a .ttc whose first face is used), else the Chinese sans font
fontconfig finds (fc-match / fc-list :lang=zh-cn; the container image ships WenQuanYi Micro
Hei). reportlab embeds TrueType outlines only: OpenType/CFF (.otf) files are skipped. With no
such font at all the service says so in its log when it starts, and Chinese and Korean fall back
to reportlab's built-in CID fonts (STSong-Light, HYSMyeongJo-Medium), which are referenced, not
embedded: viewers without a CJK font of their own show boxes. A character no font has (Polish
"ł" without a font that has it) is written without its accent ("l") rather than as a box.
"""
import base64
import functools
import io
import logging
import os
import subprocess
import unicodedata
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (BaseDocTemplate, CondPageBreak, Frame, KeepTogether, PageTemplate, Paragraph,
                                Spacer, Table, TableStyle)

from services.common.serialization import to_plain

from .costing import minor_unit

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/pdf"
FONT_ENV = "ITINERA_PDF_FONT"
BASE, BOLD = "Helvetica", "Helvetica-Bold"
CHINESE, KOREAN = "STSong-Light", "HYSMyeongJo-Medium"
# What Adobe-GB1 (STSong-Light) draws beyond Windows-1252: Greek, Cyrillic, CJK symbols and
# punctuation, kana, bopomofo, CJK ideographs, compatibility ideographs, full-width forms.
CHINESE_RANGES = ((0x0370, 0x03FF), (0x0400, 0x04FF), (0x2000, 0x206F), (0x2100, 0x22FF), (0x2460, 0x26FF),
                  (0x2E80, 0x2FDF), (0x3000, 0x31BF), (0x31F0, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
                  (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x2FA1F))
KOREAN_RANGES = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF))
# Letters without a decomposition to strip: written as their base letter when no font has them.
BASE_LETTERS = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "Ŧ": "T",
                              "ŧ": "t", "Ŋ": "N", "ŋ": "n", "ĸ": "k", "ſ": "s", "Ɓ": "B", "ƀ": "b"})

INK, MUTED, RULE, BAND, ACCENT = (colors.HexColor("#1f2933"), colors.HexColor("#616e7c"),
                                  colors.HexColor("#cbd2d9"), colors.HexColor("#f0f4f8"),
                                  colors.HexColor("#0b6e4f"))
PAGE_MARGIN = 16 * mm
WIDTH = A4[0] - 2 * PAGE_MARGIN


# --- fonts and text ---------------------------------------------------------------------------------

# A character every Chinese font has: a font without it is not one to print Chinese names with.
CHINESE_PROBE = ord("王")
NO_FONT = (f"No TrueType font with Chinese glyphs: set {FONT_ENV} to a .ttf/.ttc file or install one "
           f"(Debian: fonts-wqy-microhei). PDFs now print Latin text, and Chinese and Korean only in fonts "
           f"they do not embed, which viewers without such a font show as empty boxes.")


def _load(path: str):
    """The registered TrueType font for a file (subset-embedded when used); raises when unusable."""
    name = "ItineraEmbedded-" + os.path.basename(path).rsplit(".", 1)[0].replace(" ", "")
    try:
        return pdfmetrics.getFont(name)
    except KeyError:
        font = TTFont(name, path)  # a .ttc: its first face
        pdfmetrics.registerFont(font)
        return font


def _fontconfig(*args: str) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):  # no fontconfig on this machine
        return ""


@functools.lru_cache(maxsize=1)
def discover_font() -> str | None:
    """A TrueType file with Chinese glyphs that fontconfig knows: fc-match's choice for Chinese sans
    first, then the others fc-list names; None when there is none."""
    best = _fontconfig("fc-match", "-f", "%{file}", "sans:lang=zh-cn").strip()
    listed = sorted(line.split(":")[0].strip() for line in _fontconfig("fc-list", ":lang=zh-cn", "file").splitlines())
    for path in dict.fromkeys([best, *listed]):
        if not path.lower().endswith((".ttf", ".ttc")):
            continue  # .otf (CFF outlines) cannot be embedded by reportlab
        try:
            if CHINESE_PROBE in _load(path).face.charToGlyph:
                return path
        except Exception:  # unreadable or not TrueType after all: try the next
            continue
    return None


class Fonts:
    def __init__(self, embedded_path: str | None):
        for name in (CHINESE, KOREAN):
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(UnicodeCIDFont(name))
        self.embedded = self.glyphs = self.path = None
        if embedded_path:
            try:
                font = _load(embedded_path)
            except Exception as exc:  # missing, unreadable, not TrueType: print without it, and say so
                log.error("%s=%s cannot be used (%s); PDFs use the built-in fonts", FONT_ENV, embedded_path, exc)
                return
            self.embedded, self.glyphs, self.path = font.fontName, font.face.charToGlyph, embedded_path

    def font_for(self, ch: str) -> tuple[str | None, str]:
        """(font, character to write): font None is the paragraph's own (Helvetica)."""
        try:
            ch.encode("cp1252")
            return None, ch
        except UnicodeEncodeError:
            pass
        code = ord(ch)
        if self.embedded and code in self.glyphs:
            return self.embedded, ch
        if any(low <= code <= high for low, high in CHINESE_RANGES):
            return CHINESE, ch
        if any(low <= code <= high for low, high in KOREAN_RANGES):
            return KOREAN, ch
        plain = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        plain = plain.translate(BASE_LETTERS)
        try:
            plain.encode("cp1252")
            return None, plain
        except UnicodeEncodeError:
            return None, "?"


@functools.lru_cache(maxsize=4)
def _fonts(configured: str | None) -> Fonts:
    chosen = Fonts(configured) if configured else None
    if chosen is None or chosen.embedded is None:
        chosen = Fonts(discover_font())
    if chosen.embedded:
        log.info("PDFs embed %s for what Helvetica cannot draw (Chinese names among it)", chosen.path)
    else:
        log.warning(NO_FONT)
    return chosen


def fonts() -> Fonts:
    """The fonts PDFs use: ITINERA_PDF_FONT's file, else a Chinese TrueType font fontconfig finds
    (found once per process, and logged: the service calls this when it starts)."""
    return _fonts(os.environ.get(FONT_ENV) or None)


def rich(value, fonts_: Fonts | None = None) -> str:
    """Paragraph markup for any text: escaped, each run set in a font that has its characters."""
    fonts_ = fonts_ or fonts()
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    parts, run, run_font = [], [], None

    def flush():
        if run:
            chunk = escape("".join(run))
            parts.append(chunk if run_font is None else f'<font face="{run_font}">{chunk}</font>')
            run.clear()

    for ch in text:
        if ch == "\n":
            flush()
            parts.append("<br/>")
            continue
        if unicodedata.category(ch) in ("Cc", "Cf"):
            ch = " " if ch == "\t" else ""
            if not ch:
                continue
        font, written = fonts_.font_for(ch)
        if font != run_font:
            flush()
            run_font = font
        run.append(written)
    flush()
    return "".join(parts)


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


def _date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.fromisoformat(str(value)).date() if "T" in str(value) else date.fromisoformat(str(value))


def day_text(value, weekday: bool = True) -> str:
    """'Mon 3 May 2027'."""
    d = _date(value)
    if d is None:
        return "-"
    return (f"{d:%a} " if weekday else "") + f"{d.day} {d:%b %Y}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# --- page furniture ----------------------------------------------------------------------------------

class _NumberedCanvas(Canvas):
    """Writes 'page n of m' (and the document's footer text) once the page count is known."""

    footer = ""

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
            self.setFont(BASE, 7.5)
            self.setFillColor(MUTED)
            self.drawRightString(A4[0] - PAGE_MARGIN, 8 * mm, f"page {self._pageNumber} of {total}")
            super().showPage()
        super().save()


def _render(story: list, *, title: str, subject: str, footer_markup: str) -> bytes:
    buffer = io.BytesIO()
    # invariant: the same input gives the same bytes (no creation time or random id inside).
    doc = BaseDocTemplate(buffer, pagesize=A4, title=title, subject=subject, author="Itinera", creator="Itinera",
                          invariant=1)
    bottom = 20 * mm
    frame = Frame(PAGE_MARGIN, bottom, WIDTH, A4[1] - PAGE_MARGIN - bottom, leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0)  # tables of WIDTH line up with the text
    doc.addPageTemplates([PageTemplate("page", frames=[frame])])
    canvas_class = type("FooterCanvas", (_NumberedCanvas,), {"footer": footer_markup})
    doc.build(story, canvasmaker=canvas_class)
    return buffer.getvalue()


def _grid(rows, widths, *, header: bool = True, extra=()) -> Table:
    # splitInRow: a row taller than what is left of the page (long notes) continues on the next.
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, splitInRow=1)
    commands = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3), ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5), ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE)]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), BAND), ("LINEBELOW", (0, 0), (-1, 0), 0.75, MUTED)]
    table.setStyle(TableStyle(commands + list(extra)))
    return table


def _facts(rows: list[tuple[str, Paragraph]], widths=(38 * mm, WIDTH - 38 * mm)) -> Table:
    table = Table([[para(label, "small"), value] for label, value in rows], colWidths=list(widths))
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]))
    return table


def as_attachment(filename: str, content: bytes) -> dict:
    """What the RPC returns: RPC is JSON (itinera-json), so the bytes travel as base64 text."""
    return {"filename": filename, "content_type": CONTENT_TYPE,
            "content_base64": base64.b64encode(content).decode("ascii")}


# --- the quote sheet ---------------------------------------------------------------------------------

KIND_LABELS = {"flight": "Flight", "train": "Train", "hotel": "Hotel", "transfer": "Transfer",
               "attraction": "Attraction", "meal": "Meal", "guide": "Guide", "insurance": "Insurance",
               "visa": "Visa", "other": "Other"}


def quote_sheet_filename(snapshot: dict) -> str:
    return f"quote-{snapshot['quote']['number']}-v{snapshot['quote']['version']}.pdf"


def _party_text(party: dict) -> str:
    adults, children = party["adults"], party.get("children") or []
    text = plural(adults, "adult")
    if children:
        ages = "; ".join(f"{c['name']}, age {c['age']}" if c.get("name") else f"age {c['age']}" for c in children)
        text += f", {len(children)} {'child' if len(children) == 1 else 'children'} ({ages})"
    return text


def _quantity_text(line: dict) -> str:
    quantity, basis = line["quantity"], line["basis"]
    if basis == "per_night":
        rooms = f"{plural(quantity, 'room')} × {plural(line['nights'] or 1, 'night')}"
        return rooms + (f" ({line['occupancy']} per room)" if line.get("occupancy") else "")
    if basis == "per_person":
        return plural(quantity, "person") if quantity != 1 else "1 person"
    return plural(quantity, "unit")


def _line_details(line: dict, currency: str, costs: bool) -> str:
    """Markup: where and when, the item's attributes and notes; the costs view adds the source."""
    bits = []
    if line["kind"] == "hotel" and line.get("nights"):
        bits.append(f"check-in {day_text(line['service_date'])}, check-out {day_text(line.get('check_out'))}")
    elif line.get("service_date"):
        bits.append(day_text(line["service_date"]))
    if line.get("from_location") or line.get("to_location"):
        bits.append(f"{line.get('from_location') or '?'} – {line.get('to_location') or '?'}")
    elif line.get("location"):
        bits.append(line["location"])
    out = [rich("; ".join(bits))]
    attributes = line.get("attributes") or {}
    shown = [f"{key.replace('_', ' ')}: {value}" for key, value in list(attributes.items())[:6]
             if isinstance(value, (str, int, float)) and str(value).strip()]
    if shown:
        out.append(f'<font size="7.5" color="{MUTED.hexval()}">{rich(", ".join(shown))}</font>')
    if line.get("notes"):
        out.append(f'<font size="7.5" color="{MUTED.hexval()}">{rich(line["notes"])}</font>')
    if costs and line.get("priced"):
        source = f"net {money(line['net_cost_in_cost_currency'], line['cost_currency'])}"
        if line.get("rate"):
            rate = line["rate"]
            source += f" at 1 {rate['base']} = {number(rate['rate'])} {rate['quote']}"
        markup = line.get("markup")
        if markup:
            how = f"{number(markup['value'])} %" if markup["method"] == "percent" else \
                f"{money(markup['value'], markup.get('currency') or currency)} a unit"
            source += f"; markup {how} ({markup['scope']} rule)"
        out.append(f'<font size="7.5" color="{MUTED.hexval()}">{rich(source)}</font>')
    return "<br/>".join(out)


def _services_table(snapshot: dict, costs: bool) -> Table:
    currency = snapshot["currency"]
    package = snapshot["totals"].get("package")
    lines = {line["line"]: line for line in snapshot["lines"]}
    if costs:
        header = ["#", "Service", "Details", "Quantity", "Net", "Markup", "Price"]
        widths = [7 * mm, 42 * mm, 54 * mm, 21 * mm, 18 * mm, 16 * mm, WIDTH - 158 * mm]
    else:
        header = ["#", "Service", "Details", "Quantity", "Price"]
        widths = [7 * mm, 52 * mm, 71 * mm, 23 * mm, WIDTH - 153 * mm]
    rows = [[para(h, "bold") if i < 3 else para(h, "right_bold") if i > 3 else para(h, "bold")
             for i, h in enumerate(header)]]
    extra = []
    for day in snapshot["days"]:
        title = f"Day {day['number']}  ·  {day_text(day['date'])}"
        if day.get("title"):
            title += f"  ·  {day['title']}"
        heading = rich(title)
        if day.get("description"):
            heading += f'<br/><font name="{BASE}" size="7.5" color="{MUTED.hexval()}">{rich(day["description"])}</font>'
        if not day["lines"] and not day.get("description"):
            heading += f'<br/><font name="{BASE}" size="7.5" color="{MUTED.hexval()}">no services booked this ' \
                       f'day</font>'
        rows.append([Paragraph(heading, STYLES["h3"])] + [""] * (len(header) - 1))
        extra += [("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1)),
                  ("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), BAND)]
        for number_ in day["lines"]:
            line = lines[number_]
            service = rich(line["description"])
            label = KIND_LABELS.get(line["kind"], line["kind"])
            supplier = f" · {rich(line['supplier_name'])}" if line.get("supplier_name") else ""
            service += f'<br/><font size="7.5" color="{MUTED.hexval()}">{rich(label)}{supplier}</font>'
            row = [para(str(line["line"]), "small"), para(None, markup=service),
                   para(None, markup=_line_details(line, currency, costs)), para(_quantity_text(line), "body")]
            if costs:
                row += [para(money(line["net_cost"], currency, code=False), "right"),
                        para(money(line["markup_amount"], currency, code=False), "right")]
            # A package's customer copy: the lines are in the advertised price, not priced one by one.
            row.append(para("included", "small") if package and not costs
                       else para(money(line["sell_amount"], currency, code=False), "right"))
            rows.append(row)
    return _grid(rows, widths, extra=extra)


def _fee_rows(snapshot: dict) -> list[tuple[str, str, str, bool]]:
    """(what, how it is computed, amount, is the total) for each fee, from the snapshot's totals."""
    totals, currency = snapshot["totals"], snapshot["currency"]
    sell, discount = Decimal(totals["sell"]), Decimal(totals["discount"])
    after_discount = sell - discount
    count = sum(1 for line in snapshot["lines"] if line.get("priced", True))
    basis = {
        "services": f"the sum of the prices of the {plural(count, 'service')} above",
        "discount": f"{number(totals['discount_percent'])} % of {money(sell, currency)}",
        "service_fee": ("a fixed fee for designing, booking and looking after the trip"
                        if totals["service_fee_basis"] == "fixed" else
                        f"{number(totals['service_fee_percent'])} % of {money(after_discount, currency)}, "
                        f"for designing, booking and looking after the trip"),
        "tax": f"{number(totals['tax_percent'])} % of {money(totals['revenue'], currency)} (services and fee)",
        "total": "what you pay for the whole trip",
        "package": "the advertised price per traveller: services, agency fee and taxes included",
        "single_supplement": "for an adult with a room alone: half a double room's price for each night",
        "tax_included": f"{number(totals['tax_percent'])} % of the price before tax, already in the total",
    }
    return [(fee["label"], basis.get(fee["code"], ""), fee["amount"], fee["code"] == "total")
            for fee in snapshot["fees"]]


def _composition(snapshot: dict, costs: bool) -> list:
    currency, totals = snapshot["currency"], snapshot["totals"]
    rows = [[para("", "bold"), para("How it is computed", "bold"), para(f"Amount ({currency})", "right_bold")]]
    extra = []
    for label, basis, amount, is_total in _fee_rows(snapshot):
        rows.append([para(label, "bold" if is_total else "body"), para(basis, "small"),
                     para(money(amount, currency, code=is_total), "right_bold" if is_total else "right")])
        if is_total:
            extra += [("LINEABOVE", (0, len(rows) - 1), (-1, len(rows) - 1), 1, INK),
                      ("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), BAND)]
    flow = [para("Price composition", "h2"),
            para("Each amount that makes up the total, and how it was computed.", "small"), Spacer(1, 2 * mm),
            _grid(rows, [72 * mm, 72 * mm, WIDTH - 144 * mm], extra=extra)]
    if costs:
        internal = [("Net cost of the services", money(totals["cost"], currency)),
                    ("Markup", money(totals["markup"], currency)),
                    *([("The lines at their selling prices (not quoted: the package price is)",
                        money(totals["package"]["components_sell"], currency)),
                       ("Package price minus the lines' selling prices",
                        money(totals["package"]["difference"], currency))] if totals.get("package") else []),
                    ("Revenue (total before tax)", money(totals["revenue"], currency)),
                    ("Margin", f"{money(totals['margin'], currency)} ({number(totals['margin_percent'])} %)")]
        flow += [Spacer(1, 2 * mm), KeepTogether([
            para("For the agency only: costs and margin", "h3"),
            _grid([[para(a), para(b, "right")] for a, b in internal], [110 * mm, WIDTH - 110 * mm], header=False)])]
    return flow


def _per_person(snapshot: dict) -> list:
    per_person, currency = snapshot.get("per_person"), snapshot["currency"]
    if not per_person:
        return []
    children = snapshot["itinerary"]["party"].get("children") or []
    rows = [[para("Price per adult"), para("sharing a room", "small"), para(money(per_person["adult"], currency),
                                                                            "right_bold")]]
    if per_person.get("child") is not None:
        if per_person.get("child_factor") is None:  # a package: the season's child price
            how = "the advertised price for a child"
        else:
            how = f"{number(Decimal(per_person['child_factor']) * 100)} % of an adult's price"
        rows.append([para("Price per child"), para(how, "small"),
                     para(money(per_person["child"], currency), "right_bold")])
    if Decimal(per_person["single_supplement"]):
        rows.append([para("Single supplement"),
                     para("for an adult with a room alone: half a double room's price for each night in a hotel; "
                          "paid by one adult", "small"),
                     para(money(per_person["single_supplement"], currency), "right_bold")])
    else:
        rows.append([para("Single supplement"), para("none: every room is shared", "small"),
                     para(money(0, currency), "right")])
    flow = [para("Price per person", "h2"), _grid(rows, [40 * mm, 100 * mm, WIDTH - 140 * mm], header=False)]
    travellers = [[para("Traveller", "bold"), para("", "bold"), para(f"Price ({currency})", "right_bold")]]
    child_index = 0
    for traveller in per_person["travellers"]:
        if traveller["type"] == "adult":
            who = "Adult" + (", lead traveller" if traveller["n"] == 1 else "")
            if customer_name(snapshot) and traveller["n"] == 1:
                who += f": {customer_name(snapshot)}"
        else:
            child = children[child_index] if child_index < len(children) else {}
            child_index += 1
            who = f"Child, age {traveller['age']}" + (f": {child['name']}" if child.get("name") else "")
        note = []
        if Decimal(traveller.get("single_supplement") or 0):
            note.append(f"includes the single supplement {money(traveller['single_supplement'], currency)}")
        adjustment = Decimal(per_person.get("rounding_adjustment") or 0)
        if traveller["n"] == 1 and adjustment:
            note.append(f"{money(abs(adjustment), currency)} {'more' if adjustment > 0 else 'less'} than the "
                        f"price per adult, so the prices add up to the total")
        travellers.append([para(f"{traveller['n']}. {who}"), para("; ".join(note), "small"),
                           para(money(traveller["price"], currency, code=False), "right")])
    travellers.append([para("Together", "bold"), para("", "small"),
                       para(money(snapshot["totals"]["total"], currency), "right_bold")])
    flow += [Spacer(1, 3 * mm), _grid(travellers, [70 * mm, 70 * mm, WIDTH - 140 * mm],
                                      extra=[("LINEABOVE", (0, -1), (-1, -1), 1, INK)])]
    return flow


def _rates(snapshot: dict) -> list:
    flow = [para("Exchange rates used", "h2")]
    if not snapshot["rates"]:
        flow.append(para(f"Every service is priced in {snapshot['currency']}: no conversion."))
        return flow
    flow.append(para(f"Services bought in other currencies were converted into {snapshot['currency']} at these "
                     f"rates, fixed in this quote (rates of {day_text(snapshot['as_of'], weekday=False)}):", "small"))
    rows = [[para("Rate", "bold"), para("In force from", "bold")]]
    for rate in snapshot["rates"]:
        rows.append([para(f"1 {rate['base']} = {number(rate['rate'])} {rate['quote']}"),
                     para(day_text(rate["valid_from"], weekday=False))])
    flow += [Spacer(1, 1.5 * mm), _grid(rows, [90 * mm, WIDTH - 90 * mm])]
    return flow


def _percent_of(total: Decimal, percent, currency: str) -> Decimal:
    exponent = Decimal(1).scaleb(-minor_unit(currency))
    return (total * Decimal(str(percent)) / 100).quantize(exponent, ROUND_HALF_UP)


def _terms(snapshot: dict) -> list:
    terms, currency = snapshot.get("terms") or {}, snapshot["currency"]
    total = Decimal(snapshot["totals"]["total"])
    start = _date(snapshot["itinerary"]["start_date"])
    valid_until = snapshot["quote"]["valid_until"]
    flow = [para("Validity", "h2"),
            para(None, markup=f"This quote is valid until <b>{day_text(valid_until)}</b>. Accept it by then to "
                              f"keep these prices; after that date it expires and the trip is quoted again.")]
    payment = terms.get("payment")
    if payment:
        deposit = _percent_of(total, payment["deposit_percent"], currency)
        balance_due = start - timedelta(days=payment["balance_due_days_before_departure"])
        rows = [[para("Deposit", "bold"),
                 para(f"{number(payment['deposit_percent'])} % of the total, within "
                      f"{plural(payment['deposit_due_days'], 'day')} of accepting this quote"),
                 para(money(deposit, currency), "right")],
                [para("Balance", "bold"),
                 para(f"the rest, {plural(payment['balance_due_days_before_departure'], 'day')} before departure "
                      f"(by {day_text(balance_due)})"),
                 para(money(total - deposit, currency), "right")]]
        flow += [para("Payment terms", "h2"), _grid(rows, [30 * mm, 110 * mm, WIDTH - 140 * mm], header=False)]
    tiers = sorted(terms.get("cancellation") or [], key=lambda t: -t["days_before"])
    if tiers:
        rows = [[para("If you cancel", "bold"), para("Cancellation charge", "bold"), para("Amount", "right_bold")]]
        for i, tier in enumerate(tiers):
            later = tiers[i + 1]["days_before"] if i + 1 < len(tiers) else None
            days = tier["days_before"]
            if later is None:
                when = "on the day of departure" if days == 0 else \
                    f"{plural(days, 'day')} or fewer before departure"
            else:
                when = f"{days} to {later + 1} days before departure" if days != later + 1 else \
                    f"{plural(days, 'day')} before departure"
            rows.append([para(when), para(f"{number(tier['penalty_percent'])} % of the total"),
                         para(money(_percent_of(total, tier["penalty_percent"], currency), currency), "right")])
        flow += [para("Cancellation terms", "h2"), _grid(rows, [70 * mm, 70 * mm, WIDTH - 140 * mm])]
    if terms.get("notes"):
        flow += [Spacer(1, 2 * mm), para(terms["notes"])]
    return flow


def _short(text: str, limit: int = 60) -> str:
    """For the one-line footer."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def consultant_name(quote: dict) -> str | None:
    """The person who issued the quote: their full name, else (older snapshots) their username;
    None when a service issued it."""
    if quote.get("issued_by_name"):
        return quote["issued_by_name"]
    issued_by = str(quote.get("issued_by") or "")
    return issued_by[len("user:"):] if issued_by.startswith("user:") else None


def customer_name(snapshot: dict) -> str | None:
    return (snapshot.get("itinerary") or {}).get("customer_name")


def quote_sheet(snapshot: dict, *, costs: bool = False) -> bytes:
    """The customer's quote sheet for one version, from its snapshot alone.

    costs=False (the customer's copy): each line at its price, and the price composition (services,
    discount, agency service fee, taxes, total) with how each fee is computed. costs=True (the
    agency's file copy) adds each line's net cost in its own currency, the rate, the markup, and
    the totals' cost and margin.
    """
    snapshot = to_plain(snapshot)
    quote, itinerary, currency = snapshot["quote"], snapshot["itinerary"], snapshot["currency"]
    title = itinerary.get("title") or "Your trip"
    total = snapshot["totals"]["total"]
    header = Table([[
        [para(None, markup=f'<font color="{MUTED.hexval()}" size="9">QUOTE</font>', style="body"),
         para(title, "title"),
         para(f"{day_text(itinerary['start_date'])} – {day_text(itinerary['end_date'])}, "
              f"{plural(itinerary['days'], 'day')}", "subtitle")],
        [para(f"{quote['number']}  ·  version {quote['version']}", "right_bold"),
         para(f"issued {day_text(quote['issued_at'], weekday=False)}", "right"),
         para(None, markup=f"valid until <b>{day_text(quote['valid_until'])}</b>", style="right"),
         Spacer(1, 2 * mm),
         para(money(total, currency), "big_right"),
         para("total price", "right")],
    ]], colWidths=[WIDTH - 62 * mm, 62 * mm])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                ("LINEBELOW", (0, 0), (-1, -1), 1.5, ACCENT), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    facts = []
    if customer_name(snapshot) or itinerary.get("customer_id"):
        facts.append(("Prepared for", para(customer_name(snapshot) or f"customer {itinerary['customer_id']}",
                                           "bold")))
    facts.append(("Travellers", para(_party_text(itinerary["party"]))))
    facts.append(("Prices in", para(f"{currency}, taxes and fees included in the total")))
    consultant = consultant_name(quote)
    if consultant:
        facts.append(("Your consultant", para(consultant)))
    story = [header, Spacer(1, 4 * mm)]
    if costs:
        banner = Table([[para("AGENCY COPY WITH NET COSTS AND MARGIN: NOT FOR THE CUSTOMER", "badge")]],
                       colWidths=[WIDTH])
        banner.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#b42318")),
                                    ("LEFTPADDING", (0, 0), (-1, -1), 6), ("TOPPADDING", (0, 0), (-1, -1), 3),
                                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
        story += [banner, Spacer(1, 3 * mm)]
    story.append(_facts(facts))
    if quote.get("note"):
        note = Table([[para(quote["note"])]], colWidths=[WIDTH])
        note.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), BAND), ("LEFTPADDING", (0, 0), (-1, -1), 6),
                                  ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                                  ("LINEBEFORE", (0, 0), (0, -1), 2, ACCENT)]))
        story += [Spacer(1, 3 * mm), note]
    story += [para("Itinerary and services", "h2"), _services_table(snapshot, costs)]
    story += [CondPageBreak(60 * mm), *_composition(snapshot, costs)]
    story += [KeepTogether(_per_person(snapshot))]
    story += [KeepTogether(_rates(snapshot))]
    story += _terms(snapshot)
    if costs:
        internal = []
        if snapshot.get("approval"):
            approval = snapshot["approval"]
            internal.append(para(f"Approved by {approval['approved_by']} on "
                                 f"{day_text(approval['approved_at'], weekday=False)}: "
                                 f"{'; '.join(approval.get('reasons') or [])}. {approval.get('note') or ''}"))
        for problem in snapshot.get("problems") or []:
            internal.append(para(f"Known at issue: {problem.get('message') or problem.get('code')}"))
        if internal:
            story += [para("For the agency only", "h2"), *internal]
    footer = rich(("AGENCY COPY  ·  " if costs else "")
                  + f"Quote {quote['number']}, version {quote['version']}, valid until "
                  f"{day_text(quote['valid_until'], weekday=False)}  ·  {_short(title, 40 if costs else 60)}")
    return _render(story, title=f"Quote {quote['number']} v{quote['version']}: {title}",
                   subject=f"Quote, total {money(total, currency)}", footer_markup=footer)


# --- the catalog brochure ----------------------------------------------------------------------------

def brochure_filename(on: date) -> str:
    return f"catalog-{on.isoformat()}.pdf"


def _product(product: dict) -> list:
    facts = [("Route" if product["kind"] == "route" else "Package"), plural(product["duration_days"], "day")]
    if product.get("destination"):
        facts.insert(0, product["destination"])
    facts.append(f"code {product['code']}")
    heading = [para(product["name"], "h2"), para(" · ".join(facts), "small")]
    if product.get("featured"):
        badge = Table([[para("FEATURED", "badge")]], colWidths=[20 * mm], hAlign="LEFT")
        badge.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), ACCENT), ("LEFTPADDING", (0, 0), (-1, -1), 3),
                                   ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
        heading.insert(0, badge)
    block = [*heading, Spacer(1, 1.5 * mm)]
    if product.get("summary"):
        block += [para(product["summary"]), Spacer(1, 1.5 * mm)]
    seasons = product.get("seasons") or []
    if seasons:
        rows = [[para("Season", "bold"), para("Travel dates", "bold"), para("Adult", "right_bold"),
                 para("Child", "right_bold")]]
        for season in sorted(seasons, key=lambda s: s["start"]):
            rows.append([para(season["name"]),
                         para(f"{day_text(season['start'], weekday=False)} – {day_text(season['end'], weekday=False)}"),
                         para(money(season["adult_price"], season["currency"]), "right"),
                         para(money(season["child_price"], season["currency"]), "right")])
        block.append(_grid(rows, [50 * mm, 62 * mm, 33 * mm, WIDTH - 145 * mm]))
    else:
        block.append(para("Prices on request.", "small"))
    flow = [CondPageBreak(70 * mm), KeepTogether(block)]
    template = sorted(product.get("template") or [], key=lambda d: d["day"])
    if template:
        rows = []
        for day in template:
            text = rich(day.get("title") or "")
            if day.get("description"):
                text += ("<br/>" if text else "") + rich(day["description"])
            services = [item.get("description") for item in day.get("items") or [] if item.get("description")]
            if services:
                text += f'<br/><font size="7.5" color="{MUTED.hexval()}">{rich(", ".join(services))}</font>'
            rows.append([para(f"Day {day['day']}", "bold"), para(None, markup=text or "&nbsp;")])
        flow += [Spacer(1, 2 * mm), para("Programme", "h3"), Spacer(1, 1 * mm),
                 _grid(rows, [18 * mm, WIDTH - 18 * mm], header=False)]
    included, excluded = product.get("included_services") or [], product.get("excluded_services") or []
    if included or excluded:
        def listing(title, entries):
            return [para(title, "h3")] + [para(None, markup="•&nbsp;" + rich(e)) for e in entries]
        table = Table([[listing("Included", included) if included else "",
                        listing("Not included", excluded) if excluded else ""]], colWidths=[WIDTH / 2, WIDTH / 2])
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        flow += [Spacer(1, 2 * mm), table]
    flow += [Spacer(1, 4 * mm), Table([[""]], colWidths=[WIDTH], style=[("LINEABOVE", (0, 0), (-1, 0), 0.75, RULE)])]
    return flow


def brochure(products: list[dict], *, as_of: date, title: str = "Our routes and packages") -> bytes:
    """The published catalog as a printable brochure, in the order given (featured first, by rank,
    then newest: catalog.search's order)."""
    products = to_plain(products)
    featured = sum(1 for p in products if p.get("featured"))
    story = [para(None, markup=f'<font color="{MUTED.hexval()}" size="9">CATALOG</font>'), para(title, "title"),
             para(f"{plural(len(products), 'product')}"
                  + (f", {featured} featured first" if featured else "")
                  + f"  ·  as of {day_text(as_of, weekday=False)}", "subtitle"),
             Table([[""]], colWidths=[WIDTH], style=[("LINEBELOW", (0, 0), (-1, 0), 1.5, ACCENT)]),
             Spacer(1, 2 * mm)]
    if not products:
        story.append(para("No product is published yet."))
    for product in products:
        story += _product(product)
    footer = rich(f"{_short(title)}  ·  catalog as of {day_text(as_of, weekday=False)}")
    return _render(story, title=title, subject="Catalog brochure", footer_markup=footer)
