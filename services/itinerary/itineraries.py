"""The itinerary builder: itineraries, their days, and items (from ticketing or manual).

Rules on a session; the service fetches what ticketing knows first (inventory.fetch) and hands
it in, so no transaction waits on another service.
"""
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from services.common.errors import Conflict, NotFound, ValidationFailed

from . import catalog
from . import inventory as inv
from .costing import PackagePrice
from .models import Itinerary, ItineraryDay, ItineraryItem
from .plan import DEFAULT_BASIS, DEFAULT_OCCUPANCY, Party, Plan, PlanItem, item_dates, occupancy_from

# Item fields a planner sets (the rest is derived or comes from ticketing).
INPUT_FIELDS = ("kind", "description", "inventory_product_id", "supplier_name", "unit_cost", "currency", "basis",
                "quantity", "nights", "from_location", "to_location", "location", "single_supplement",
                "overnight", "occupancy", "position", "attributes", "notes", "service_date")
MANUAL_ONLY = ("supplier_name", "unit_cost", "currency")


def get(session, itinerary_id: str, *, lock: bool = False) -> Itinerary:
    query = (select(Itinerary).where(Itinerary.id == itinerary_id)
             .options(selectinload(Itinerary.days), selectinload(Itinerary.items)))
    if lock:
        query = query.with_for_update()
    itinerary = session.scalars(query).first()
    if itinerary is None:
        raise NotFound(f"No itinerary {itinerary_id}.", {"itinerary_id": itinerary_id})
    return itinerary


def require_editable(itinerary: Itinerary) -> None:
    if itinerary.status == "accepted":
        raise Conflict("The itinerary has an accepted quote and can no longer change.",
                       {"itinerary_id": itinerary.id, "status": itinerary.status})


def touch(itinerary: Itinerary, actor: str, now: datetime) -> None:
    itinerary.revision += 1
    itinerary.updated_at, itinerary.updated_by = now, actor


def date_of(itinerary: Itinerary, day_number: int) -> date:
    return itinerary.start_date + timedelta(days=day_number - 1)


def end_date(itinerary: Itinerary) -> date:
    return date_of(itinerary, max(len(itinerary.days), 1))


def get_day(itinerary: Itinerary, number: int) -> ItineraryDay:
    for day in itinerary.days:
        if day.number == number:
            return day
    raise NotFound(f"The itinerary has no day {number}.", {"day": number})


def get_item(itinerary: Itinerary, item_id: int) -> ItineraryItem:
    for item in itinerary.items:
        if item.id == item_id:
            return item
    raise NotFound(f"The itinerary has no item {item_id}.", {"item_id": item_id})


# --- creating ------------------------------------------------------------------------------------

def create(session, fields: dict, *, settings: dict, actor: str, now: datetime, product=None,
           template: catalog.Expansion | None = None, fetched: inv.InventoryData | None = None) -> Itinerary:
    """A new itinerary: blank, for an inquiry, or from a catalog product (`product`, its template
    expanded from the start date, and ticketing's prices for its inventory items fetched)."""
    days = template.days if template is not None else fields.get("days") or 1
    origin = "catalog" if product is not None else "inquiry" if fields.get("inquiry_id") else "blank"
    itinerary = Itinerary(
        id=str(uuid.uuid4()), title=fields.get("title") or (product.name if product is not None else "New itinerary"),
        status="draft", origin=origin, customer_id=fields.get("customer_id"), inquiry_id=fields.get("inquiry_id"),
        catalog_product_id=product.id if product is not None else None,
        adults=fields["party"]["adults"], children=_children(fields["party"]),
        start_date=fields["start_date"], currency=fields["currency"],
        child_factor=fields["child_factor"] if fields.get("child_factor") is not None
        else Decimal(settings["default_child_factor"]),
        discount_percent=fields.get("discount_percent") or Decimal("0"), service_fee=fields.get("service_fee"),
        service_fee_percent=fields.get("service_fee_percent"), tax_percent=fields.get("tax_percent"),
        package_price=catalog.package_price(product, fields["start_date"]) if product is not None else None,
        notes=fields.get("notes"), revision=1, created_at=now, created_by=actor, updated_at=now, updated_by=actor)
    titles = {d["day"]: d for d in (product.template if product is not None else [])}
    itinerary.days = [ItineraryDay(number=n, title=titles.get(n, {}).get("title"),
                                   description=titles.get(n, {}).get("description"))
                      for n in range(1, days + 1)]
    session.add(itinerary)
    for day_number, item_fields in template.items if template is not None else ():
        add_item(itinerary, day_number, item_fields, fetched or inv.InventoryData(), actor=actor, now=now)
    itinerary.revision = 1  # the template's items are part of the first revision
    session.flush()
    return itinerary


def consultant_price(price: dict | None, currency: str) -> dict | None:
    """The consultant's own price per adult and child (None: back to the lines' prices)."""
    if price is None:
        return None
    return {"source": "consultant", "season": None, "currency": price.get("currency") or currency,
            "adult_price": str(price["adult_price"]), "child_price": str(price["child_price"])}


def package_of(itinerary: Itinerary) -> PackagePrice | None:
    price = itinerary.package_price
    if not price:
        return None
    return PackagePrice(adult_price=Decimal(price["adult_price"]), child_price=Decimal(price["child_price"]),
                        currency=price["currency"], season=price.get("season"), source=price["source"])


def _children(party: dict) -> list[dict]:
    return [{"age": c["age"], **({"name": c["name"]} if c.get("name") else {})} for c in party.get("children") or []]


def update(itinerary: Itinerary, fields: dict, *, actor: str, now: datetime, product=None) -> None:
    """Header changes. A new start date moves every item by the same number of days (the caller
    fetched the inventory prices for the new dates and reprices afterwards) and, for a trip priced
    at its catalog product's season (`product`), takes the new date's season price."""
    require_editable(itinerary)
    if "start_date" in fields and fields["start_date"] != itinerary.start_date:
        shift = fields["start_date"] - itinerary.start_date
        for item in itinerary.items:
            item.service_date += shift
        itinerary.start_date = fields["start_date"]
        if product is not None and (itinerary.package_price or {}).get("source") == "catalog":
            itinerary.package_price = catalog.package_price(product, itinerary.start_date)
    if "package_price" in fields:
        itinerary.package_price = consultant_price(fields["package_price"], itinerary.currency)
    if "party" in fields:
        itinerary.adults = fields["party"]["adults"]
        itinerary.children = _children(fields["party"])
    for key in ("title", "customer_id", "inquiry_id", "currency", "discount_percent", "service_fee",
                "service_fee_percent", "tax_percent", "notes", "child_factor"):
        if key in fields:
            value = fields[key]
            if key in ("discount_percent", "child_factor") and value is None:
                continue  # these always have a value
            setattr(itinerary, key, value)
    touch(itinerary, actor, now)


def update_currencies(itinerary: Itinerary, fields: dict) -> tuple[str, set[str]]:
    """(the itinerary's currency after the change, the currencies to convert into it): every item's
    when the currency changes, and a package price's own."""
    currency = fields.get("currency") or itinerary.currency
    price = fields["package_price"] if "package_price" in fields else itinerary.package_price
    price_currency = {(price or {}).get("currency") or currency} - {currency}
    if currency != itinerary.currency:
        return currency, {item.currency for item in itinerary.items} | price_currency
    return currency, price_currency


def start_shift_needs(itinerary: Itinerary, new_start: date) -> dict[str, set[date]]:
    """Inventory dates after moving the start date: what to ask ticketing before updating."""
    shift = new_start - itinerary.start_date
    needs: dict[str, set[date]] = {}
    for item in itinerary.items:
        inv.add_need(needs, item.inventory_product_id, item_dates(item.kind, item.service_date + shift, item.nights))
    return needs


def day_removal_needs(itinerary: Itinerary, number: int) -> dict[str, set[date]]:
    needs: dict[str, set[date]] = {}
    for item in itinerary.items:
        if item.day_number > number:
            inv.add_need(needs, item.inventory_product_id,
                         item_dates(item.kind, item.service_date - timedelta(days=1), item.nights))
    return needs


def inventory_needs(itinerary: Itinerary) -> dict[str, set[date]]:
    needs: dict[str, set[date]] = {}
    for item in itinerary.items:
        inv.add_need(needs, item.inventory_product_id, item_dates(item.kind, item.service_date, item.nights))
    return needs


# --- days ----------------------------------------------------------------------------------------

def add_day(itinerary: Itinerary, fields: dict, *, actor: str, now: datetime, max_days: int) -> ItineraryDay:
    require_editable(itinerary)
    if len(itinerary.days) >= max_days:
        raise Conflict(f"An itinerary has at most {max_days} days.")
    day = ItineraryDay(number=len(itinerary.days) + 1, title=fields.get("title"), description=fields.get("description"))
    itinerary.days.append(day)
    touch(itinerary, actor, now)
    return day


def update_day(itinerary: Itinerary, number: int, fields: dict, *, actor: str, now: datetime) -> ItineraryDay:
    require_editable(itinerary)
    day = get_day(itinerary, number)
    for key in ("title", "description"):
        if key in fields:
            setattr(day, key, fields[key])
    itinerary.updated_at, itinerary.updated_by = now, actor  # text only: prices do not move
    return day


def remove_day(session, itinerary: Itinerary, number: int, *, actor: str, now: datetime) -> None:
    """Remove a day and its items; the following days (and their items) move one day earlier."""
    require_editable(itinerary)
    day = get_day(itinerary, number)
    if len(itinerary.days) == 1:
        raise Conflict("An itinerary keeps at least one day.")
    for item in [i for i in itinerary.items if i.day_number == number]:
        itinerary.items.remove(item)
    itinerary.days.remove(day)
    session.flush()  # free the day number before renumbering onto it
    for later in sorted((d for d in itinerary.days if d.number > number), key=lambda d: d.number):
        later.number -= 1
        session.flush()
    for item in itinerary.items:
        if item.day_number > number:
            item.day_number -= 1
            item.service_date -= timedelta(days=1)
    touch(itinerary, actor, now)


# --- items ---------------------------------------------------------------------------------------

def planned_dates(itinerary: Itinerary, day_number: int, fields: dict) -> tuple[date, list[date]]:
    """The service date an item will get on that day, and the dates it uses."""
    service_date = fields.get("service_date") or fields.get("check_in") or date_of(itinerary, day_number)
    return service_date, item_dates(fields["kind"], service_date, fields.get("nights"))


def _apply(item: ItineraryItem, itinerary: Itinerary, day_number: int, fields: dict, data: inv.InventoryData,
           now: datetime) -> None:
    """Set an item's columns from validated fields and what ticketing said about its product."""
    kind = fields["kind"]
    service_date, dates = planned_dates(itinerary, day_number, fields)
    item.day_number, item.kind, item.service_date = day_number, kind, service_date
    item.nights = fields.get("nights") if kind == "hotel" else None
    item.basis = fields.get("basis") or DEFAULT_BASIS[kind]
    item.quantity = fields.get("quantity")
    item.single_supplement = fields.get("single_supplement") if kind == "hotel" else None
    item.overnight = bool(fields.get("overnight"))
    item.occupancy = fields.get("occupancy") if kind == "hotel" else None
    item.notes = fields.get("notes")
    item.from_location, item.to_location = fields.get("from_location"), fields.get("to_location")
    item.location = fields.get("location")
    product_id = fields.get("inventory_product_id")
    item.inventory_product_id = product_id
    if product_id:
        product = data.products[product_id]
        if product["kind"] not in inv.PRODUCT_KINDS[kind]:
            raise ValidationFailed(f"A {product['kind']} product cannot be a {kind} item.",
                                   {"inventory_product_id": [f"Product {product_id} is a {product['kind']}, "
                                                             f"not usable as a {kind}."]})
        item.description = fields.get("description") or product["name"]
        item.currency = product["currency"]
        item.supplier_id = product["supplier_id"]
        item.supplier_name = data.suppliers.get(product["supplier_id"], {}).get("name")
        item.unit_cost = None
        item.attributes = {**(product.get("attributes") or {}), **(fields.get("attributes") or {})}
        if kind in ("flight", "train", "transfer"):
            start, end = inv.route_ends(product.get("location"))
            item.from_location = item.from_location or start
            item.to_location = item.to_location or end
        elif not item.location:
            item.location = product.get("location")
        item.costs = inv.costs_for(product_id, dates, data)
        item.priced_at = now
    else:
        item.description = fields["description"]
        item.currency, item.unit_cost = fields["currency"], fields["unit_cost"]
        item.supplier_id, item.supplier_name = None, fields["supplier_name"]
        item.attributes = fields.get("attributes") or {}
        item.costs, item.priced_at = None, now


def add_item(itinerary: Itinerary, day_number: int, fields: dict, data: inv.InventoryData, *, actor: str,
             now: datetime) -> ItineraryItem:
    require_editable(itinerary)
    get_day(itinerary, day_number)
    item = ItineraryItem(created_at=now, created_by=actor, updated_at=now, updated_by=actor)
    _apply(item, itinerary, day_number, fields, data, now)
    if fields.get("position") is None:
        item.position = 1 + max((i.position for i in itinerary.items if i.day_number == day_number), default=0)
    else:
        item.position = fields["position"]
    itinerary.items.append(item)
    touch(itinerary, actor, now)
    return item


def merged_fields(item: ItineraryItem, changes: dict) -> tuple[int, dict]:
    """The item's planner fields with the changes applied, to validate as a whole: (day, fields)."""
    current = {key: getattr(item, key) for key in INPUT_FIELDS}
    if item.inventory_product_id:
        for key in MANUAL_ONLY:
            current[key] = None
    if changes.get("inventory_product_id"):
        for key in MANUAL_ONLY:
            current[key] = None
        if "description" not in changes and changes["inventory_product_id"] != item.inventory_product_id:
            current["description"] = None  # the new product's name
    day_number = changes.get("day_number") or item.day_number
    if changes.get("day_number") and changes["day_number"] != item.day_number \
            and "service_date" not in changes and "check_in" not in changes:
        current["service_date"] = None  # the new day's date
    merged = {**current, **{k: v for k, v in changes.items() if k != "day_number"}}
    if merged.get("check_in"):
        merged["service_date"] = merged.pop("check_in")
    merged.pop("check_in", None)
    return day_number, merged


def update_item(itinerary: Itinerary, item: ItineraryItem, day_number: int, fields: dict,
                data: inv.InventoryData, *, actor: str, now: datetime) -> ItineraryItem:
    require_editable(itinerary)
    get_day(itinerary, day_number)
    old_day = item.day_number
    _apply(item, itinerary, day_number, fields, data, now)
    if fields.get("position") is not None:
        item.position = fields["position"]
    elif day_number != old_day:
        item.position = 1 + max((i.position for i in itinerary.items if i.day_number == day_number and i is not item),
                                default=0)
    item.updated_at, item.updated_by = now, actor
    touch(itinerary, actor, now)
    return item


def item_currency(fields: dict, data: inv.InventoryData) -> str:
    """An item's cost currency: its ticketing product's, else the one the planner gave."""
    product_id = fields.get("inventory_product_id")
    return data.products[product_id]["currency"] if product_id else fields["currency"]


def remove_item(itinerary: Itinerary, item: ItineraryItem, *, actor: str, now: datetime) -> None:
    require_editable(itinerary)
    itinerary.items.remove(item)
    touch(itinerary, actor, now)


def reprice(itinerary: Itinerary, data: inv.InventoryData, now: datetime) -> list[int]:
    """Set each inventory item's prices from ticketing's rows; returns the ids whose prices changed."""
    changed = []
    for item in itinerary.items:
        pid = item.inventory_product_id
        if not pid or pid not in data.fetched:
            continue
        costs = inv.costs_for(pid, item_dates(item.kind, item.service_date, item.nights), data)
        if costs != (item.costs or []):
            changed.append(item.id)
        item.costs, item.priced_at = costs, now
    return changed


def refresh(itinerary: Itinerary, data: inv.InventoryData, *, actor: str, now: datetime) -> list[int]:
    """Take ticketing's latest prices; a change of price is a new revision. Returns the changed ids."""
    require_editable(itinerary)
    changed = reprice(itinerary, data, now)
    if changed:
        touch(itinerary, actor, now)
    return changed


# --- reading -------------------------------------------------------------------------------------

def unit_costs(item: ItineraryItem) -> tuple[Decimal, ...] | None:
    """Net cost per unit for each date the item uses, or None when a date has no price."""
    if item.inventory_product_id:
        dates = item_dates(item.kind, item.service_date, item.nights)
        by_date = {entry["date"]: Decimal(entry["net_price"]) for entry in item.costs or []}
        if any(on.isoformat() not in by_date for on in dates):
            return None
        return tuple(by_date[on.isoformat()] for on in dates)
    if item.unit_cost is None:
        return None
    return (item.unit_cost,) * (item.nights or 1) if item.kind == "hotel" else (item.unit_cost,)


def party_of(itinerary: Itinerary) -> Party:
    return Party(itinerary.adults, tuple(c["age"] for c in itinerary.children or []))


def plan_item(item: ItineraryItem) -> PlanItem:
    return PlanItem(
        id=item.id, kind=item.kind, description=item.description, service_date=item.service_date,
        day=item.day_number, position=item.position, nights=item.nights, basis=item.basis, quantity=item.quantity,
        currency=item.currency, unit_costs=unit_costs(item), inventory_product_id=item.inventory_product_id,
        supplier_id=item.supplier_id, supplier_name=item.supplier_name, from_location=item.from_location,
        to_location=item.to_location, location=item.location, single_supplement=item.single_supplement,
        overnight=item.overnight, occupancy=room_occupancy(item))


def room_occupancy(item: ItineraryItem) -> int | None:
    """Hotels: people per room, the planner's, else the product's max_occupancy, else the default."""
    if item.kind != "hotel":
        return None
    return item.occupancy or occupancy_from(item.attributes) or DEFAULT_OCCUPANCY


def plan_of(itinerary: Itinerary) -> Plan:
    return Plan(start=itinerary.start_date, days=max(len(itinerary.days), 1), party=party_of(itinerary),
                currency=itinerary.currency, items=[plan_item(item) for item in itinerary.items])


def item_dict(item: ItineraryItem, party: Party) -> dict:
    hotel = item.kind == "hotel"
    return {
        "id": item.id, "day_number": item.day_number, "position": item.position, "kind": item.kind,
        "description": item.description, "service_date": item.service_date,
        "check_in": item.service_date if hotel else None,
        "check_out": item.service_date + timedelta(days=item.nights or 0) if hotel else None,
        "nights": item.nights, "basis": item.basis, "quantity": item.quantity,
        "resolved_quantity": plan_item(item).resolved_quantity(party),
        "inventory_product_id": item.inventory_product_id, "supplier_id": item.supplier_id,
        "supplier_name": item.supplier_name, "unit_cost": item.unit_cost, "currency": item.currency,
        "costs": item.costs, "priced": unit_costs(item) is not None, "priced_at": item.priced_at,
        "from_location": item.from_location, "to_location": item.to_location, "location": item.location,
        "single_supplement": item.single_supplement, "overnight": item.overnight,
        "occupancy": item.occupancy, "room_occupancy": room_occupancy(item),
        "attributes": item.attributes or {}, "notes": item.notes,
        "created_at": item.created_at, "created_by": item.created_by,
        "updated_at": item.updated_at, "updated_by": item.updated_by,
    }


def as_dict(itinerary: Itinerary) -> dict:
    party = party_of(itinerary)
    by_day: dict[int, list] = {}
    for item in sorted(itinerary.items, key=lambda i: (i.day_number, i.position, i.id)):
        by_day.setdefault(item.day_number, []).append(item_dict(item, party))
    return {
        "id": itinerary.id, "title": itinerary.title, "status": itinerary.status, "origin": itinerary.origin,
        "customer_id": itinerary.customer_id, "inquiry_id": itinerary.inquiry_id,
        "catalog_product_id": itinerary.catalog_product_id,
        "party": {"adults": itinerary.adults, "children": list(itinerary.children or [])},
        "start_date": itinerary.start_date, "end_date": end_date(itinerary), "currency": itinerary.currency,
        "child_factor": itinerary.child_factor, "discount_percent": itinerary.discount_percent,
        "service_fee": itinerary.service_fee, "service_fee_percent": itinerary.service_fee_percent,
        "tax_percent": itinerary.tax_percent, "package_price": itinerary.package_price,
        "notes": itinerary.notes, "revision": itinerary.revision,
        "days": [{"number": day.number, "date": date_of(itinerary, day.number), "title": day.title,
                  "description": day.description, "items": by_day.get(day.number, [])}
                 for day in sorted(itinerary.days, key=lambda d: d.number)],
        "created_at": itinerary.created_at, "created_by": itinerary.created_by,
        "updated_at": itinerary.updated_at, "updated_by": itinerary.updated_by,
    }


def summary(itinerary: Itinerary) -> dict:
    return {"id": itinerary.id, "title": itinerary.title, "status": itinerary.status,
            "customer_id": itinerary.customer_id, "inquiry_id": itinerary.inquiry_id,
            "start_date": itinerary.start_date, "end_date": end_date(itinerary), "currency": itinerary.currency,
            "revision": itinerary.revision, "updated_at": itinerary.updated_at}


def search(*, customer_id=None, inquiry_id=None, status=None):
    """The itineraries that match, latest changed first (a statement, to page)."""
    query = select(Itinerary).options(selectinload(Itinerary.days))
    if customer_id:
        query = query.where(Itinerary.customer_id == customer_id)
    if inquiry_id:
        query = query.where(Itinerary.inquiry_id == inquiry_id)
    if status:
        query = query.where(Itinerary.status == status)
    return query.order_by(Itinerary.updated_at.desc(), Itinerary.id)
