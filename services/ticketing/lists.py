"""What the desk looks for: suppliers, products, holds and bookings, a page at a time.

Every list is a page (services.common.paging): at most MAX_PAGE_SIZE rows are read and the total
is one COUNT. Bookings: the locator, customer, travel date, product and supplier are index
lookups; a part of a name or phone is a substring scan of booking_travellers (one narrow row per
traveller), so combine it with a date or supplier on a large book.
"""
import re

from sqlalchemy import func, select

from services.common.paging import contains, like_escape, page_of
from services.common.text import fold

from .locators import normalize_locator
from .models import Booking, BookingLine, BookingTraveller, Hold, HoldLine, Product, Supplier

_NOT_DIGIT = re.compile(r"\D")


def phone_digits(phone: str | None) -> str | None:
    """'+34 600-11 22 33' -> '34600112233': a phone is found by its digits, however it was typed."""
    digits = _NOT_DIGIT.sub("", phone or "")
    return digits or None


def _icontains(column, text: str):
    return func.lower(column).like(f"%{like_escape(text.lower())}%", escape="\\")


def suppliers(session, *, page: int, page_size: int, name: str | None = None, kind: str | None = None):
    query = select(Supplier)
    if name:
        query = query.where(_icontains(Supplier.name, name))
    if kind:
        query = query.where(Supplier.kind == kind)
    return page_of(session, query.order_by(Supplier.name, Supplier.id), page, page_size)


def products(session, *, page: int, page_size: int, supplier_id: str | None = None, kind: str | None = None,
             location: str | None = None, q: str | None = None):
    """`q` is part of the name or the supplier's code; `location` part of the city or route."""
    query = select(Product)
    if supplier_id:
        query = query.where(Product.supplier_id == supplier_id)
    if kind:
        query = query.where(Product.kind == kind)
    if location:
        query = query.where(_icontains(Product.location, location))
    if q:
        query = query.where(_icontains(Product.name, q) | _icontains(Product.supplier_code, q))
    return page_of(session, query.order_by(Product.name, Product.id), page, page_size)


def holds(session, *, page: int, page_size: int, status: str | None = None, product_id: str | None = None,
          travel_date=None, reference: str | None = None):
    """Newest first; a hold matches a product or travel date when one of its lines does."""
    query = select(Hold)
    if status:
        query = query.where(Hold.status == status)
    if reference:
        query = query.where(Hold.reference == reference)
    if product_id or travel_date:
        lines = select(HoldLine.hold_id)
        if product_id:
            lines = lines.where(HoldLine.product_id == product_id)
        if travel_date:
            lines = lines.where(HoldLine.day == travel_date)
        query = query.where(Hold.id.in_(lines))
    return page_of(session, query.order_by(Hold.created_at.desc(), Hold.id), page, page_size)


def bookings(session, *, page: int, page_size: int, locator: str | None = None, name: str | None = None,
             phone: str | None = None, customer_id: str | None = None, product_id: str | None = None,
             supplier_id: str | None = None, travel_date=None, status: str | None = None):
    """Newest first. The locator in any case; `name` part of a traveller's name (accents and case
    aside); `phone` part of a traveller's phone digits. Product, supplier and travel date match the
    lines that stand (confirmed or cancelled), not those a change replaced."""
    query = select(Booking)
    if locator:
        query = query.where(Booking.locator == normalize_locator(locator))
    if status:
        query = query.where(Booking.status == status)
    travellers = []
    if name:
        travellers.append(contains(BookingTraveller.name_search, fold(name)))
    if phone:
        travellers.append(contains(BookingTraveller.phone_digits, phone_digits(phone) or ""))
    if customer_id:
        travellers.append(BookingTraveller.customer_id == customer_id)
    if travellers:
        query = query.where(Booking.id.in_(select(BookingTraveller.booking_id).where(*travellers)))
    if product_id or supplier_id or travel_date:
        lines = select(BookingLine.booking_id).where(BookingLine.status != "changed")
        if travel_date:
            lines = lines.where(BookingLine.day == travel_date)
        if product_id:
            lines = lines.where(BookingLine.product_id == product_id)
        if supplier_id:
            products_of = select(Product.id).where(Product.supplier_id == supplier_id)
            lines = lines.where(BookingLine.product_id.in_(products_of))
        query = query.where(Booking.id.in_(lines))
    return page_of(session, query.order_by(Booking.created_at.desc(), Booking.id), page, page_size)


def travellers_of(booking: Booking) -> list[BookingTraveller]:
    """The search rows of a new booking's travellers, each person once."""
    rows, seen = [], set()
    for line in booking.lines:
        for traveller in line.travellers or ():
            key = (fold(traveller.get("name")), phone_digits(traveller.get("phone")), traveller.get("customer_id"))
            if key[0] and key not in seen:
                seen.add(key)
                rows.append(BookingTraveller(booking_id=booking.id, name_search=key[0][:200],
                                             phone_digits=(key[1] or None) and key[1][:40], customer_id=key[2]))
    return rows
