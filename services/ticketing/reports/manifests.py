"""The manifest of a travel date: what travels with a supplier that day."""
from datetime import date

from sqlalchemy import select

from services.common.errors import NotFound

from .. import inventory, suppliers
from ..models import Booking, BookingLine, Product


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
