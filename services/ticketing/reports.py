"""Sales reports for the ticketing desk: sales by day, week or month, top and slow sellers,
and the per-supplier booking list used to match supplier invoices. Plain functions over a session.

What counts, and when (event-dated, so a closed period never changes afterwards):

- A *sale* is a booking line, whatever its status today, counted on the UTC date of its
  `confirmed_at`. The replacement line a change creates is a sale on its own `confirmed_at`.
- A *cancellation* is a line whose status is `cancelled`, counted on the UTC date of its
  `cancelled_at` (units cancelled, sell and net value cancelled) -- not on its sale date, and
  it does not disappear from the sales it was part of.
- A *change* is a line whose status is `changed` (it was rebooked onto another product or
  date), counted on the UTC date of its `cancelled_at` in the `changed` columns; its
  replacement is a new sale on the same day. The old line is grouped under its own product.
- *Balance* = sold - cancelled - changed in the same bucket and group: what the bucket added
  to the book. A booking sold in March and cancelled in April is +1 in March, -1 in April; the
  balances of consecutive periods add up to the units and value still booked.
- A change's *fare difference* (kept on the line it made: new sell price - old, times the
  quantity) is summed in `fare_difference_total` with that line's sale: what changes brought in
  (+) or gave back (-).

Every amount is per currency, and amounts of different currencies are never added together:
each row and each total carries one currency. Money is Decimal, summed in Python line by line
(SQLite keeps it as text, so SQL SUM would go through floats): `sell_total` = sum of
sell_price x quantity, `net_total` = sum of net_price x quantity, `margin` = sell - net.
A period is from `start` to `end` inclusive (UTC dates), at most MAX_PERIOD_DAYS days.
Refunds are money matters of their own and are not part of these figures.
"""
import calendar
import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select

from services.common.errors import NotFound, ValidationFailed

from . import inventory, suppliers
from .models import Booking, BookingLine, DailyInventory, Product, Supplier
from .wire import MAX_REPORT_DAYS as MAX_PERIOD_DAYS
from .wire import REPORT_GRANULARITIES as GRANULARITIES
from .wire import REPORT_GROUP_BY as GROUP_BY

ZERO = Decimal("0.00")


# --- periods and buckets ---------------------------------------------------------------------

def check_period(start: date, end: date):
    if end < start:
        raise ValidationFailed("The period ends before it starts.", {"end": ["Must not be before start."]})
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationFailed(f"A report covers at most {MAX_PERIOD_DAYS} days.",
                               {"end": [f"At most {MAX_PERIOD_DAYS} days from start."]})


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00 UTC, the day after end 00:00 UTC): every instant whose UTC date is in the period."""
    return (datetime.combine(start, time.min, tzinfo=timezone.utc),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=timezone.utc))


def _utc_date(moment: datetime) -> date:
    return moment.astimezone(timezone.utc).date()


def bucket_of(day: date, granularity: str) -> tuple[str, date, date]:
    """(label, first day, last day) of the bucket holding `day`.

    day: "2027-03-01"; week: the ISO week, Monday to Sunday, "2027-W09" (ISO week-numbering
    year, so 2027-01-01 is in "2026-W53"); month: "2027-03".
    """
    if granularity == "day":
        return day.isoformat(), day, day
    if granularity == "week":
        year, week, weekday = day.isocalendar()
        monday = day - timedelta(days=weekday - 1)
        return f"{year}-W{week:02d}", monday, monday + timedelta(days=6)
    if granularity == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return f"{day.year}-{day.month:02d}", day.replace(day=1), day.replace(day=last)
    raise ValidationFailed("Unknown granularity.", {"granularity": [f"One of {', '.join(GRANULARITIES)}."]})


def buckets(start: date, end: date, granularity: str) -> list[dict]:
    """Every bucket of the period in order, its first and last day clipped to the period."""
    found: dict[str, dict] = {}
    day = start
    while day <= end:
        label, first, last = bucket_of(day, granularity)
        found.setdefault(label, {"bucket": label, "start": max(first, start), "end": min(last, end)})
        day = last + timedelta(days=1)
    return list(found.values())


# --- tallies ---------------------------------------------------------------------------------

@dataclass
class Figures:
    """Sold, cancelled and changed units and money of one currency."""

    currency: str
    units_sold: int = 0
    booking_ids: set = field(default_factory=set)
    sell_total: Decimal = ZERO
    net_total: Decimal = ZERO
    units_cancelled: int = 0
    cancelled_sell_total: Decimal = ZERO
    cancelled_net_total: Decimal = ZERO
    units_changed: int = 0
    changed_sell_total: Decimal = ZERO
    changed_net_total: Decimal = ZERO
    fare_difference_total: Decimal = ZERO

    def add(self, event: str, line) -> None:
        sell, net = line.sell_price * line.quantity, line.net_price * line.quantity
        if event == "sale":
            self.units_sold += line.quantity
            self.booking_ids.add(line.booking_id)
            self.sell_total += sell
            self.net_total += net
            if line.fare_difference is not None:
                self.fare_difference_total += line.fare_difference
        elif event == "cancelled":
            self.units_cancelled += line.quantity
            self.cancelled_sell_total += sell
            self.cancelled_net_total += net
        elif event == "changed":
            self.units_changed += line.quantity
            self.changed_sell_total += sell
            self.changed_net_total += net

    @property
    def balance_units(self) -> int:
        return self.units_sold - self.units_cancelled - self.units_changed

    def as_dict(self) -> dict:
        balance_sell = self.sell_total - self.cancelled_sell_total - self.changed_sell_total
        balance_net = self.net_total - self.cancelled_net_total - self.changed_net_total
        return {
            "currency": self.currency,
            "units_sold": self.units_sold, "bookings": len(self.booking_ids),
            "sell_total": self.sell_total, "net_total": self.net_total, "margin": self.sell_total - self.net_total,
            "units_cancelled": self.units_cancelled, "cancelled_sell_total": self.cancelled_sell_total,
            "cancelled_net_total": self.cancelled_net_total,
            "units_changed": self.units_changed, "changed_sell_total": self.changed_sell_total,
            "changed_net_total": self.changed_net_total,
            "balance_units": self.balance_units, "balance_sell_total": balance_sell,
            "balance_net_total": balance_net, "balance_margin": balance_sell - balance_net,
            "fare_difference_total": self.fare_difference_total,
        }


_LINE_COLUMNS = (
    BookingLine.id, BookingLine.booking_id, BookingLine.product_id, BookingLine.day, BookingLine.quantity,
    BookingLine.status, BookingLine.ticket_number, BookingLine.net_price, BookingLine.sell_price,
    BookingLine.currency, BookingLine.replaces_line_id, BookingLine.confirmed_at, BookingLine.cancelled_at,
    BookingLine.fare_difference,
    Product.name.label("product_name"), Product.supplier_code.label("product_code"),
    Product.kind.label("kind"), BookingLine.destination,
    Supplier.id.label("supplier_id"), Supplier.name.label("supplier_name"),
)


def _lines_in_period(session, start: date, end: date, supplier_id: str | None = None):
    """Booking lines confirmed, or cancelled or changed, in the period, with their product and supplier."""
    low, high = _bounds(start, end)
    query = (select(*_LINE_COLUMNS, Booking.locator)
             .join(Product, Product.id == BookingLine.product_id)
             .join(Supplier, Supplier.id == Product.supplier_id)
             .join(Booking, Booking.id == BookingLine.booking_id)
             .where(or_(and_(BookingLine.confirmed_at >= low, BookingLine.confirmed_at < high),
                        and_(BookingLine.cancelled_at >= low, BookingLine.cancelled_at < high))))
    if supplier_id is not None:
        query = query.where(Product.supplier_id == supplier_id)
    return session.execute(query.order_by(BookingLine.confirmed_at, BookingLine.id)).all()


def _events(line, start: date, end: date):
    """(event, UTC date) of what happened to the line inside the period: its sale, its end."""
    confirmed = _utc_date(line.confirmed_at)
    if start <= confirmed <= end:
        yield "sale", confirmed
    if line.cancelled_at is not None and line.status in ("cancelled", "changed"):
        ended = _utc_date(line.cancelled_at)
        if start <= ended <= end:
            yield line.status, ended


def _group(line, group_by: str) -> tuple[str, str]:
    """(key, label) of the line's group."""
    if group_by == "product":
        return line.product_id, line.product_name
    if group_by == "kind":
        return line.kind, line.kind
    if group_by == "supplier":
        return line.supplier_id, line.supplier_name
    if group_by == "destination":
        return line.destination, line.destination  # kept on the line: where that sale took the traveller
    raise ValidationFailed("Unknown grouping.", {"group_by": [f"One of {', '.join(GROUP_BY)}."]})


# --- the sales report ------------------------------------------------------------------------

def sales(session, *, start: date, end: date, granularity: str = "day", group_by: str = "product") -> dict:
    """Sales per bucket (day, ISO week or month), group and currency, with totals per currency.

    rows: one per (bucket, group, currency) with any activity, ordered by bucket, group label,
    group key, currency. totals: one per currency over the whole period; its `bookings` counts
    distinct bookings with a sale in the period (a booking with lines in several groups is
    one booking), so it is not the sum of the rows' `bookings`. See the module for the rules.
    """
    check_period(start, end)
    if granularity not in GRANULARITIES:
        raise ValidationFailed("Unknown granularity.", {"granularity": [f"One of {', '.join(GRANULARITIES)}."]})
    if group_by not in GROUP_BY:
        raise ValidationFailed("Unknown grouping.", {"group_by": [f"One of {', '.join(GROUP_BY)}."]})
    cells: dict[tuple, Figures] = {}
    labels: dict[tuple, tuple] = {}
    totals: dict[str, Figures] = {}
    for line in _lines_in_period(session, start, end):
        key, label = _group(line, group_by)
        for event, day in _events(line, start, end):
            bucket = bucket_of(day, granularity)[0]
            cell = (bucket, key, line.currency)
            if cell not in cells:
                cells[cell] = Figures(line.currency)
                labels[cell] = (bucket, label)
            cells[cell].add(event, line)
            totals.setdefault(line.currency, Figures(line.currency)).add(event, line)
    periods = buckets(start, end, granularity)
    by_label = {b["bucket"]: b for b in periods}
    rows = []
    for cell in sorted(cells, key=lambda c: (by_label[c[0]]["start"], labels[c][1], c[1], c[2])):
        bucket, key, _ = cell
        rows.append({"bucket": bucket, "bucket_start": by_label[bucket]["start"],
                     "bucket_end": by_label[bucket]["end"], "group_key": key, "group_label": labels[cell][1],
                     **cells[cell].as_dict()})
    return {"start": start, "end": end, "granularity": granularity, "group_by": group_by, "buckets": periods,
            "rows": rows, "totals": [totals[c].as_dict() for c in sorted(totals)]}


# --- top and slow sellers --------------------------------------------------------------------

def _allotments(session, start: date, end: date, product_ids=None) -> dict[str, dict]:
    """Per product, over travel dates in the period: capacity, units booked (confirmed lines)
    and available allotment = sum over dates not on stop-sell of max(0, capacity - booked).

    Units are integers, so summing them in SQL is exact.
    """
    booked = (select(BookingLine.product_id.label("product_id"), BookingLine.day.label("day"),
                     func.sum(BookingLine.quantity).label("units"))
              .where(BookingLine.status == "confirmed", BookingLine.day >= start, BookingLine.day <= end)
              .group_by(BookingLine.product_id, BookingLine.day).subquery())
    units = func.coalesce(booked.c.units, 0)
    free = case((DailyInventory.stop_sell.is_(True), 0),
                (DailyInventory.capacity > units, DailyInventory.capacity - units), else_=0)
    query = (select(DailyInventory.product_id, func.sum(DailyInventory.capacity), func.sum(units), func.sum(free))
             .outerjoin(booked, and_(booked.c.product_id == DailyInventory.product_id,
                                     booked.c.day == DailyInventory.day))
             .where(DailyInventory.day >= start, DailyInventory.day <= end)
             .group_by(DailyInventory.product_id))
    if product_ids is not None:
        query = query.where(DailyInventory.product_id.in_(list(product_ids)))
    return {pid: {"allotment": int(capacity or 0), "allotment_booked": int(taken or 0),
                  "available_allotment": int(available or 0)}
            for pid, capacity, taken, available in session.execute(query)}


NO_ALLOTMENT = {"allotment": 0, "allotment_booked": 0, "available_allotment": 0}


def _product_figures(session, start: date, end: date) -> dict[tuple[str, str], Figures]:
    """Figures per (product, currency) over the whole period."""
    figures: dict[tuple[str, str], Figures] = {}
    for line in _lines_in_period(session, start, end):
        for event, _ in _events(line, start, end):
            figures.setdefault((line.product_id, line.currency), Figures(line.currency)).add(event, line)
    return figures


def _seller(rank: int, product: Product, supplier: Supplier, figures: Figures, allotment: dict) -> dict:
    numbers = figures.as_dict()
    return {"rank": rank, "product_id": product.id, "product_code": product.supplier_code,
            "product_name": product.name, "kind": product.kind, "destination": product.destination,
            "supplier_id": supplier.id, "supplier_name": supplier.name, "currency": figures.currency,
            **{k: numbers[k] for k in ("units_sold", "units_cancelled", "units_changed", "balance_units",
                                       "bookings", "sell_total", "net_total", "margin", "balance_sell_total")},
            **allotment}


def _products(session, ids) -> dict[str, tuple[Product, Supplier]]:
    if not ids:
        return {}
    rows = session.execute(select(Product, Supplier).join(Supplier, Supplier.id == Product.supplier_id)
                           .where(Product.id.in_(list(ids))))
    return {product.id: (product, supplier) for product, supplier in rows}


def top_sellers(session, *, start: date, end: date, limit: int = 10) -> dict:
    """The products that sold most in the period, by balance units (sold - cancelled - changed,
    see the module), then by units sold, then by name. Only products with a sale in the period.
    Money is the product's own currency. Each entry also gives its allotment on travel dates in
    the period (see `_allotments`)."""
    check_period(start, end)
    figures = {k: f for k, f in _product_figures(session, start, end).items() if f.units_sold > 0}
    products = _products(session, {pid for pid, _ in figures})
    ranked = sorted(figures, key=lambda k: (-figures[k].balance_units, -figures[k].units_sold,
                                            products[k[0]][0].name, k))[:limit]
    allotments = _allotments(session, start, end, {pid for pid, _ in ranked})
    return {"start": start, "end": end, "limit": limit, "products": [
        _seller(rank, *products[pid], figures[(pid, currency)], allotments.get(pid, NO_ALLOTMENT))
        for rank, (pid, currency) in enumerate(ranked, start=1)]}


def slow_sellers(session, *, start: date, end: date, limit: int = 10) -> dict:
    """The products that sold least in the period, among those with allotment on travel dates in
    the period or any sales activity in it: by balance units ascending, then by available
    allotment descending (lots of unsold allotment and few sales come first), then by name.
    A product with allotment and no sale at all shows with zeros."""
    check_period(start, end)
    figures = _product_figures(session, start, end)
    allotments = _allotments(session, start, end)
    products = _products(session, set(allotments) | {pid for pid, _ in figures})
    candidates = dict(figures)
    with_figures = {pid for pid, _ in figures}
    for pid in allotments:
        if pid not in with_figures:
            candidates[(pid, products[pid][0].currency)] = Figures(products[pid][0].currency)
    ranked = sorted(candidates, key=lambda k: (
        candidates[k].balance_units, -allotments.get(k[0], NO_ALLOTMENT)["available_allotment"],
        products[k[0]][0].name, k))[:limit]
    return {"start": start, "end": end, "limit": limit, "products": [
        _seller(rank, *products[pid], candidates[(pid, currency)], allotments.get(pid, NO_ALLOTMENT))
        for rank, (pid, currency) in enumerate(ranked, start=1)]}


# --- the supplier's booking list -------------------------------------------------------------

def supplier_bookings(session, supplier_id: str, *, start: date, end: date) -> dict:
    """The supplier's booking lines for matching its invoices: every line of its products
    confirmed in the period, and every line cancelled or changed in the period (even if it was
    confirmed earlier), each once, with its status today, ordered by confirmed_at.

    net_total = net_price x quantity (what the supplier bills for the line). totals: per
    currency and status, the lines, units and net total -- never across currencies.
    """
    check_period(start, end)
    supplier = suppliers.get(session, supplier_id)
    found = _lines_in_period(session, start, end, supplier_id=supplier.id)
    replaced_ids = {line.replaces_line_id for line in found if line.replaces_line_id}
    replaced = {line_id: number for line_id, number in session.execute(
        select(BookingLine.id, BookingLine.ticket_number).where(BookingLine.id.in_(replaced_ids)))}
    lines, totals = [], {}
    for line in found:
        net_total = line.net_price * line.quantity
        lines.append({
            "locator": line.locator, "ticket_number": line.ticket_number, "product_id": line.product_id,
            "product_code": line.product_code, "product_name": line.product_name, "travel_date": line.day,
            "quantity": line.quantity, "net_price": line.net_price, "net_total": net_total,
            "currency": line.currency, "status": line.status, "confirmed_at": line.confirmed_at,
            "cancelled_at": line.cancelled_at, "replaces_ticket_number": replaced.get(line.replaces_line_id)})
        total = totals.setdefault((line.currency, line.status), {
            "currency": line.currency, "status": line.status, "lines": 0, "units": 0, "net_total": ZERO})
        total["lines"] += 1
        total["units"] += line.quantity
        total["net_total"] += net_total
    return {"supplier_id": supplier.id, "supplier_name": supplier.name, "start": start, "end": end,
            "lines": lines, "totals": [totals[k] for k in sorted(totals)]}


# --- the manifest of a travel date ----------------------------------------------------------

def manifest(session, *, travel_date: date, supplier_id: str | None = None, product_id: str | None = None) -> dict:
    """What the clerk sends the airline or hotel for a departure: the confirmed lines of the
    supplier's products (or of one product) travelling on `travel_date`, with locator, voucher
    (ticket) number, quantity and travellers, ordered by product code, locator and voucher; and
    per product the bookings and units. Lines a change replaced, or cancelled, are not on it.
    One date of one supplier: bounded by the allotments of that date."""
    if product_id is not None:
        product = inventory.get_product(session, product_id)
        if supplier_id is not None and product.supplier_id != supplier_id:
            raise NotFound(f"Supplier {supplier_id} has no product {product_id}.", {"product_id": product_id})
        supplier_id = product.supplier_id
    supplier = suppliers.get(session, supplier_id)
    query = (select(BookingLine, Product, Booking.locator, Booking.reference)
             .join(Product, Product.id == BookingLine.product_id)
             .join(Booking, Booking.id == BookingLine.booking_id)
             .where(BookingLine.day == travel_date, BookingLine.status == "confirmed",
                    Product.supplier_id == supplier.id))
    if product_id is not None:
        query = query.where(BookingLine.product_id == product_id)
    lines, totals = [], {}
    for line, product, locator, reference in session.execute(
            query.order_by(Product.supplier_code, Booking.locator, BookingLine.ticket_number)):
        lines.append({"locator": locator, "ticket_number": line.ticket_number, "reference": reference,
                      "product_id": product.id, "product_code": product.supplier_code,
                      "product_name": product.name, "quantity": line.quantity,
                      "travellers": [{"name": t.get("name"), "document": t.get("document")}
                                     for t in line.travellers or ()]})
        total = totals.setdefault(product.id, {"product_id": product.id, "product_code": product.supplier_code,
                                               "product_name": product.name, "bookings": set(), "units": 0})
        total["bookings"].add(locator)
        total["units"] += line.quantity
    return {"travel_date": travel_date, "supplier_id": supplier.id, "supplier_name": supplier.name,
            "product_id": product_id, "lines": lines,
            "totals": [t | {"bookings": len(t["bookings"])} for t in totals.values()]}


# --- CSV -------------------------------------------------------------------------------------

SALES_COLUMNS = (
    "bucket", "bucket_start", "bucket_end", "group_key", "group_label", "currency", "units_sold", "bookings",
    "sell_total", "net_total", "margin", "units_cancelled", "cancelled_sell_total", "cancelled_net_total",
    "units_changed", "changed_sell_total", "changed_net_total", "balance_units", "balance_sell_total",
    "balance_net_total", "balance_margin", "fare_difference_total",
)
SUPPLIER_BOOKING_COLUMNS = (
    "locator", "ticket_number", "product_code", "product_name", "travel_date", "quantity", "net_price",
    "net_total", "currency", "status", "confirmed_at", "cancelled_at", "replaces_ticket_number",
)
MANIFEST_COLUMNS = (
    "travel_date", "product_code", "product_name", "locator", "ticket_number", "reference", "quantity",
    "travellers", "documents",
)
_TEXT_COLUMNS = {"group_key", "group_label", "product_code", "product_name", "reference", "travellers",
                 "documents"}


def _cell(column: str, value) -> str:
    """Decimals as plain digits (1250.50, never 1.2505E+3), dates and times in ISO 8601, nothing
    for None. Text that a spreadsheet would run as a formula (=, +, -, @ first) gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = str(value)
    if column in _TEXT_COLUMNS and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _csv(columns, records, bom: bool) -> str:
    out = io.StringIO()
    if bom:
        out.write("\ufeff")  # lets Excel read UTF-8 (Chinese names) without an import wizard
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_cell(c, record.get(c)) for c in columns])
    return out.getvalue()


def csv_file(filename: str, content: str) -> dict:
    """A CSV download as RPC answers it, for the gateway's attachment helper."""
    return {"filename": filename, "content_type": "text/csv; charset=utf-8", "content": content}


def sales_csv(report: dict, bom: bool = False) -> str:
    """The rows of a `sales` report as CSV text (RFC 4180, CRLF), a header row first. Totals are
    not written as rows, so every line is one (bucket, group, currency)."""
    return _csv(SALES_COLUMNS, report["rows"], bom)


def supplier_bookings_csv(report: dict, bom: bool = False) -> str:
    """The lines of a `supplier_bookings` report as CSV text, a header row first."""
    return _csv(SUPPLIER_BOOKING_COLUMNS, report["lines"], bom)


def manifest_csv(report: dict, bom: bool = False) -> str:
    """The manifest as CSV text, one row per booking line: its travellers' names, and their
    document numbers, joined with '; ' in the same order."""
    return _csv(MANIFEST_COLUMNS, ({
        **line, "travel_date": report["travel_date"],
        "travellers": "; ".join(t["name"] or "" for t in line["travellers"]),
        "documents": "; ".join(t["document"] or "" for t in line["travellers"])} for line in report["lines"]), bom)


def manifest_filename(report: dict) -> str:
    return f"manifest_{report['travel_date']}_{(report['product_id'] or report['supplier_id'])[:8]}.csv"


def sales_filename(report: dict) -> str:
    return f"sales_{report['start']}_{report['end']}_{report['granularity']}_{report['group_by']}.csv"


def supplier_bookings_filename(report: dict) -> str:
    return f"supplier_bookings_{report['supplier_id'][:8]}_{report['start']}_{report['end']}.csv"
