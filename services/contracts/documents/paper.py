"""What the order file's four documents share: the language they are printed in, the agency's
letterhead, labelled facts, amounts, masked travel documents and the numbered pages."""
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from services.common.documents.layout import ACCENT, MUTED, WIDTH, fact_table, para, render, short
from services.common.documents.locales import Formats
from services.common.documents.typesetting import rich
from services.common.serialization import to_plain
from services.common.text import mask_number

from .wording import Words


class Paper:
    """One document's language: its words (`w`) and its formats (`f`), and the currency it counts in."""

    def __init__(self, language, currency: str | None = None):
        self.f = Formats(language)
        self.w = Words(self.f.language)
        self.language = self.f.language
        self.currency = currency

    def money(self, amount, currency: str | None = None) -> str:
        return self.f.money(amount, currency or self.currency)

    def render(self, story: list, *, title: str, subject: str, footer: str) -> bytes:
        """Numbered pages whose footer and page words are in the document's language. reportlab's
        invariant mode (layout.render) makes the bytes depend on the input alone: a remote signature
        records the SHA-256 of exactly what was shown."""
        return render(story, title=title, subject=subject, footer_markup=rich(footer),
                      page_label=self.f.page_label)


def plain(data: dict) -> dict:
    """The document's input as plain values: Decimals and dates may arrive as such or as text."""
    return to_plain(data or {})


def masked(number) -> str:
    """A travel document's number as CRM shows it (****4567); one that arrives masked stays as it is."""
    text = str(number or "")
    return text if text.startswith("****") else mask_number(text)


def total_of(values) -> Decimal:
    return sum((Decimal(str(v)) for v in values if v not in (None, "")), Decimal(0))


def letterhead(paper: Paper, agency: dict, heading: str, lines: list[str], *, figure: str | None = None,
               figure_label: str | None = None) -> list:
    """The agency's name and contacts on the left; the document's name, numbers and (optionally) its
    main amount on the right; a rule under both."""
    agency = agency or {}
    w = paper.w
    contacts = [agency.get("address"),
                " · ".join(x for x in (agency.get("phone"), agency.get("email")) if x),
                " · ".join(f"{w(key)} {agency[key]}" for key in ("tax_id", "licence") if agency.get(key))]
    left = [para(agency.get("name") or "", "title")] + [para(line, "small") for line in contacts if line]
    right = [para(None, markup=f'<font color="{MUTED.hexval()}">{rich(heading)}</font>', style="right_bold")]
    right += [para(line, "right") for line in lines]
    if figure is not None:
        right += [Spacer(1, 2 * mm), para(figure, "big_right"), para(figure_label or "", "right")]
    table = Table([[left, right]], colWidths=[WIDTH - 70 * mm, 70 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                               ("LINEBELOW", (0, 0), (-1, -1), 1.5, ACCENT)]))
    return [table, Spacer(1, 4 * mm)]


def facts(rows: list[tuple[str, object]]) -> Table:
    """Label and value rows; a value of None or '' is left out."""
    return fact_table([(label, value if hasattr(value, "wrap") else para(value))
                       for label, value in rows if value not in (None, "")], widths=(45 * mm, WIDTH - 45 * mm))


def contact_lines(person: dict) -> str:
    return "\n".join(str(x) for x in ((person or {}).get("phone"), (person or {}).get("email")) if x)


def footer_text(agency: dict, *parts: str) -> str:
    return "  ·  ".join(short(str(p), 50) for p in ((agency or {}).get("name"), *parts) if p)
