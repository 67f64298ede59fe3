"""Daily inventory: allotments, prices, release days, stop-sell, and availability from rows.

available = capacity - confirmed booking lines - unexpired hold lines, computed on demand.
"""
import calendar as month_calendar
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, bindparam, func, insert, or_, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Row

from services.common.db import as_dict, usually, utcnow
from services.common.errors import Forbidden, NotFound, ValidationFailed
from services.common.etags import check_if_match

from . import suppliers
from .models import BookingLine, DailyInventory, Hold, HoldLine, InventoryChange, Product
from .wire import NotBookable

FIELDS = ("capacity", "net_price", "sell_price", "release_days", "stop_sell")
_INVENTORY, _CHANGES = DailyInventory.__table__, InventoryChange.__table__


def create_product(session, data: dict, *, actor: str, now: datetime) -> Product:
    suppliers.get(session, data["supplier_id"])
    existing = session.scalars(select(Product).where(Product.supplier_id == data["supplier_id"],
                                                     Product.supplier_code == data["supplier_code"])).first()
    if existing is not None:
        raise ValidationFailed("The supplier already has a product with this code.",
                               {"supplier_code": [f"Already used by product {existing.id}."]})
    # A hotel's or a ticket's place is where the traveller goes; a route names its destination.
    data = data | {"destination": data.get("destination") or data["location"]}
    product = Product(id=str(uuid.uuid4()), created_at=now, created_by=actor, **data)
    session.add(product)
    session.flush()
    return product


def get_product(session, product_id: str) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound(f"No inventory product {product_id}.", {"product_id": product_id})
    return product


def product_of_supplier(session, product_id: str, supplier_id: str) -> Product:
    """A supplier sees and pushes its own products only."""
    product = get_product(session, product_id)
    if product.supplier_id != supplier_id:
        raise Forbidden("This product belongs to another supplier.")
    return product


def days_in(start: date, end: date, weekdays: list[int] | None = None) -> list[date]:
    """Dates from start to end inclusive, keeping only ISO weekdays (1 = Monday) when given."""
    wanted = set(weekdays or range(1, 8))
    return [d for d in (start + timedelta(n) for n in range((end - start).days + 1)) if d.isoweekday() in wanted]


def usage(session, keys: list[tuple[str, date]], now: datetime) -> dict[tuple[str, date], tuple[int, int]]:
    """(booked, held) units per (product, day): confirmed booking lines and unexpired holds."""
    result = defaultdict(lambda: (0, 0))
    if not keys:
        return result
    wanted = set(keys)
    for product_id, day, units in session.execute(booked_units(keys)):
        if (product_id, day) in wanted:
            result[(product_id, day)] = (int(units), 0)
    for product_id, day, units in session.execute(held_units(keys, now)):
        if (product_id, day) in wanted:
            result[(product_id, day)] = (result[(product_id, day)][0], int(units))
    return result


# The two hot queries of every hold and availability check. Their plans are asserted by
# tests/service/test_ticketing_query_plans.py: they must stay flat as holds and bookings pile up.
def booked_units(keys: list[tuple[str, date]]):
    return (select(BookingLine.product_id, BookingLine.day, func.sum(BookingLine.quantity))
            .where(BookingLine.status == "confirmed", _at(BookingLine, keys))
            .group_by(BookingLine.product_id, BookingLine.day))


MAX_EXACT_KEYS = 100


def _at(line, keys):
    """Lines on the (product, day) keys, written so both databases search the (day, product)
    index: one equality pair per key (SQLite does not search an index for a row-value IN), or
    for a long list (a search over many products and days; SQLite caps an expression's depth)
    the days' range and the products, which may also match other pairs: `usage` drops those."""
    if len(keys) <= MAX_EXACT_KEYS:
        return or_(*(and_(line.day == day, line.product_id == product_id) for product_id, day in keys))
    days = [day for _, day in keys]
    return and_(line.day.between(min(days), max(days)), line.product_id.in_({product_id for product_id, _ in keys}))


def held_units(keys: list[tuple[str, date]], now: datetime):
    return (select(HoldLine.product_id, HoldLine.day, func.sum(HoldLine.quantity))
            .join(Hold, Hold.id == HoldLine.hold_id)
            .where(usually(Hold.status == "active"), usually(Hold.expires_at > now),
                   _at(HoldLine, keys))
            .group_by(HoldLine.product_id, HoldLine.day))


def is_overbooked(capacity: int, booked: int, held: int) -> bool:
    """More units promised (confirmed or held) than the allotment has: only a capacity cut does this,
    since new holds are refused once held + booked reaches capacity."""
    return booked + held > capacity


def status_of(row: DailyInventory, booked: int, held: int, today: date) -> tuple[int, str]:
    available = max(0, row.capacity - booked - held)
    if is_overbooked(row.capacity, booked, held):
        return available, "overbooked"
    if row.stop_sell:
        return available, "stop_sell"
    if in_release_window(row, today):
        return available, "on_request"
    return available, "available" if available > 0 else "sold_out"


def in_release_window(row: DailyInventory, today: date) -> bool:
    """Within release_days of the date, the allotment has gone back to the supplier."""
    return (row.day - today).days < row.release_days


def describe(row: DailyInventory, booked: int, held: int, today: date) -> dict:
    available, status = status_of(row, booked, held, today)
    return {"product_id": row.product_id, "day": row.day, "capacity": row.capacity,
            "net_price": row.net_price, "sell_price": row.sell_price, "release_days": row.release_days,
            "stop_sell": row.stop_sell, "overbooked": is_overbooked(row.capacity, booked, held),
            "booked": booked, "held": held,
            "available": available, "status": status}


def lock_rows(session, keys) -> dict[tuple[str, date], Row]:
    """Lock the inventory rows in one fixed order (product, day), so two requests never deadlock.

    On PostgreSQL this is SELECT ... FOR UPDATE; SQLite's BEGIN IMMEDIATE already holds the
    database's only write lock. Availability must be computed after this returns. The rows are
    read-only Core rows (attributes as on DailyInventory): ORM objects would cost more to build
    than the query, and nobody changes them through these.
    """
    keys = sorted(set(keys))
    if not keys:
        return {}
    session.flush()  # a Core SELECT does not autoflush: rows added through the ORM must be seen
    days_by_product = defaultdict(list)
    for product_id, day in keys:
        days_by_product[product_id].append(day)
    # Per product, its days as one IN list: both databases search the primary key with it, where
    # a row-value IN of a year of (product, day) pairs cost PostgreSQL more to plan than to run.
    query = (select(_INVENTORY).where(or_(*(and_(_INVENTORY.c.product_id == product_id, _INVENTORY.c.day.in_(days))
                                            for product_id, days in days_by_product.items())))
             .order_by(_INVENTORY.c.product_id, _INVENTORY.c.day).with_for_update())
    return {(row.product_id, row.day): row for row in session.execute(query)}


def search(session, *, start: date, end: date, quantity: int = 1, kind=None, location=None, product_id=None,
           today: date):
    """Products with their daily availability between start and end."""
    query = select(DailyInventory, Product).join(Product, Product.id == DailyInventory.product_id).where(
        DailyInventory.day >= start, DailyInventory.day <= end)
    if product_id:
        query = query.where(Product.id == product_id)
    if kind:
        query = query.where(Product.kind == kind)
    if location:
        query = query.where(func.lower(Product.location).contains(location.lower()))
    rows = session.execute(query.order_by(Product.name, Product.id, DailyInventory.day)).all()
    used = usage(session, [(r.DailyInventory.product_id, r.DailyInventory.day) for r in rows], utcnow())
    products: dict[str, dict] = {}
    for row, product in rows:
        day = describe(row, *used[(row.product_id, row.day)], today)
        day["bookable"] = day["status"] == "available" and day["available"] >= quantity
        entry = products.setdefault(product.id, {"product": product, "days": []})
        entry["days"].append(day)
    return list(products.values())


def days_of(session, product_id: str, start: date, end: date, *, today: date) -> list[dict]:
    """One product's dates with an allotment between start and end: what staff read (GET
    /products/{id}/inventory), and the representation its ETag is the version of."""
    found = search(session, start=start, end=end, product_id=product_id, today=today)
    return found[0]["days"] if found else []


def month_grid(session, *, month: str, kind=None, location=None, today: date) -> dict:
    """A month ("2027-03") as a product x date grid, for the ticketing desk's wall chart."""
    year, number = map(int, month.split("-"))
    start, end = date(year, number, 1), date(year, number, month_calendar.monthrange(year, number)[1])
    found = search(session, start=start, end=end, kind=kind, location=location, today=today)
    return {"month": month, "days": days_in(start, end),
            "products": [{"product": as_dict(entry["product"]),
                          "days": {d["day"].isoformat(): {"available": d["available"], "status": d["status"],
                                                          "sell_price": d["sell_price"]} for d in entry["days"]}}
                         for entry in found]}


def set_by_staff(session, product_id: str, update: dict, *, actor: str, today: date,
                 if_match: str | None = None) -> tuple[Product, dict]:
    """Staff set the allotment over a range of dates (no supplier sequence applies); returns the
    product and what apply_update did.

    Past dates are history: refused. With `if_match`, the change applies only if the product's
    inventory over the same start..end still reads as the GET that gave that ETag (checked after
    the dates are locked, so nobody books or pushes in between); otherwise PreconditionFailed.
    """
    product = get_product(session, product_id)
    if update["start"] < today:
        raise ValidationFailed("Dates in the past cannot be changed.", {"start": ["Must not be in the past."]})
    if if_match is not None:
        lock_rows(session, [(product.id, day) for day in days_in(update["start"], update["end"])])
        check_if_match(if_match, days_of(session, product.id, update["start"], update["end"], today=today))
    days = days_in(update["start"], update["end"], update.get("weekdays"))
    outcome = apply_update(session, product, days, update, actor=actor, source="staff")
    if outcome["missing"]:
        raise ValidationFailed("Opening new dates needs capacity, net_price and sell_price.",
                               {"capacity": ["Required for dates without an allotment."]})
    return product, outcome


def apply_update(session, product: Product, days: list[date], changes: dict, *, actor: str, source: str,
                 source_message: str | None = None, sequence: int | None = None) -> dict:
    """Set fields on each date's allotment, logging old and new values.

    With a supplier sequence, a date whose last applied sequence is the same or newer is left
    alone (stale or repeated). `available` (units left to sell, as a channel manager counts them)
    sets each date's capacity to that plus what is already booked and held there, never above
    `capacity` when both are given. A capacity below what is booked and held is the supplier's
    truth: it is accepted and the date is overbooked. Returns what happened, and the days that
    became overbooked (or more so).

    A push writes a year of dates per product, so the rows are written with Core statements (new
    dates and the change log each in one executemany INSERT, changed dates in one UPDATE per set
    of values), not through the ORM's unit of work, which cost ten times the database's work here.
    """
    to_sell = changes.get("available")
    changes = {k: v for k, v in changes.items() if k in FIELDS and v is not None}
    ceiling = changes.get("capacity") if to_sell is not None else None
    existing = lock_rows(session, [(product.id, d) for d in days])
    now = utcnow()
    applied, stale, missing, overbooked = [], [], [], []
    new_rows, changed_rows, log = [], [], []
    stamp = {"updated_at": now, "updated_by": actor} | (
        {"supplier_sequence": str(sequence)} if sequence is not None else {})
    # Counted after the lock: nobody can book or hold on these dates until this transaction ends.
    sold = usage(session, list(existing), now)
    for day in days:
        row = existing.get((product.id, day))
        if row is not None and sequence is not None and row.supplier_sequence is not None \
                and int(row.supplier_sequence) >= sequence:
            stale.append(day)
            continue
        booked, held = sold[(product.id, day)]
        day_changes = dict(changes)
        if to_sell is not None:
            capacity = to_sell + booked + held
            day_changes["capacity"] = capacity if ceiling is None else min(ceiling, capacity)
        if row is None:
            if day_changes.get("capacity") is None or day_changes.get("net_price") is None \
                    or day_changes.get("sell_price") is None:
                missing.append(day)
                continue
            old, short_before, capacity = None, 0, day_changes["capacity"]
            new_rows.append({"product_id": product.id, "day": day, "release_days": 0, "stop_sell": False}
                            | day_changes)
            values = new_rows[-1]
        else:
            old = {k: _plain(getattr(row, k)) for k in day_changes}
            short_before = booked + held - row.capacity
            capacity = day_changes.get("capacity", row.capacity)
            values = dict(day_changes)
            changed_rows.append((day, values))
        short = booked + held - capacity
        # Kept as of this change; what callers see is computed from rows (is_overbooked), since
        # holds that lapse end an overbooking without any change here.
        values.update(stamp, overbooked=short > 0)
        if short > max(short_before, 0):
            overbooked.append({"day": day, "capacity": capacity, "booked": booked, "held": held,
                               "short_by": short})
        new = {k: _plain(v) for k, v in day_changes.items()}
        if old != new:
            log.append({"product_id": product.id, "day": day, "actor": actor, "source": source,
                        "source_message": source_message, "old": old, "new": new, "changed_at": now})
        applied.append(day)
    _write(session, product.id, new_rows, changed_rows, log)
    return {"applied": applied, "stale": stale, "missing": missing, "overbooked": overbooked}


# The SET clause is the columns of the parameters given: those of one apply_update.
_CHANGE_DAYS = (update(_INVENTORY).where(_INVENTORY.c.product_id == bindparam("key_product_id"),
                                         _INVENTORY.c.day.in_(bindparam("key_days", expanding=True))))


def _write(session, product_id: str, new_rows: list[dict], changed_rows: list[tuple[date, dict]], log: list[dict]):
    if new_rows:
        session.execute(insert(_INVENTORY), new_rows)
    if changed_rows:
        # Dates given the same values share one UPDATE (an executemany is a statement per row, on
        # PostgreSQL a round trip per row). Only capacity (from `available`) and overbooked differ
        # from date to date; the other values are the same objects for all, so equal means same.
        days_by_values = defaultdict(list)
        for day, values in changed_rows:
            days_by_values[tuple(values.items())].append(day)
        for values, days in days_by_values.items():
            session.execute(_CHANGE_DAYS, {"key_product_id": product_id, "key_days": days, **dict(values)})
        _expire_loaded(session, {(product_id, day) for day, _ in changed_rows})
    if log:
        session.execute(insert(_CHANGES), log)


def _expire_loaded(session, keys: set):
    """Rows changed behind the ORM's back: allotments it already holds reload on next access,
    so a read later in the transaction (session.get, days_of) sees the change."""
    for instance in list(session.identity_map.values()):
        if isinstance(instance, DailyInventory) and sa_inspect(instance).identity in keys:
            session.expire(instance)


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


def changes_for(session, product_id: str, start: date, end: date) -> list[InventoryChange]:
    return list(session.scalars(
        select(InventoryChange).where(InventoryChange.product_id == product_id,
                                      and_(InventoryChange.day >= start, InventoryChange.day <= end))
        .order_by(InventoryChange.day, InventoryChange.id)))


def require_bookable(row: DailyInventory | None, key, quantity: int, booked: int, held: int, today: date):
    """Raise NotBookable unless `quantity` units can be taken now on this date."""
    product_id, day = key
    where = {"product_id": product_id, "day": day.isoformat()}
    if day < today:
        raise NotBookable(f"{day} is in the past.", where | {"reason": "past_date"})
    if row is None:
        raise NotBookable(f"No allotment for {product_id} on {day}.", where | {"reason": "no_allotment"})
    available, status = status_of(row, booked, held, today)
    if status in ("stop_sell", "on_request"):
        raise NotBookable(f"{product_id} on {day} is {status.replace('_', ' ')}.", where | {"reason": status})
    if available < quantity:
        raise NotBookable(f"Only {available} left for {product_id} on {day}.",
                       where | {"reason": "sold_out", "available": available, "requested": quantity})
