"""Customer records: the rules, free of nameko and of the broker.

- Every email is compared lowercased and every phone as its digits with a leading + ("+34 600-12
  34 56" and "0034 600123456" -> "+34600123456"); on create (and when a contact is added) a customer who already has
  one of them is a duplicate: Conflict, naming the existing customer(s), unless confirmed.
- Travel document numbers are stored as given and leave only masked (****1234) unless the
  caller asks to reveal them; events always carry them masked.
- The name is stored folded for search (services.crm.text.fold): "Nunez" finds "Núñez".
"""
import re
import uuid
from datetime import date, datetime

from sqlalchemy import select, text as sql_text

from services.common.db import utcnow
from services.common.errors import Conflict, NotFound
from services.common.etags import check_if_match
from services.common.paging import contains, page_of
from services.common.text import mask_number

from . import timeline
from .models import Customer, CustomerContact
from .text import clean_labels, fold, label_pattern, label_search

LABEL_FIELDS = ("preferences", "interests", "dietary_needs", "accessibility_needs", "tags")
SIMPLE_FIELDS = ("full_name", "preferred_language", "date_of_birth", "nationality", "notes")
_NOT_DIGIT = re.compile(r"\D")


# --- normalizing and masking -----------------------------------------------------------------

def normalize_email(value: str) -> str:
    return value.strip().lower()


def normalize_phone(value: str) -> str:
    """Digits with a leading +; a leading 00 (the international prefix) counts as the +."""
    value = (value or "").strip()
    digits = _NOT_DIGIT.sub("", value)
    if not value.startswith("+") and digits.startswith("00"):
        digits = digits[2:]
    return "+" + digits if digits else ""


def documents_view(documents: list, reveal: bool = False) -> list[dict]:
    return [{"type": d.get("type"), "number": d.get("number") if reveal else mask_number(d.get("number")),
             "country": d.get("country"), "expiry": d.get("expiry"), "masked": not reveal}
            for d in documents or ()]


def _unique_contacts(values, normalize) -> list[str]:
    seen, out = set(), []
    for value in values:
        if not value:
            continue
        value = value.strip()
        key = normalize(value)
        if key and key not in seen:
            seen.add(key)
            out.append(value)
    return out


def _stored_documents(documents) -> list[dict]:
    """Documents as JSON: the date as ISO text, the number and country upper-cased."""
    out = []
    for d in documents or ():
        expiry = d.get("expiry")
        out.append({"type": d["type"], "number": d["number"].strip().upper(), "country": d["country"],
                    "expiry": expiry.isoformat() if hasattr(expiry, "isoformat") else expiry})
    return out


# --- reading ---------------------------------------------------------------------------------

def as_dict(customer: Customer, reveal_documents: bool = False) -> dict:
    return {
        "id": customer.id,
        "full_name": customer.full_name,
        "email": customer.email,
        "phone": customer.phone,
        "emails": list(customer.emails or ()),
        "phones": list(customer.phones or ()),
        "preferred_language": customer.preferred_language,
        "date_of_birth": customer.date_of_birth,
        "nationality": customer.nationality,
        "documents": [dict(d, expiry=_as_date(d["expiry"])) for d in documents_view(customer.documents,
                                                                                     reveal_documents)],
        "preferences": list(customer.preferences or ()),
        "interests": list(customer.interests or ()),
        "dietary_needs": list(customer.dietary_needs or ()),
        "accessibility_needs": list(customer.accessibility_needs or ()),
        "marketing_consent": bool(customer.marketing_consent),
        "marketing_consent_at": customer.marketing_consent_at,
        "tags": list(customer.tags or ()),
        "notes": customer.notes,
        "past_destinations": list(customer.past_destinations or ()),
        "last_trip_date": customer.last_trip_date,
        "created_at": customer.created_at,
        "created_by": customer.created_by,
        "updated_at": customer.updated_at,
        "updated_by": customer.updated_by,
    }


def _as_date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def get_customer(session, customer_id: str, for_update: bool = False) -> Customer:
    customer = session.get(Customer, customer_id, with_for_update=for_update or None)
    if customer is None:
        raise NotFound(f"No customer {customer_id}.", {"customer_id": customer_id})
    return customer


def find_duplicates(session, emails, phones, exclude_id: str | None = None) -> list[dict]:
    """The customers who already have one of these emails or phones, oldest first."""
    keys = [("email", normalize_email(e)) for e in emails] + [("phone", normalize_phone(p)) for p in phones]
    keys = [(k, v) for k, v in keys if v]
    if not keys:
        return []
    matched: dict[str, set] = {}
    for kind in ("email", "phone"):
        values = [v for k, v in keys if k == kind]
        if not values:
            continue
        rows = session.execute(select(CustomerContact.customer_id).where(
            CustomerContact.kind == kind, CustomerContact.value.in_(values))).all()
        for (customer_id,) in rows:
            if customer_id != exclude_id:
                matched.setdefault(customer_id, set()).add(kind)
    if not matched:
        return []
    found = session.scalars(select(Customer).where(Customer.id.in_(matched)).order_by(Customer.created_at)).all()
    return [{"id": c.id, "full_name": c.full_name, "matched_on": sorted(matched[c.id])} for c in found]


def _lock_contacts(session, emails, phones):
    """On PostgreSQL two desks registering the same email at once take turns, so the second sees
    the first (locks in sorted order, held to the end of the transaction). SQLite has one writer."""
    if session.get_bind().dialect.name != "postgresql":
        return
    keys = sorted({f"crm-contact:email:{normalize_email(e)}" for e in emails}
                  | {f"crm-contact:phone:{normalize_phone(p)}" for p in phones})
    for key in keys:
        session.execute(sql_text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})


def _refuse_duplicates(session, emails, phones, exclude_id=None):
    _lock_contacts(session, emails, phones)
    duplicates = find_duplicates(session, emails, phones, exclude_id)
    if duplicates:
        ids = [d["id"] for d in duplicates]
        raise Conflict(
            f"A customer with the same email or phone already exists: {', '.join(ids)}. "
            "Confirm the duplicate to create another record.",
            {"duplicates": duplicates, "existing_customer_ids": ids})


def _set_contacts(session, customer: Customer):
    for contact in session.scalars(select(CustomerContact).where(CustomerContact.customer_id == customer.id)):
        session.delete(contact)
    for email in customer.emails:
        session.add(CustomerContact(customer_id=customer.id, kind="email", value=normalize_email(email)))
    for phone in customer.phones:
        session.add(CustomerContact(customer_id=customer.id, kind="phone", value=normalize_phone(phone)))


def _set_search_columns(customer: Customer):
    customer.search_name = fold(customer.full_name)
    customer.interests_search = label_search(customer.interests)
    customer.tags_search = label_search(customer.tags)


# --- writing ---------------------------------------------------------------------------------

def create_customer(session, data: dict, actor: str, now: datetime | None = None,
                    confirm_duplicate: bool = False) -> Customer:
    """data as loaded by CustomerCreateSchema."""
    now = now or utcnow()
    emails = _unique_contacts([data.get("email"), *data.get("emails", ())], normalize_email)
    phones = _unique_contacts([data.get("phone"), *data.get("phones", ())], normalize_phone)
    if confirm_duplicate:
        _lock_contacts(session, emails, phones)
    else:
        _refuse_duplicates(session, emails, phones)
    customer = Customer(
        id=str(uuid.uuid4()), full_name=data["full_name"].strip(), emails=emails, phones=phones,
        email=emails[0] if emails else None, phone=phones[0] if phones else None,
        preferred_language=data.get("preferred_language"), date_of_birth=data.get("date_of_birth"),
        nationality=data.get("nationality"), documents=_stored_documents(data.get("documents")),
        marketing_consent=bool(data.get("marketing_consent")),
        marketing_consent_at=now if data.get("marketing_consent") else None,
        notes=data.get("notes"), past_destinations=[], destinations_search="", last_trip_date=None,
        created_at=now, created_by=actor,
        **{name: clean_labels(data.get(name)) for name in LABEL_FIELDS},
    )
    _set_search_columns(customer)
    session.add(customer)
    session.flush()
    _set_contacts(session, customer)
    timeline.add(session, customer.id, "crm.customer_created", "Customer registered", now, actor=actor,
                 ref_type="customer", ref_id=customer.id)
    session.flush()
    return customer


def _primary_first(values: list[str], primary: str, normalize) -> list[str]:
    key = normalize(primary)
    return [primary.strip()] + [v for v in values if normalize(v) != key]


def update_customer(session, customer_id: str, changes: dict, actor: str, now: datetime | None = None,
                    confirm_duplicate: bool = False, if_match: str | None = None) -> tuple[Customer, dict]:
    """PATCH: changes as loaded by CustomerUpdateSchema. Returns the customer and, for each field
    that really changed, its new value as the RPC shows it (documents masked).

    With if_match, PreconditionFailed unless it is the ETag of the customer as read now, with
    documents masked or revealed (either is a read the clerk may have edited from)."""
    now = now or utcnow()
    customer = get_customer(session, customer_id, for_update=True)
    before = as_dict(customer, reveal_documents=True)
    check_if_match(if_match, as_dict(customer), before)
    new: dict = {}
    for name in SIMPLE_FIELDS:
        if name in changes:
            value = changes[name]
            new[name] = value.strip() if isinstance(value, str) and name == "full_name" else value
    for name in LABEL_FIELDS:
        if name in changes:
            new[name] = clean_labels(changes[name])
    if "emails" in changes or "email" in changes:
        emails = _unique_contacts(changes.get("emails", customer.emails), normalize_email)
        if changes.get("email"):
            emails = _primary_first(emails, changes["email"], normalize_email)
        new["emails"] = emails
    if "phones" in changes or "phone" in changes:
        phones = _unique_contacts(changes.get("phones", customer.phones), normalize_phone)
        if changes.get("phone"):
            phones = _primary_first(phones, changes["phone"], normalize_phone)
        new["phones"] = phones
    if "documents" in changes:
        new["documents"] = _stored_documents(changes["documents"])
    if "marketing_consent" in changes:
        new["marketing_consent"] = bool(changes["marketing_consent"])

    stored_before = {"documents": customer.documents}
    changed = [name for name, value in new.items()
               if value != stored_before.get(name, before.get(name))]
    if not changed:
        return customer, {}

    added_emails = [e for e in new.get("emails", ()) if normalize_email(e) not in
                    {normalize_email(x) for x in customer.emails}]
    added_phones = [p for p in new.get("phones", ()) if normalize_phone(p) not in
                    {normalize_phone(x) for x in customer.phones}]
    if (added_emails or added_phones) and not confirm_duplicate:
        _refuse_duplicates(session, added_emails, added_phones, exclude_id=customer.id)

    for name in changed:
        setattr(customer, name, new[name])
    if "emails" in changed:
        customer.email = customer.emails[0] if customer.emails else None
    if "phones" in changed:
        customer.phone = customer.phones[0] if customer.phones else None
    if "marketing_consent" in changed:
        customer.marketing_consent_at = now
    customer.updated_at, customer.updated_by = now, actor
    _set_search_columns(customer)
    if "emails" in changed or "phones" in changed:
        _set_contacts(session, customer)
    timeline.add(session, customer.id, "crm.customer_updated", "Updated " + ", ".join(changed), now,
                 actor=actor, ref_type="customer", ref_id=customer.id, payload={"fields": changed})
    session.flush()
    after = as_dict(customer)
    shown = {name: after[name] for name in changed}
    for derived in ("email", "phone", "marketing_consent_at"):
        if after[derived] != before[derived]:
            shown[derived] = after[derived]
    return customer, shown


# --- search ----------------------------------------------------------------------------------

def search(session, name: str | None = None, phone: str | None = None, email: str | None = None,
           tag: str | None = None, page: int = 1, page_size: int = 20) -> tuple[list[Customer], int]:
    """Every criterion given must match. Name: each word, folded, anywhere in the folded name;
    phone: its digits anywhere in a number; email: anywhere in an address, case aside; tag: exactly."""
    statement = select(Customer)
    if name:
        for word in fold(name).split(" "):
            statement = statement.where(contains(Customer.search_name, word))
    if phone:
        digits = normalize_phone(phone).lstrip("+")  # "0034 600" -> "34600"
        statement = statement.where(Customer.id.in_(select(CustomerContact.customer_id).where(
            CustomerContact.kind == "phone", contains(CustomerContact.value, digits or "-"))))
    if email:
        statement = statement.where(Customer.id.in_(select(CustomerContact.customer_id).where(
            CustomerContact.kind == "email", contains(CustomerContact.value, normalize_email(email)))))
    if tag:
        statement = statement.where(Customer.tags_search.like(label_pattern(tag), escape="\\"))
    statement = statement.order_by(Customer.search_name, Customer.id)
    return page_of(session, statement, page, page_size)

