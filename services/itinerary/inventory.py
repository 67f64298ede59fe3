"""What itinerary asks ticketing: products, suppliers, and daily prices and availability.

One round of calls per question, however many items: one get_product and one get_inventory per
distinct product (over the span of the dates it is needed on), sent together and awaited
together, then one get_supplier per distinct supplier. Nothing here reads a database, so the
service makes these calls before it opens its own transaction.
"""
from dataclasses import dataclass, field
from datetime import date

from nameko.exceptions import UnknownService

from services.common.errors import NotFound, ValidationFailed

from .wire.errors import TicketingUnavailable

# Which ticketing product kinds each item kind may point at.
PRODUCT_KINDS = {
    "flight": {"flight"}, "train": {"train"}, "hotel": {"hotel"}, "attraction": {"attraction"},
    "transfer": {"transfer"}, "guide": {"guide"}, "meal": {"other"}, "insurance": {"other"}, "visa": {"other"},
    "other": {"other", "transfer", "guide", "attraction"},
}


@dataclass
class InventoryData:
    products: dict[str, dict] = field(default_factory=dict)
    suppliers: dict[str, dict] = field(default_factory=dict)
    # ticketing's daily inventory rows by (product id, date): net_price, sell_price, status, available...
    days: dict[tuple[str, date], dict] = field(default_factory=dict)
    fetched: set[str] = field(default_factory=set)  # the products ticketing was asked about


def add_need(needs: dict[str, set[date]], product_id: str | None, dates) -> None:
    if product_id:
        needs.setdefault(product_id, set()).update(dates)


def fetch(ticketing, needs: dict[str, set[date]], *, products: bool = True, field_name: str = "inventory_product_id"
          ) -> InventoryData:
    """Products (with their suppliers) and daily rows for each product over its dates.

    An unknown product is a ValidationFailed naming it under `field_name`; ticketing not
    running is TicketingUnavailable.
    """
    data = InventoryData(fetched=set(needs))
    if not needs:
        return data
    try:
        product_calls = {pid: ticketing.get_product.call_async(pid) for pid in sorted(needs)} if products else {}
        day_calls = {pid: ticketing.get_inventory.call_async(pid, min(dates), max(dates))
                     for pid, dates in sorted(needs.items()) if dates}
        unknown = set()
        for pid, reply in product_calls.items():
            try:
                data.products[pid] = reply.result()
            except NotFound:
                unknown.add(pid)
        for pid, reply in day_calls.items():
            try:
                for day in reply.result():
                    if day["day"] in needs[pid]:
                        data.days[(pid, day["day"])] = day
            except NotFound:
                unknown.add(pid)
        if unknown:
            raise ValidationFailed("Unknown inventory products: " + ", ".join(sorted(unknown)) + ".",
                                   {field_name: [f"No ticketing product {pid}." for pid in sorted(unknown)]})
        supplier_calls = {sid: ticketing.get_supplier.call_async(sid)
                          for sid in sorted({p["supplier_id"] for p in data.products.values()})}
        for sid, reply in supplier_calls.items():
            try:
                data.suppliers[sid] = reply.result()
            except NotFound:
                data.suppliers[sid] = {"id": sid, "name": None}
    except UnknownService:
        raise TicketingUnavailable("Ticketing is not running; inventory prices and availability cannot be read.") \
            from None
    return data


def costs_for(product_id: str, dates: list[date], data: InventoryData) -> list[dict]:
    """The item's price entries: one per date ticketing has a row for (missing dates: unpriced)."""
    entries = []
    for on in dates:
        day = data.days.get((product_id, on))
        if day is not None:
            entries.append({"date": on.isoformat(), "net_price": str(day["net_price"]),
                            "sell_price": str(day["sell_price"])})
    return entries


def route_ends(location: str | None) -> tuple[str | None, str | None]:
    """A ticketing route such as "Paris-Rome" as its two ends; anything else as (None, None)."""
    if location and location.count("-") == 1:
        start, end = (part.strip() for part in location.split("-"))
        if start and end:
            return start, end
    return None, None
