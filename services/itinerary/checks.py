"""Checks of an itinerary: a list of problems for the planner to see, never an error.

Plain rules on a Plan (no database, no broker); the availability rule takes what ticketing
said about each (product, date) as a dict. A problem is
{"code", "item_id" (or None), "day", "date", "message"}; codes:

- outside_trip: an item dated before the first or after the last day, or a hotel stay that
  checks out after the last day (checking out on the last day is fine).
- hotel_overlap: two hotel stays share a night.
- hotel_gap: a night of the trip without a hotel (once the trip has any hotel), unless an
  overnight flight or train (`overnight`) covers it. The last day's night is not part of the trip.
- missing_locations: a flight, train or transfer without both its from and to locations.
- not_connected: a transport that leaves from somewhere else than the previous location, or
  arrives somewhere else than where the next item is.
- missing_transport: two items in different places with no transport between them.
- not_available: an inventory item whose product has no allotment, is not on sale
  (sold out, stop-sell, on request) or has fewer units than needed on one of its dates.
- unpriced: an item without a net cost (ticketing has no price for one of its dates).

Locations are compared as names, ignoring case and surrounding spaces: "Paris" == " paris ".
"""
from datetime import date, timedelta

from .plan import Plan, PlanItem


def _problem(code: str, message: str, item: PlanItem | None = None, on: date | None = None) -> dict:
    return {"code": code, "message": message, "item_id": item.id if item else None,
            "day": item.day if item else None, "date": on or (item.service_date if item else None)}


def _name(item: PlanItem) -> str:
    return f"{item.kind} \"{item.description}\""


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").strip().casefold() == (b or "").strip().casefold()


def _ranges(nights: list[date]) -> list[tuple[date, date]]:
    """Consecutive dates grouped as (first, last)."""
    ranges = []
    for night in sorted(nights):
        if ranges and night == ranges[-1][1] + timedelta(days=1):
            ranges[-1] = (ranges[-1][0], night)
        else:
            ranges.append((night, night))
    return ranges


def _span(first: date, last: date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"


def outside_trip(plan: Plan) -> list[dict]:
    problems = []
    for item in plan.items:
        if item.service_date < plan.start or item.service_date > plan.end:
            problems.append(_problem("outside_trip", f"{_name(item)} is dated {item.service_date}, outside the trip "
                                                     f"({plan.start} to {plan.end}).", item))
        elif item.is_hotel and item.check_out > plan.end:
            problems.append(_problem("outside_trip", f"{_name(item)} checks out on {item.check_out}, after the "
                                                     f"trip's last day {plan.end}.", item))
    return problems


def hotel_nights(plan: Plan) -> list[dict]:
    hotels = [item for item in plan.items if item.is_hotel and item.nights]
    if not hotels:
        return []
    by_night: dict[date, list[PlanItem]] = {}
    for hotel in hotels:
        for night in hotel.dates():
            by_night.setdefault(night, []).append(hotel)
    problems = []
    reported = set()
    for night in sorted(by_night):
        stays = by_night[night]
        if len(stays) > 1:
            key = tuple(sorted(s.id for s in stays))
            if key in reported:
                continue
            reported.add(key)
            shared = sorted(n for n, s in by_night.items() if tuple(sorted(x.id for x in s)) == key)
            problems.append(_problem(
                "hotel_overlap", f"{' and '.join(_name(s) for s in stays)} overlap on the night(s) of "
                                 f"{', '.join(_span(a, b) for a, b in _ranges(shared))}.", stays[-1], night))
    on_board = {item.service_date for item in plan.items if item.overnight}
    trip_nights = [plan.start + timedelta(days=n) for n in range(plan.days - 1)]
    missing = [night for night in trip_nights if night not in by_night and night not in on_board]
    for first, last in _ranges(missing):
        problems.append(_problem("hotel_gap", f"No hotel for the night(s) of {_span(first, last)}.", on=first))
    return problems


def connections(plan: Plan) -> list[dict]:
    problems = []
    located = []
    for item in sorted(plan.items, key=lambda i: (i.service_date, i.day, i.position, i.id)):
        if item.is_transport:
            if not (item.from_location and item.to_location):
                problems.append(_problem("missing_locations", f"{_name(item)} needs both a from and a to location.",
                                         item))
                continue
            located.append((item, item.from_location, item.to_location))
        elif item.location:
            located.append((item, item.location, item.location))
    for (before, _, arrived), (after, leaving, _) in zip(located, located[1:]):
        if _same(arrived, leaving):
            continue
        if after.is_transport:
            problems.append(_problem("not_connected", f"{_name(after)} leaves from {leaving}, but the traveller is "
                                                      f"in {arrived} after {_name(before)}.", after))
        elif before.is_transport:
            problems.append(_problem("not_connected", f"{_name(before)} arrives in {arrived}, but the next item "
                                                      f"{_name(after)} is in {leaving}.", before))
        else:
            problems.append(_problem("missing_transport", f"No transport from {arrived} ({_name(before)}) to "
                                                          f"{leaving} ({_name(after)}).", after))
    return problems


def unpriced(plan: Plan) -> list[dict]:
    return [_problem("unpriced", f"{_name(item)} has no net cost yet.", item)
            for item in plan.items if item.unit_costs is None]


def availability(plan: Plan, days: dict[tuple[str, date], dict]) -> list[dict]:
    """days: ticketing's daily inventory by (product id, date), with "status" and "available"."""
    problems = []
    for item in plan.items:
        if not item.inventory_product_id:
            continue
        needed = item.resolved_quantity(plan.party)
        short = []
        for on in item.dates():
            day = days.get((item.inventory_product_id, on))
            if day is None:
                short.append(f"{on}: no allotment")
            elif day["status"] != "available":
                short.append(f"{on}: {day['status'].replace('_', ' ')}")
            elif day["available"] < needed:
                short.append(f"{on}: {day['available']} left, {needed} needed")
        if short:
            problems.append(_problem("not_available", f"{_name(item)} is not available ({'; '.join(short)}).", item))
    return problems


def check(plan: Plan, inventory_days: dict | None = None) -> list[dict]:
    """Every problem, dated ones first; availability only when ticketing's days are given."""
    problems = outside_trip(plan) + hotel_nights(plan) + connections(plan) + unpriced(plan)
    if inventory_days is not None:
        problems += availability(plan, inventory_days)
    return sorted(problems, key=lambda p: (p["date"] or date.max, p["code"]))
