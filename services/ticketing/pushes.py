"""Supplier pushes: batches of inventory updates, each ordered by the supplier's sequence.

Each update gets its own result, so one bad line does not hold back the rest of a batch:
applied (with the dates), ignored as stale (an older or repeated sequence), or rejected with
the reason. Whatever the channel (JSON, OTA XML, AMQP), updates end up here.
"""
from datetime import date

from marshmallow import ValidationError
from sqlalchemy import select

from services.common.contract import Event

from . import inventory
from .models import Product
from .wire import INVENTORY_CHANGED, OVERBOOKED, SupplierUpdateSchema

_update_schema = SupplierUpdateSchema()


def apply_batch(session, supplier, updates: list[dict], *, source: str, message_id: str | None,
                today: date) -> tuple[list[dict], list[tuple[Event, dict]]]:
    """Returns (results, events): one result per update, and the facts to announce."""
    # Looked up before each update is validated, so only text can be a code (a list is not hashable).
    codes = {u.get("product_code") for u in updates if isinstance(u, dict) and isinstance(u.get("product_code"), str)}
    products = {p.supplier_code: p for p in session.scalars(
        select(Product).where(Product.supplier_id == supplier.id, Product.supplier_code.in_(codes)))}
    results, events = [], []
    actor = f"supplier:{supplier.id}"
    for index, raw in enumerate(updates):
        try:
            update = _update_schema.load(raw)
        except ValidationError as exc:
            results.append({"index": index, "status": "rejected", "reason": "invalid", "errors": exc.messages})
            continue
        product = products.get(update["product_code"])
        if product is None:
            results.append({"index": index, "status": "rejected", "reason": "unknown_product",
                            "detail": f"You have no product with code {update['product_code']}."})
            continue
        if update["end"] < today:
            results.append({"index": index, "status": "rejected", "reason": "past_dates",
                            "detail": "Every date of this update is in the past."})
            continue
        days = inventory.days_in(max(update["start"], today), update["end"], update.get("weekdays"))
        outcome = inventory.apply_update(session, product, days, update, actor=actor, source=source,
                                         source_message=message_id, sequence=update["sequence"])
        results.append(_result(index, update, outcome))
        events.extend(announcements(product, update, outcome, actor))
    return results, events


def _result(index, update, outcome) -> dict:
    status = "applied" if outcome["applied"] else ("ignored_stale" if outcome["stale"] else "rejected")
    result = {"index": index, "status": status, "product_code": update["product_code"],
              "applied_days": len(outcome["applied"]), "stale_days": len(outcome["stale"])}
    if outcome["missing"]:
        result["missing_days"] = [d.isoformat() for d in outcome["missing"]]
        result["detail"] = "No allotment yet on some dates: send capacity, net_price and sell_price to open them."
        if status == "rejected":
            result["reason"] = "no_allotment"
    return result


def announcements(product, update: dict, outcome: dict, actor: str) -> list[tuple[Event, dict]]:
    events = []
    if outcome["applied"]:
        changed = {k: update[k] for k in (*inventory.FIELDS, "available") if update.get(k) is not None}
        events.append((INVENTORY_CHANGED, {
            "product_id": product.id, "supplier_id": product.supplier_id, "supplier_code": product.supplier_code,
            "kind": product.kind, "location": product.location, "days": outcome["applied"],
            "changes": changed, "changed_by": actor}))
    for over in outcome["overbooked"]:
        # short_by: units booked or held beyond the capacity, which the desk must find or cancel.
        events.append((OVERBOOKED, {
            "product_id": product.id, "supplier_id": product.supplier_id, "day": over["day"],
            "capacity": over["capacity"], "booked": over["booked"], "held": over["held"],
            "short_by": over["short_by"]}))
    return events
