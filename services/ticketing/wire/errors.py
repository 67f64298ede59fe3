"""Remote errors only ticketing raises. Registered with nameko here, so a caller that imports
ticketing's wire re-raises them typed; each is a kernel error too (the gateway answers 409 as for
any Conflict, and `except Conflict` still catches it).

Ticketing also raises the kernel's own: NotFound (supplier, product, hold, booking, line),
Unauthorized (a supplier's API key), Forbidden (another supplier's product), Conflict (a line that
is not confirmed, a change across currencies, a refund over what is left) and ValidationFailed with
per-field messages.
"""
from services.common.errors import Conflict, remote_error

__all__ = ["NotBookable", "HoldNotActive", "NOT_BOOKABLE_REASONS"]

NOT_BOOKABLE_REASONS = ("past_date", "no_allotment", "stop_sell", "on_request", "sold_out")


@remote_error
class NotBookable(Conflict):
    """Units cannot be taken on a date. details: product_id, day, reason (one of
    NOT_BOOKABLE_REASONS) and, when sold out, how many are `available` of those `requested`."""


@remote_error
class HoldNotActive(Conflict):
    """The hold can no longer be extended, released or confirmed. details: status (expired,
    released or confirmed)."""
