"""What a period reads: booking lines sold, cancelled or changed in it, and their figures per
currency (the rules are in the package's docstring)."""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, or_, select

from ..models import Booking, BookingLine, Product, Supplier
from .periods import day_bounds, utc_date

ZERO = Decimal("0.00")


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


LINE_COLUMNS = (
    BookingLine.id, BookingLine.booking_id, BookingLine.product_id, BookingLine.day, BookingLine.quantity,
    BookingLine.status, BookingLine.ticket_number, BookingLine.net_price, BookingLine.sell_price,
    BookingLine.currency, BookingLine.replaces_line_id, BookingLine.confirmed_at, BookingLine.cancelled_at,
    BookingLine.fare_difference,
    Product.name.label("product_name"), Product.supplier_code.label("product_code"),
    Product.kind.label("kind"), BookingLine.destination,
    Supplier.id.label("supplier_id"), Supplier.name.label("supplier_name"),
)


def lines_in_period(session, start: date, end: date, supplier_id: str | None = None):
    """Booking lines confirmed, or cancelled or changed, in the period, with their product and supplier."""
    low, high = day_bounds(start, end)
    query = (select(*LINE_COLUMNS, Booking.locator)
             .join(Product, Product.id == BookingLine.product_id)
             .join(Supplier, Supplier.id == Product.supplier_id)
             .join(Booking, Booking.id == BookingLine.booking_id)
             .where(or_(and_(BookingLine.confirmed_at >= low, BookingLine.confirmed_at < high),
                        and_(BookingLine.cancelled_at >= low, BookingLine.cancelled_at < high))))
    if supplier_id is not None:
        query = query.where(Product.supplier_id == supplier_id)
    return session.execute(query.order_by(BookingLine.confirmed_at, BookingLine.id)).all()


def events_of(line, start: date, end: date):
    """(event, UTC date) of what happened to the line inside the period: its sale, its end."""
    confirmed = utc_date(line.confirmed_at)
    if start <= confirmed <= end:
        yield "sale", confirmed
    if line.cancelled_at is not None and line.status in ("cancelled", "changed"):
        ended = utc_date(line.cancelled_at)
        if start <= ended <= end:
            yield line.status, ended
