"""Quotes: issued versions of an itinerary, each an immutable snapshot.

Issuing v(n) supersedes the open earlier version. A version can be accepted (one per itinerary,
only the latest, only while valid), rejected, or it expires after its valid_until date. The
snapshot holds everything a quote sheet shows and contracts need, as plain JSON: it is rendered
and sent without reading the itinerary again.
"""
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from services.common.errors import Conflict, NotFound, ValidationFailed
from services.common.serialization import to_plain

from . import itineraries
from .models import Approval, Itinerary, Quote


def get(session, itinerary_id: str, version: int) -> Quote:
    quote = session.scalars(select(Quote).where(Quote.itinerary_id == itinerary_id, Quote.version == version)).first()
    if quote is None:
        raise NotFound(f"The itinerary {itinerary_id} has no quote version {version}.",
                       {"itinerary_id": itinerary_id, "version": version})
    return quote


def list_for(session, itinerary_id: str) -> list[Quote]:
    return list(session.scalars(select(Quote).where(Quote.itinerary_id == itinerary_id).order_by(Quote.version)))


def as_dict(quote: Quote, *, snapshot: bool = True) -> dict:
    record = {"id": quote.id, "itinerary_id": quote.itinerary_id, "version": quote.version, "status": quote.status,
              "currency": quote.currency, "total": quote.total, "valid_until": quote.valid_until,
              "issued_at": quote.issued_at, "issued_by": quote.issued_by, "decided_at": quote.decided_at,
              "decided_by": quote.decided_by, "decision_note": quote.decision_note}
    if snapshot:
        record["snapshot"] = quote.snapshot
    return record


def fee_explanations(sheet: dict) -> list[dict]:
    """Each fee on top of the lines, with the words a quote sheet prints beside it; a voucher is
    the last deduction before the total."""
    totals, currency = sheet["totals"], sheet["currency"]
    package = totals.get("package")
    fees = package_fees(totals, package, currency) if package else _itemised_fees(totals, currency)
    if totals.get("voucher"):
        fees.insert(-1, {"code": "voucher", "label": f"Voucher {totals['voucher_code']}",
                         "amount": -totals["voucher"]})
    return fees


def apply_voucher(sheet: dict, voucher: dict | None, itinerary: Itinerary, today: date) -> dict:
    """The sheet with the voucher's value deducted from its total (never below zero): a voucher
    of this customer, in the quote's currency, not redeemed, not expired. Redeemed at acceptance."""
    if voucher is None:
        return sheet
    if voucher["status"] != "issued":
        raise Conflict(f"Voucher {voucher['code']} was already redeemed.", {"voucher_code": voucher["code"]})
    problems = {}
    if voucher["customer_id"] != itinerary.customer_id:
        problems["voucher_code"] = ["The voucher is another customer's."]
    elif voucher["currency"] != sheet["currency"]:
        problems["voucher_code"] = [f"The voucher is in {voucher['currency']}, the quote in {sheet['currency']}."]
    elif voucher.get("expires_on") and date.fromisoformat(str(voucher["expires_on"])) < today:
        problems["voucher_code"] = [f"The voucher expired after {voucher['expires_on']}."]
    if problems:
        raise ValidationFailed("The voucher cannot be used on this quote.", problems)
    totals = dict(sheet["totals"])
    deduction = min(Decimal(str(voucher["value"])), totals["total"])
    totals.update(voucher=deduction, voucher_code=voucher["code"], total=totals["total"] - deduction)
    return {**sheet, "totals": totals}


def voucher_of(quote: Quote) -> dict | None:
    """The voucher a quote deducts ({code, value}), to redeem when it is accepted."""
    totals = (quote.snapshot or {}).get("totals") or {}
    return {"code": totals["voucher_code"], "value": totals["voucher"]} if totals.get("voucher_code") else None


def _itemised_fees(totals: dict, currency: str) -> list[dict]:
    fees = [{"code": "services", "label": "Travel services (the lines above, at their selling prices)",
             "amount": totals["sell"]}]
    if totals["discount"]:
        fees.append({"code": "discount", "label": f"Discount ({totals['discount_percent']} % of the services)",
                     "amount": -totals["discount"]})
    if totals["service_fee_basis"] == "fixed":
        label = f"Agency service fee (fixed, {currency})"
    else:
        label = f"Agency service fee ({totals['service_fee_percent']} % of the services after discount)"
    fees.append({"code": "service_fee", "label": label, "amount": totals["service_fee"]})
    fees.append({"code": "tax", "label": f"Taxes ({totals['tax_percent']} % of services and fee)",
                 "amount": totals["tax"]})
    fees.append({"code": "total", "label": "Total", "amount": totals["total"]})
    return fees


def package_fees(totals: dict, package: dict, currency: str) -> list[dict]:
    """A package's price composition: the advertised price for the party, a solo traveller's
    supplement, the discount, and the taxes it includes."""
    what = f"{package['season']} season price" if package["season"] else "Package price"
    parts = [f"{package['adults']} adult{'s' if package['adults'] != 1 else ''} x {package['adult_price']}"]
    if package["children"]:
        parts.append(f"{package['children']} child{'ren' if package['children'] != 1 else ''} x "
                     f"{package['child_price']}")
    fees = [{"code": "package", "label": f"{what} ({', '.join(parts)} {currency}), all included",
             "amount": package["amount"]}]
    if package["single_supplement"]:
        fees.append({"code": "single_supplement", "label": "Single supplement (a room alone)",
                     "amount": package["single_supplement"]})
    if totals["discount"]:
        fees.append({"code": "discount", "label": f"Discount ({totals['discount_percent']} % of the price)",
                     "amount": -totals["discount"]})
    if totals["tax"]:
        fees.append({"code": "tax_included", "label": f"of which taxes ({totals['tax_percent']} %, included)",
                     "amount": totals["tax"]})
    fees.append({"code": "total", "label": "Total", "amount": totals["total"]})
    return fees


def snapshot(itinerary: Itinerary, quote: Quote, sheet: dict, problems: list[dict], terms: dict,
             approval: Approval | None, note: str | None, customer_name: str | None = None,
             issued_by_name: str | None = None, supersedes: Quote | None = None) -> dict:
    items = {item.id: item for item in itinerary.items}
    lines = []
    for line in sheet["lines"]:
        item = items[line["item_id"]]
        lines.append({**line, "check_in": line["service_date"] if line["kind"] == "hotel" else None,
                      "attributes": item.attributes or {}, "notes": item.notes})
    by_day: dict[int, list[int]] = {}
    for line in lines:
        by_day.setdefault(line["day"], []).append(line["line"])
    return to_plain({
        "quote": {"id": quote.id, "number": quote_number(itinerary.id), "version": quote.version,
                  "issued_at": quote.issued_at,
                  "issued_by": quote.issued_by, "issued_by_name": issued_by_name, "valid_until": quote.valid_until,
                  "note": note,
                  "supersedes": None if supersedes is None else {"quote_id": supersedes.id,
                                                                 "version": supersedes.version}},
        "itinerary": {
            "id": itinerary.id, "title": itinerary.title, "revision": itinerary.revision, "origin": itinerary.origin,
            "customer_id": itinerary.customer_id, "customer_name": customer_name, "inquiry_id": itinerary.inquiry_id,
            "catalog_product_id": itinerary.catalog_product_id, "start_date": itinerary.start_date,
            "end_date": itineraries.end_date(itinerary), "days": len(itinerary.days),
            "party": {"adults": itinerary.adults, "children": list(itinerary.children or [])},
            "notes": itinerary.notes},
        "currency": sheet["currency"],
        "as_of": sheet["as_of"],
        "days": [{"number": day.number, "date": itineraries.date_of(itinerary, day.number), "title": day.title,
                  "description": day.description, "lines": by_day.get(day.number, [])}
                 for day in sorted(itinerary.days, key=lambda d: d.number)],
        "lines": lines,
        "totals": sheet["totals"],
        "fees": fee_explanations(sheet),
        "per_person": sheet["per_person"],
        "rates": sheet["rates"],
        "terms": terms,
        "approval": None if approval is None else {
            "approved_by": approval.approved_by, "approved_at": approval.approved_at, "note": approval.note,
            "reasons": approval.reasons},
        "approval_reasons": sheet["approval"]["reasons"],
        "problems": problems,
    })


def quote_number(itinerary_id: str) -> str:
    """What the customer and CRM's timeline call the quote: one number per itinerary, with versions."""
    return "Q-" + itinerary_id.replace("-", "")[:8].upper()


def default_valid_until(itinerary: Itinerary, today: date, validity_days: int) -> date:
    """today + the settings' validity, but not after departure (and never before today)."""
    return max(today, min(today + timedelta(days=validity_days), itinerary.start_date))


def issue(session, itinerary: Itinerary, sheet: dict, problems: list[dict], fields: dict, *, policy: dict,
          approval: Approval | None, actor: str, now: datetime, actor_name: str | None = None,
          voucher: dict | None = None) -> tuple[Quote, Quote | None]:
    """Snapshot the sheet as the next version; returns (new quote, the version it superseded).
    actor_name: the consultant's full name, printed on the quote sheet. voucher: feedback's, to deduct."""
    today = now.date()
    itineraries.require_editable(itinerary)
    if not itinerary.customer_id:
        raise ValidationFailed("A quote needs a customer.", {"customer_id": ["Set the itinerary's customer first."]})
    if not sheet["lines"]:
        raise Conflict("The itinerary has no items to quote.", {"itinerary_id": itinerary.id})
    if sheet["unpriced_items"]:
        raise Conflict("Some items have no price yet; refresh the prices or fix the items.",
                       {"unpriced_items": sheet["unpriced_items"]})
    if sheet["approval"]["needed"] and approval is None:
        raise Conflict("This quote needs a manager's approval: " + "; ".join(sheet["approval"]["reasons"]) + ".",
                       {"reasons": sheet["approval"]["reasons"]})
    valid_until = fields.get("valid_until") or default_valid_until(itinerary, today, policy["quote_validity_days"])
    if valid_until < today:
        raise ValidationFailed("A quote cannot be valid only in the past.", {"valid_until": ["Must not be in the past."]})
    if valid_until > itinerary.start_date:
        raise ValidationFailed("A quote cannot be valid after departure.",
                               {"valid_until": [f"Must not be after the start date {itinerary.start_date}."]})
    sheet = apply_voucher(sheet, voucher, itinerary, today)
    version = (session.scalar(select(func.max(Quote.version)).where(Quote.itinerary_id == itinerary.id)) or 0) + 1
    previous = session.scalars(select(Quote).where(Quote.itinerary_id == itinerary.id, Quote.status == "issued")
                               .with_for_update()).all()
    superseded = None
    for old in previous:
        old.status, old.decided_at, old.decided_by = "superseded", now, actor
        old.decision_note = f"superseded by version {version}"
        superseded = old
    terms = to_plain(fields.get("terms") or policy["terms"])
    quote = Quote(id=str(uuid.uuid4()), itinerary_id=itinerary.id, version=version, status="issued",
                  currency=sheet["currency"], total=sheet["totals"]["total"], valid_until=valid_until,
                  issued_at=now, issued_by=actor)
    quote.snapshot = snapshot(itinerary, quote, sheet, problems, terms, approval, fields.get("note"),
                              fields.get("customer_name"), actor_name, superseded)
    session.add(quote)
    itinerary.status = "quoted"
    session.flush()
    return quote, superseded


def _refuse(quote: Quote, today: date, action: str) -> None:
    if quote.status == "superseded":
        raise Conflict(f"Version {quote.version} was {quote.decision_note}; it cannot be {action}.",
                       {"status": quote.status})
    if quote.status == "expired" or (quote.status == "issued" and quote.valid_until < today):
        raise Conflict(f"Version {quote.version} expired after {quote.valid_until}; it cannot be {action}.",
                       {"status": "expired", "valid_until": quote.valid_until.isoformat()})
    if quote.status != "issued":
        raise Conflict(f"Version {quote.version} is already {quote.status}.", {"status": quote.status})


def require_acceptable(itinerary: Itinerary, quote: Quote, today: date) -> None:
    if itinerary.status == "accepted":
        raise Conflict("The itinerary already has an accepted quote (one version per itinerary).",
                       {"status": quote.status})
    _refuse(quote, today, "accepted")


def accept(session, itinerary: Itinerary, version: int, note: str | None, *, actor: str, now: datetime) -> Quote:
    quote = get(session, itinerary.id, version)
    require_acceptable(itinerary, quote, now.date())
    quote.status, quote.decided_at, quote.decided_by, quote.decision_note = "accepted", now, actor, note
    itinerary.status = "accepted"
    itinerary.updated_at, itinerary.updated_by = now, actor
    session.flush()
    return quote


def reject(session, itinerary: Itinerary, version: int, note: str | None, *, actor: str, now: datetime) -> Quote:
    quote = get(session, itinerary.id, version)
    _refuse(quote, now.date(), "rejected")
    quote.status, quote.decided_at, quote.decided_by, quote.decision_note = "rejected", now, actor, note
    itinerary.status = "draft"
    itinerary.updated_at, itinerary.updated_by = now, actor
    session.flush()
    return quote


def expire_due(session, *, now: datetime, actor: str, limit: int = 200) -> list[tuple[Quote, Itinerary]]:
    """Issued quotes whose valid_until has passed become expired; their itineraries drafts again."""
    due = session.scalars(select(Quote).where(Quote.status == "issued", Quote.valid_until < now.date())
                          .order_by(Quote.valid_until, Quote.id).limit(limit).with_for_update()).all()
    expired = []
    for quote in due:
        quote.status, quote.decided_at, quote.decided_by = "expired", now, actor
        quote.decision_note = f"expired after {quote.valid_until}"
        itinerary = session.get(Itinerary, quote.itinerary_id)
        if itinerary.status == "quoted":
            itinerary.status = "draft"
        expired.append((quote, itinerary))
    session.flush()
    return expired
