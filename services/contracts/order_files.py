"""The order file: opened from an accepted quote, completed, checked, signed, amended, cancelled.

Nothing of the quote is re-priced: the order file keeps the accepted version's lines, per-person
prices, fees and terms as the quote froze them. The contract's versions hold what was signed; the
total in force is the latest signed version's (the first draft's until one is signed).
"""
import hashlib
import secrets
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from services.common.documents import locales
from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.common.paging import page_of
from services.common.serialization import to_plain

from . import document_check, numbering, schedule
from .models import ContractVersion, Instalment, Invoice, OrderFile, SupplierConfirmation
from .wire import SigningBlocked

ZERO = Decimal("0.00")


def language_of(customer: dict | None) -> str:
    """The contract's language from the customer's preferred one: zh, es, else en (the rule CRM's
    letters follow too)."""
    return locales.language_of((customer or {}).get("preferred_language"))


def traveller(customer: dict, kind: str = "adult", visa: str | None = None) -> dict:
    """A traveller as the contract names them: CRM's record as it is now (document numbers masked)."""
    return to_plain({"customer_id": customer["id"], "full_name": customer["full_name"], "type": kind,
                     "date_of_birth": customer.get("date_of_birth"), "nationality": customer.get("nationality"),
                     "documents": [{k: d.get(k) for k in ("type", "number", "country", "expiry")}
                                   for d in customer.get("documents") or []], "visa": visa})


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


# --- opening ---------------------------------------------------------------------------------

def find_by_quote(session, quote_id: str) -> OrderFile | None:
    return session.scalar(select(OrderFile).where(OrderFile.quote_id == quote_id))


def open_from_quote(session, accepted: dict, customer: dict | None, *, actor: str, now: datetime) -> OrderFile:
    """A new order file from an `itinerary.quote_accepted` payload, its contract drafted as version 1
    and its schedule set from the quote's payment terms. `customer`: the quote's customer from CRM
    (the first traveller), or None."""
    start, end = _day(accepted["start_date"]), _day(accepted["end_date"])
    total = schedule.cents(accepted["total"])
    accepted_on = datetime.fromisoformat(accepted["accepted_at"]).date() if accepted.get("accepted_at") else now.date()
    order = OrderFile(
        id=str(uuid.uuid4()), order_number=numbering.order_number(session, now.year), quote_id=accepted["quote_id"],
        quote_number=accepted.get("quote_number"), quote_version=accepted["version"],
        itinerary_id=accepted["itinerary_id"], customer_id=accepted.get("customer_id"),
        inquiry_id=accepted.get("inquiry_id"), consultant=accepted.get("issued_by") or accepted.get("accepted_by"),
        title=accepted["title"], start_date=start, end_date=end,
        currency=accepted["currency"], language=language_of(customer), status="drafted",
        quote={k: accepted.get(k) for k in ("lines", "per_person", "fees", "totals", "party", "travellers", "rates")},
        payment_terms=accepted["payment_terms"], cancellation_tiers=accepted.get("cancellation_terms") or [],
        terms_notes=accepted.get("terms_notes"), travellers=[traveller(customer)] if customer else [],
        entry_requirements={"passport_required": True, "visa_required": False}, current_version=1,
        created_at=now, created_by=actor, updated_at=now)
    session.add(order)
    session.add(ContractVersion(order_file_id=order.id, version=1, status="draft", reason="initial", total=total,
                                lines=accepted.get("lines") or [], affected_suppliers=[], created_at=now,
                                created_by=actor))
    dues = schedule.build(total, accepted["payment_terms"], accepted_on=accepted_on, departure=start)
    _set_schedule(session, order, dues)
    session.flush()
    return order


def _set_schedule(session, order: OrderFile, dues: list[schedule.Due]):
    for old in list(order.instalments):
        session.delete(old)
    session.flush()
    order.instalments = [Instalment(order_file_id=order.id, n=d.n, kind=d.kind, due_on=d.due_on, amount=d.amount)
                         for d in dues]


# --- reading ---------------------------------------------------------------------------------

def get(session, order_id: str, *, lock: bool = False) -> OrderFile:
    statement = select(OrderFile).where(OrderFile.id == order_id)
    order = session.scalar(statement.with_for_update() if lock else statement)
    if order is None:
        raise NotFound(f"No order file {order_id}.")
    return order


def search(session, page: int, page_size: int, status=None, customer_id=None, order_number=None, trip_stage=None):
    statement = select(OrderFile).order_by(OrderFile.created_at.desc(), OrderFile.id)
    if status:
        statement = statement.where(OrderFile.status == status)
    if trip_stage:
        statement = statement.where(OrderFile.trip == trip_stage)
    if customer_id:
        statement = statement.where(OrderFile.customer_id == customer_id)
    if order_number:
        statement = statement.where(OrderFile.order_number == order_number.strip().upper())
    return page_of(session, statement, page, page_size)


def version(order: OrderFile, number: int | None = None) -> ContractVersion:
    number = number or order.current_version
    found = next((v for v in order.versions if v.version == number), None)
    if found is None:
        raise NotFound(f"Order file {order.order_number} has no contract version {number}.")
    return found


def in_force(order: OrderFile) -> ContractVersion:
    """The contract version the money follows: the latest signed one, else the first draft."""
    signed = [v for v in order.versions if v.status == "signed"]
    return signed[-1] if signed else order.versions[0]


def total(order: OrderFile) -> Decimal:
    return in_force(order).total


def paid(order: OrderFile) -> Decimal:
    """Received less paid back."""
    return sum((p.amount for p in order.payments), ZERO)


def dues(order: OrderFile) -> list[schedule.Due]:
    return [schedule.Due(i.n, i.kind, i.due_on, i.amount) for i in order.instalments]


def invoiced(session, order: OrderFile) -> Decimal:
    return sum(session.scalars(select(Invoice.total).where(Invoice.order_file_id == order.id)), ZERO)


def refunded(session, order: OrderFile) -> Decimal:
    return -sum((p.amount for p in order.payments if p.amount < 0), ZERO)


def as_summary(order: OrderFile) -> dict:
    owed = total(order) if order.status != "cancelled" else (order.cancellation or {}).get("fee", ZERO)
    received = paid(order)
    return {"id": order.id, "order_number": order.order_number, "status": order.status,
            "customer_id": order.customer_id, "consultant": order.consultant, "title": order.title, "start_date": order.start_date,
            "end_date": order.end_date, "currency": order.currency, "total": total(order), "paid": received,
            "outstanding": max(Decimal(owed) - received, ZERO), "trip_stage": order.trip}


def version_dict(v: ContractVersion) -> dict:
    return {"version": v.version, "status": v.status, "reason": v.reason, "changes": v.changes, "total": v.total,
            "suppliers": [{"supplier": c.supplier, "confirmed": c.confirmed_at is not None,
                           "confirmed_by": c.confirmed_by, "reference": c.reference, "confirmed_at": c.confirmed_at,
                           "recorded_by": c.recorded_by} for c in v.confirmations],
            "signature": v.signature, "document_sha256": v.document_sha256, "created_at": v.created_at,
            "created_by": v.created_by}


def as_dict(session, order: OrderFile, today: date) -> dict:
    record = as_summary(order)
    record.update({
        "quote_id": order.quote_id, "quote_number": order.quote_number, "quote_version": order.quote_version,
        "itinerary_id": order.itinerary_id, "inquiry_id": order.inquiry_id, "language": order.language,
        "travellers": [{**t, "date_of_birth": t.get("date_of_birth") and _day(t["date_of_birth"])}
                       for t in order.travellers], "entry_requirements": order.entry_requirements,
        "special_arrangements": order.special_arrangements, "payment_terms": order.payment_terms,
        "cancellation_tiers": order.cancellation_tiers, "terms_notes": order.terms_notes, "quote": order.quote,
        "current_version": order.current_version, "versions": [version_dict(v) for v in order.versions],
        "schedule": schedule.standing(dues(order), max(paid(order), ZERO), today),
        "document_override": order.document_override, "cancellation": order.cancellation,
        "refunded": refunded(session, order), "invoiced": invoiced(session, order),
        "created_at": order.created_at, "created_by": order.created_by})
    return record


def document_data(order: OrderFile, agency: dict, v: ContractVersion, today: date) -> dict:
    """What the contract document prints for version `v` (services.contracts.documents)."""
    return {
        "order_number": order.order_number, "version": v.version, "language": order.language, "title": order.title,
        "start_date": order.start_date.isoformat(), "end_date": order.end_date.isoformat(),
        "currency": order.currency, "agency": agency,
        "customer": next(({"full_name": t["full_name"]} for t in order.travellers
                          if t["customer_id"] == order.customer_id), {"full_name": None}),
        "travellers": [{"full_name": t["full_name"], "type": t["type"], "date_of_birth": _iso(t.get("date_of_birth")),
                        "document": next((d for d in t.get("documents") or [] if d.get("type") == "passport"),
                                         (t.get("documents") or [None])[0])} for t in order.travellers],
        "lines": v.lines, "per_person": order.quote.get("per_person"), "fees": order.quote.get("fees") or [],
        "total": str(v.total), "changes": v.changes,
        "schedule": [{**s, "due_on": s["due_on"].isoformat(), "amount": str(s["amount"]), "paid": str(s["paid"])}
                     for s in schedule.standing(_dues_for(order, v), ZERO, today)],
        "cancellation_tiers": order.cancellation_tiers, "special_arrangements": order.special_arrangements,
        "terms": order.terms_notes, "signature": v.signature and {**v.signature, "document_sha256": v.document_sha256},
    }


def product_names(order: OrderFile) -> dict:
    """Ticketing product id -> the service as the accepted quote names it (what the customer reads)."""
    return {line.get("inventory_product_id"): line.get("description") for line in order.quote.get("lines") or []}


def letter_data(order: OrderFile, agency: dict, bookings: list[dict], today: date) -> dict:
    """What the booking confirmation letter prints: the contract in force, what is paid of each
    instalment, and the bookings made for it (a line's service named as the quote names it)."""
    data = document_data(order, agency, in_force(order), today)
    data["schedule"] = [{**s, "due_on": s["due_on"].isoformat(), "amount": str(s["amount"]), "paid": str(s["paid"])}
                        for s in schedule.standing(dues(order), max(paid(order), ZERO), today)]
    named = product_names(order)
    data["bookings"] = [{"locator": b["locator"], "product": named.get(b["product_id"]) or "",
                         "service_date": _iso(b["day"]), "status": b["status"]} for b in bookings]
    return data


def _dues_for(order: OrderFile, v: ContractVersion) -> list[schedule.Due]:
    """The schedule version `v` sets: the current one, adjusted to v's total when v is an amendment."""
    current = dues(order)
    return current if v.total == sum((d.amount for d in current), ZERO) else schedule.adjusted(current, v.total)


# --- completing and checking -----------------------------------------------------------------

def _editable(order: OrderFile):
    if order.status != "drafted":
        raise Conflict(f"Order file {order.order_number} is {order.status}: a signed contract changes by amendment.",
                       {"status": order.status})


def update(order: OrderFile, fields: dict, travellers: list[dict] | None, *, now: datetime):
    """Complete the draft: travellers (as read from CRM), entry requirements, special arrangements,
    language."""
    _editable(order)
    if travellers is not None:
        order.travellers = travellers
    if "entry_requirements" in fields:
        order.entry_requirements = fields["entry_requirements"]
    for key in ("special_arrangements", "language"):
        if key in fields:
            setattr(order, key, fields[key])
    order.document_override = None  # a changed file is checked again
    order.updated_at = now


def document_problems(order: OrderFile) -> list[dict]:
    return document_check.missing(order.travellers, order.entry_requirements, returns_on=order.end_date)


def check_documents(order: OrderFile) -> dict:
    missing = document_problems(order)
    return {"complete": not missing, "missing": missing, "overridden": order.document_override}


def override_documents(order: OrderFile, reason: str, *, roles: set, actor: str, now: datetime) -> dict:
    if not roles & {"manager", "admin"}:
        raise Forbidden("Only a manager may sign with documents missing.")
    if order.status == "cancelled" or version(order).status != "draft":
        raise Conflict(f"Nothing of {order.order_number} is waiting to be signed.", {"status": order.status})
    order.document_override = {"by": actor, "reason": reason, "at": now.isoformat(),
                               "missing": document_problems(order)}
    order.updated_at = now
    return check_documents(order)


# --- signing ---------------------------------------------------------------------------------

def _signable(order: OrderFile) -> ContractVersion:
    if order.status == "cancelled":
        raise Conflict(f"Order file {order.order_number} is cancelled.", {"status": order.status})
    v = version(order)
    if v.status != "draft":
        raise Conflict(f"Version {v.version} of {order.order_number} is {v.status}: nothing is waiting to be signed.",
                       {"version": v.version, "status": v.status})
    missing = [] if order.document_override else [dict(p) for p in document_problems(order)]
    missing += [{"field": "suppliers", "supplier": c.supplier, "customer_id": None, "full_name": None,
                 "message": f"{c.supplier} has not confirmed the change."}
                for c in v.confirmations if c.confirmed_at is None]
    if missing:
        said = (f"{m['full_name']}: {m['message']}" if m.get("full_name") else m["message"] for m in missing)
        raise SigningBlocked(f"{order.order_number} cannot be signed yet: {'; '.join(said)}", {"missing": missing})
    return v


def sign(session, order: OrderFile, signature: dict, document: bytes, *, now: datetime) -> ContractVersion:
    """Sign the waiting version with `document` (its rendered PDF), kept with its SHA-256. An
    amendment's new total adjusts the schedule (money paid beyond it is the caller's to refund)."""
    v = _signable(order)
    v.status, v.signature = "signed", {**signature, "signed_at": now.isoformat()}
    v.document_sha256, v.signed_document = hashlib.sha256(document).hexdigest(), document
    v.signing_token_digest = None
    if v.version > 1:
        _set_schedule(session, order, _dues_for(order, v))
    order.status, order.updated_at = "signed", now
    session.flush()
    return v


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def signing_link(order: OrderFile, valid_days: int, *, now: datetime) -> dict:
    """A one-time token for the customer's signing page; only its digest is kept."""
    v = _signable(order)
    token = secrets.token_urlsafe(32)
    v.signing_token_digest, v.signing_token_expires_at = _digest(token), now + timedelta(days=valid_days)
    return {"token": token, "expires_at": v.signing_token_expires_at, "version": v.version}


def by_signing_token(session, token: str, *, now: datetime) -> tuple[OrderFile, ContractVersion]:
    v = session.scalar(select(ContractVersion).where(ContractVersion.signing_token_digest == _digest(token)))
    if v is None or v.signing_token_expires_at is None or v.signing_token_expires_at < now:
        raise NotFound("This signing link is not valid: it was used, it expired, or it never existed.")
    return v.order_file, v


# --- amendments ------------------------------------------------------------------------------

def amend(order: OrderFile, fields: dict, *, actor: str, now: datetime) -> ContractVersion:
    if order.status != "signed":
        raise Conflict(f"Order file {order.order_number} is {order.status}: only a signed contract is amended "
                       f"(a draft is edited).", {"status": order.status})
    previous = order.versions[-1]
    if previous.status == "draft":
        previous.status = "superseded"  # a newer amendment replaces the unsigned one
    v = ContractVersion(order_file_id=order.id, version=previous.version + 1, status="draft", reason=fields["reason"],
                        changes=fields["changes"], total=schedule.cents(fields["total"]),
                        lines=fields["lines"] if fields.get("lines") is not None else in_force(order).lines,
                        affected_suppliers=list(dict.fromkeys(fields["affected_suppliers"])), created_at=now,
                        created_by=actor)
    v.confirmations = [SupplierConfirmation(supplier=s) for s in v.affected_suppliers]
    order.versions.append(v)
    order.current_version, order.updated_at = v.version, now
    return v


def confirm_supplier(order: OrderFile, number: int, fields: dict, *, actor: str, now: datetime) -> ContractVersion:
    v = version(order, number)
    if v.status != "draft":
        raise Conflict(f"Version {v.version} is {v.status}.", {"status": v.status})
    found = next((c for c in v.confirmations if c.supplier.casefold() == fields["supplier"].casefold()), None)
    if found is None:
        raise ValidationFailed("That supplier is not affected by this amendment.",
                               {"supplier": [f"One of: {', '.join(c.supplier for c in v.confirmations) or 'none'}."]})
    found.confirmed_by, found.reference = fields["confirmed_by"], fields["reference"]
    found.confirmed_at, found.recorded_by = now, actor
    return v
