"""The agency's own details and money policy, from the nameko config or the environment.

Printed on every contract, receipt and invoice (the agency's name, address, tax id, licence), and
the limits finance works to. The agency's `emergency_phone` (AGENCY_EMERGENCY_PHONE, else its phone)
is the line the trip documents give travellers on the road. Defaults work on a laptop; an agency sets its own in production.
"""
import os
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

AGENCY_KEYS = ("name", "address", "tax_id", "phone", "email", "licence")
DEFAULT_AGENCY = {"name": "Itinera Travel", "address": "", "tax_id": "", "phone": "", "email": "", "licence": ""}


@dataclass(frozen=True)
class Settings:
    agency: dict
    refund_approval_limit: Decimal  # finance approves refunds up to this; managers beyond
    tax_percent: Decimal            # the invoice's tax, included in the contract's prices
    invoice_prefix: str
    credit_note_prefix: str
    desk_timezone: ZoneInfo         # which calendar day a payment belongs to
    signing_base_url: str           # where the customer's signing link points
    reminder_every: timedelta       # how long a supplier may leave a confirmation request unanswered
    reminders_before_attention: int  # reminders after which the consultant is told
    overdue_cancel_days: int        # days a balance may stay unpaid before the contract's cancellation applies
    trip_owner: str                 # who gets the trip's follow-ups when the order file names no staff user


def _get(config: dict, key: str, default: str) -> str:
    return str(config.get(key) or os.environ.get(key) or default)


def from_config(config: dict | None = None) -> Settings:
    config = config or {}
    agency = {k: _get(config, f"AGENCY_{k.upper()}", DEFAULT_AGENCY[k]) for k in AGENCY_KEYS}
    agency["emergency_phone"] = _get(config, "AGENCY_EMERGENCY_PHONE", agency["phone"])
    return Settings(
        agency=agency,
        refund_approval_limit=Decimal(_get(config, "REFUND_APPROVAL_LIMIT", "1000")),
        tax_percent=Decimal(_get(config, "INVOICE_TAX_PERCENT", "0")),
        invoice_prefix=_get(config, "INVOICE_SERIES", "F"),
        credit_note_prefix=_get(config, "CREDIT_NOTE_SERIES", "CN"),
        desk_timezone=ZoneInfo(_get(config, "DESK_TIMEZONE", "UTC")),
        signing_base_url=_get(config, "SIGNING_BASE_URL", "http://127.0.0.1:8000"),
        reminder_every=timedelta(hours=float(_get(config, "SUPPLIER_REMINDER_HOURS", "24"))),
        reminders_before_attention=int(_get(config, "SUPPLIER_REMINDERS_BEFORE_ATTENTION", "3")),
        overdue_cancel_days=int(_get(config, "OVERDUE_CANCEL_DAYS", "14")),
        trip_owner=_get(config, "TRIP_DESK_OWNER", "admin"),
    )
