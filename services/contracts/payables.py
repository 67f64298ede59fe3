"""What the agency owes its suppliers: the supplier costs of each order file, its margin, a
supplier's payables for a period, and the supplier's invoices matched against them.

Supplier costs come from ticketing's booking events. A booking belongs to an order file when its
`reference` is the order number (the trip process places its holds with reference = order number);
a booking naming no order file is none of contracts' business. One row per booking line:
`booking_confirmed` books its lines, `booking_changed` marks the old line changed and books its
replacement (a line of its own), `booking_cancelled` marks its lines cancelled. Only a confirmed
line is a cost, at net price x quantity, in its own currency: nothing is ever converted.

Each booking event has its own queue, so they can arrive in any order (a cancellation before the
confirmation it undoes): a changed or cancelled line is so for good, and a later-arriving
confirmation never revives it. The inbox already skips an event taken in before.
"""
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.common.errors import Conflict, NotFound

from . import order_files
from .models import OrderFile, SupplierCost, SupplierInvoice

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

# Where each booking event carries its lines, and the status it gives them.
BOOKING_EVENTS = {
    "ticketing.booking_confirmed": (("lines", "confirmed"),),
    "ticketing.booking_changed": (("old_line", "changed"), ("new_line", "confirmed")),
    "ticketing.booking_cancelled": (("cancelled_lines", "cancelled"),),
}
FINAL = ("changed", "cancelled")


# --- the arithmetic (no database) ------------------------------------------------------------

def line_cost(net_price, quantity: int) -> Decimal:
    """What one line costs the agency: net price x quantity, to the cent."""
    return (Decimal(net_price) * quantity).quantize(CENT, rounding=ROUND_HALF_UP)


def totals(lines) -> list[dict]:
    """Per currency, the cost of the confirmed lines among `lines` (dicts with currency, net_price,
    quantity, status), currencies in alphabetical order."""
    found: dict[str, dict] = {}
    for line in lines:
        if line["status"] != "confirmed":
            continue
        total = found.setdefault(line["currency"], {"currency": line["currency"], "amount": ZERO, "lines": 0})
        total["amount"] += line_cost(line["net_price"], line["quantity"])
        total["lines"] += 1
    return [found[c] for c in sorted(found)]


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole x 100 to two decimals; None when there is nothing to divide by."""
    if not whole:
        return None
    return (part * 100 / whole).quantize(CENT, rounding=ROUND_HALF_UP)


def margin(revenue: Decimal, currency: str, lines) -> dict:
    """Revenue less the confirmed lines' costs in the contract's `currency`. Costs in any other
    currency are listed apart, never converted into this one: a margin that silently mixed them
    would be wrong by the exchange rate."""
    by_currency = totals(lines)
    own = next((t for t in by_currency if t["currency"] == currency), None)
    costs = own["amount"] if own else ZERO
    revenue = Decimal(revenue).quantize(CENT)
    return {"currency": currency, "revenue": revenue, "costs": costs, "margin": revenue - costs,
            "margin_percent": percent(revenue - costs, revenue),
            "other_currency_costs": [t for t in by_currency if t["currency"] != currency]}


def revenue(order: OrderFile) -> Decimal:
    """What the contract brings in: the total in force, the cancellation fee once cancelled."""
    if order.status == "cancelled":
        return Decimal((order.cancellation or {}).get("fee", ZERO))
    return order_files.total(order)


# --- taking in ticketing's booking events ----------------------------------------------------

def event_lines(event_type: str, payload: dict):
    """(line, status it gets) for each line a booking event carries; a key holds one line or a list."""
    for key, status in BOOKING_EVENTS.get(event_type, ()):
        value = payload.get(key)
        for line in (value if isinstance(value, list) else [value]):
            if isinstance(line, dict):
                yield line, status


def order_number_of(payload: dict) -> str | None:
    reference = payload.get("reference")
    return reference.strip().upper() if isinstance(reference, str) and reference.strip() else None


def order_file_id(session, order_number: str) -> str | None:
    return session.scalar(select(OrderFile.id).where(OrderFile.order_number == order_number))


def product_ids(event_type: str, payload: dict) -> set[str]:
    return {line["product_id"] for line, _ in event_lines(event_type, payload)}


def known_suppliers(session, products: set[str]) -> dict[str, str]:
    """product id -> supplier id, for the products already seen on a line (no need to ask ticketing)."""
    if not products:
        return {}
    return dict(session.execute(select(SupplierCost.product_id, SupplierCost.supplier_id)
                                .where(SupplierCost.product_id.in_(sorted(products))).distinct()).all())


def record(session, order: OrderFile, event_type: str, payload: dict, suppliers: dict[str, str], *,
           now: datetime) -> list[SupplierCost]:
    """Keep what a booking event says of the order file's lines. `suppliers`: each line's product ->
    its supplier, as ticketing has it."""
    booking_id = str(payload.get("booking_id") or payload.get("id"))
    kept = []
    for line, status in event_lines(event_type, payload):
        row = session.scalar(select(SupplierCost).where(SupplierCost.booking_id == booking_id,
                                                        SupplierCost.line_id == line["id"]))
        if row is None:
            row = SupplierCost(
                order_file_id=order.id, booking_id=booking_id, locator=payload["locator"], line_id=line["id"],
                product_id=line["product_id"], supplier_id=suppliers[line["product_id"]],
                day=date.fromisoformat(line["day"]), quantity=line["quantity"],
                net_price=Decimal(line["net_price"]), sell_price=Decimal(line["sell_price"]),
                currency=line["currency"], status=status, replaces_line_id=line.get("replaces_line_id"),
                updated_at=now)
            session.add(row)
        elif row.status not in FINAL:  # changed and cancelled are for good, whatever arrives after
            row.status, row.updated_at = status, now
        kept.append(row)
    session.flush()
    return kept


# --- reading ---------------------------------------------------------------------------------

def cost_dict(row: SupplierCost, order_number: str) -> dict:
    return {"order_file_id": row.order_file_id, "order_number": order_number, "booking_id": row.booking_id,
            "locator": row.locator, "line_id": row.line_id, "replaces_line_id": row.replaces_line_id,
            "product_id": row.product_id, "supplier_id": row.supplier_id, "day": row.day, "quantity": row.quantity,
            "net_price": row.net_price, "sell_price": row.sell_price, "currency": row.currency,
            "status": row.status, "cost": line_cost(row.net_price, row.quantity)}


def order_margin(session, order: OrderFile) -> dict:
    rows = session.scalars(select(SupplierCost).where(SupplierCost.order_file_id == order.id)
                           .order_by(SupplierCost.day, SupplierCost.booking_id, SupplierCost.line_id))
    lines = [cost_dict(r, order.order_number) for r in rows]
    return {"order_file_id": order.id, "order_number": order.order_number, "status": order.status,
            **margin(revenue(order), order.currency, lines), "lines": lines}


def _confirmed_lines(session, supplier_id: str, start: date, end: date, currency: str | None = None):
    statement = (select(SupplierCost, OrderFile.order_number).join(OrderFile)
                 .where(SupplierCost.supplier_id == supplier_id, SupplierCost.status == "confirmed",
                        SupplierCost.day >= start, SupplierCost.day <= end)
                 .order_by(SupplierCost.day, SupplierCost.locator, SupplierCost.line_id))
    if currency:
        statement = statement.where(SupplierCost.currency == currency)
    return [cost_dict(row, number) for row, number in session.execute(statement)]


def payables(session, supplier: dict, start: date, end: date) -> dict:
    """What the agency owes `supplier` (as ticketing has it) for the lines travelling from start to
    end, per currency; and the supplier's invoices for an overlapping period."""
    lines = _confirmed_lines(session, supplier["id"], start, end)
    invoices = session.scalars(select(SupplierInvoice).where(
        SupplierInvoice.supplier_id == supplier["id"], SupplierInvoice.start <= end, SupplierInvoice.end >= start)
        .order_by(SupplierInvoice.start, SupplierInvoice.id))
    return {"supplier_id": supplier["id"], "supplier_name": supplier.get("name"), "start": start, "end": end,
            "totals": totals(lines), "lines": lines, "invoices": [invoice_dict(session, i) for i in invoices]}


# --- supplier invoices -----------------------------------------------------------------------

def expected(session, invoice: SupplierInvoice) -> Decimal:
    """What the bookings say the invoice should be: the supplier's confirmed lines of its period in its currency."""
    lines = _confirmed_lines(session, invoice.supplier_id, invoice.start, invoice.end, invoice.currency)
    return sum((line["cost"] for line in lines), ZERO)


def invoice_dict(session, invoice: SupplierInvoice, already_recorded: bool = False) -> dict:
    owed = expected(session, invoice)
    return {**{k: getattr(invoice, k) for k in (
        "id", "supplier_id", "number", "start", "end", "amount", "currency", "status", "paid_on", "payment_reference",
        "paid_at", "paid_by", "recorded_at", "recorded_by")},
        "expected": owed, "difference": invoice.amount - owed, "matches": invoice.amount == owed,
        "already_recorded": already_recorded}


def _find(session, supplier_id: str, number: str) -> SupplierInvoice | None:
    return session.scalar(select(SupplierInvoice).where(SupplierInvoice.supplier_id == supplier_id,
                                                        SupplierInvoice.number == number))


def _same(invoice: SupplierInvoice, fields: dict) -> SupplierInvoice:
    """A repeat of a recorded invoice is that record; the same number saying something else is a conflict."""
    said = {"start": fields["start"], "end": fields["end"], "amount": fields["amount"], "currency": fields["currency"]}
    recorded = {k: getattr(invoice, k) for k in said}
    if said != recorded:
        raise Conflict(f"Invoice {invoice.number} of this supplier is already recorded with other details.",
                       {"id": invoice.id, **{k: str(v) for k, v in recorded.items()}})
    return invoice


def record_invoice(session, supplier_id: str, fields: dict, *, actor: str,
                   now: datetime) -> tuple[SupplierInvoice, bool]:
    """The supplier's invoice, recorded once per (supplier, number); returns (invoice, new)."""
    number = fields["number"].strip()
    found = _find(session, supplier_id, number)
    if found is not None:
        return _same(found, fields), False
    invoice = SupplierInvoice(supplier_id=supplier_id, number=number, start=fields["start"], end=fields["end"],
                              amount=fields["amount"], currency=fields["currency"], status="recorded",
                              recorded_at=now, recorded_by=actor)
    try:
        with session.begin_nested():  # the same invoice recorded at once by another request (PostgreSQL) wins
            session.add(invoice)
    except IntegrityError:
        return _same(_find(session, supplier_id, number), fields), False
    return invoice, True


def get_invoice(session, invoice_id: int, *, lock: bool = False) -> SupplierInvoice:
    statement = select(SupplierInvoice).where(SupplierInvoice.id == invoice_id)
    invoice = session.scalar(statement.with_for_update() if lock else statement)
    if invoice is None:
        raise NotFound(f"No supplier invoice {invoice_id}.")
    return invoice


def pay(invoice: SupplierInvoice, fields: dict, *, actor: str, now: datetime) -> SupplierInvoice:
    """Mark the invoice paid, once. `invoice` must have been read with lock=True."""
    if invoice.status == "paid":
        raise Conflict(f"Supplier invoice {invoice.number} was paid on {invoice.paid_on.isoformat()}.",
                       {"status": invoice.status, "paid_on": invoice.paid_on.isoformat(),
                        "payment_reference": invoice.payment_reference})
    invoice.status, invoice.paid_on, invoice.payment_reference = "paid", fields["paid_on"], fields["reference"]
    invoice.paid_at, invoice.paid_by = now, actor
    return invoice
