"""Segments for after-sales marketing: past customers to offer new products to.

`past_destinations` and `last_trip_date` hold travel that happened, derived from the customer's
booked trips (services.crm.trips): a future booking or a won inquiry is not a trip yet. By default
a segment holds only customers who accept marketing; the CSV export never holds travel documents.
"""
import csv
import io
import re

from sqlalchemy import or_, select

from services.common.paging import page_of

from .models import Customer
from .text import label_pattern

CSV_COLUMNS = ("id", "full_name", "email", "phone", "preferred_language", "nationality", "interests",
               "past_destinations", "last_trip_date", "marketing_consent", "marketing_consent_at", "tags")
MAX_EXPORT_ROWS = 100_000
_PHONE_LIKE = re.compile(r"^[+\-][0-9 ()\-.]*$")


def query(interests=None, destinations=None, tag=None, preferred_language=None, last_trip_before=None,
          last_trip_after=None, consent="given"):
    """Every filter given must hold; within interests or destinations any one label is enough."""
    statement = select(Customer)
    if consent == "given":
        statement = statement.where(Customer.marketing_consent == True)  # noqa: E712
    elif consent == "not_given":
        statement = statement.where(Customer.marketing_consent == False)  # noqa: E712
    if interests:
        statement = statement.where(or_(*(Customer.interests_search.like(label_pattern(i), escape="\\")
                                          for i in interests)))
    if destinations:
        statement = statement.where(or_(*(Customer.destinations_search.like(label_pattern(d), escape="\\")
                                          for d in destinations)))
    if tag:
        statement = statement.where(Customer.tags_search.like(label_pattern(tag), escape="\\"))
    if preferred_language:
        statement = statement.where(Customer.preferred_language == preferred_language)
    if last_trip_before:
        statement = statement.where(Customer.last_trip_date < last_trip_before)
    if last_trip_after:
        statement = statement.where(Customer.last_trip_date >= last_trip_after)
    return statement.order_by(Customer.search_name, Customer.id)


def search(session, page: int = 1, page_size: int = 20, **filters):
    return page_of(session, query(**filters), page, page_size)


def row(customer: Customer) -> dict:
    return {"id": customer.id, "full_name": customer.full_name, "email": customer.email, "phone": customer.phone,
            "preferred_language": customer.preferred_language, "nationality": customer.nationality,
            "interests": list(customer.interests or ()), "past_destinations": list(customer.past_destinations or ()),
            "last_trip_date": customer.last_trip_date, "marketing_consent": bool(customer.marketing_consent),
            "marketing_consent_at": customer.marketing_consent_at, "tags": list(customer.tags or ())}


def csv_cell(value) -> str:
    """A value as CSV text. Lists are joined with '; '. Text a spreadsheet would run as a formula
    (=, @, a tab or CR first, or + and - unless it reads as a phone number) gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    elif hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    if text[:1] in ("=", "@", "\t", "\r") or (text[:1] in ("+", "-") and not _PHONE_LIKE.match(text)):
        return "'" + text
    return text


def export_csv(session, **filters) -> tuple[str, int]:
    """The whole segment as CSV (header row, CRLF line ends) and its number of rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for customer in session.scalars(query(**filters).limit(MAX_EXPORT_ROWS)):
        values = row(customer)
        writer.writerow([csv_cell(values[column]) for column in CSV_COLUMNS])
        count += 1
    return out.getvalue(), count
