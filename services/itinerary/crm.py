"""What itinerary asks CRM: an inquiry (party, travel dates, customer) and a customer's name.

CRM owns customers and inquiries; itinerary copies what it needs when it needs it (an itinerary
takes the inquiry's party and dates when it is created, a quote the customer's name when it is
issued) and keeps no link that must stay in step. The service asks before it opens its own
transaction; nothing here reads a database.
"""
from datetime import date

from nameko.exceptions import UnknownService

from services.common.errors import NotFound, Unavailable, ValidationFailed

CRM_DOWN = "CRM is not running; the inquiry and the customer cannot be read now."


def fetch_inquiry(crm, inquiry_id: str) -> dict:
    """The inquiry as CRM returns it; unknown: ValidationFailed on inquiry_id."""
    try:
        return crm.get_inquiry(inquiry_id)
    except NotFound:
        raise ValidationFailed(f"No inquiry {inquiry_id} in CRM.",
                               {"inquiry_id": [f"No CRM inquiry {inquiry_id}."]}) from None
    except UnknownService:
        raise Unavailable(CRM_DOWN) from None


def customer_name(crm, customer_id: str) -> str:
    """The customer's full name as CRM has it; unknown: ValidationFailed on customer_id."""
    try:
        return crm.get_customer(customer_id)["full_name"]
    except NotFound:
        raise ValidationFailed(f"No customer {customer_id} in CRM.",
                               {"customer_id": [f"No CRM customer {customer_id}; set the itinerary's customer "
                                                f"or give customer_name."]}) from None
    except UnknownService:
        raise Unavailable(CRM_DOWN) from None


def _date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def with_inquiry(fields: dict, inquiry: dict) -> dict:
    """The itinerary's fields completed from its inquiry: what the request leaves out (party,
    start date, number of days, customer, title) comes from the inquiry; what it gives wins.

    Raises ValidationFailed when the inquiry is another customer's, or when neither the request
    nor the inquiry has a party or a start date (an inquiry for a flexible month has no date)."""
    merged = dict(fields)
    errors = {}
    if merged.get("customer_id") and merged["customer_id"] != inquiry["customer_id"]:
        errors["customer_id"] = [f"The inquiry {inquiry['id']} is customer {inquiry['customer_id']}'s."]
    merged["customer_id"] = inquiry["customer_id"]
    party = inquiry.get("party")
    if merged.get("party") is None:
        if party:
            merged["party"] = {"adults": party["adults"],
                               "children": [{"age": age} for age in party.get("children") or []]}
        else:
            errors["party"] = ["The inquiry has no party yet: give adults and children."]
    window = inquiry.get("travel_window") or {}
    start, end = _date(window.get("start")), _date(window.get("end"))
    if merged.get("start_date") is None:
        if start:
            merged["start_date"] = start
            # A catalog product's duration wins over the inquiry's dates: the product is the trip.
            if merged.get("days") is None and not merged.get("catalog_product_id") and end and end >= start:
                merged["days"] = (end - start).days + 1
        else:
            month = f" (only a month, {window['month']})" if window.get("month") else ""
            errors["start_date"] = [f"The inquiry has no travel date{month}: give start_date."]
    if merged.get("days") is None and not merged.get("catalog_product_id") and window.get("nights") \
            and merged.get("start_date"):
        merged["days"] = window["nights"] + 1
    if not merged.get("title") and inquiry.get("destinations"):
        merged["title"] = ", ".join(inquiry["destinations"])[:200]
    if errors:
        raise ValidationFailed("The inquiry does not give what the itinerary needs.", errors)
    return merged
