"""Cancellation by the customer: the fee from the contract's tiers, and what is refunded.

A tier reads "cancelling `days_before` days or fewer before departure costs `penalty_percent` of
the total" (the quote's terms). The tier that applies is the tightest one the cancellation date
still falls in: with tiers at 30, 14 and 3 days, cancelling 20 days before costs the 30-day tier's
percentage; more than 30 days before costs nothing.
"""
from datetime import date
from decimal import Decimal

from .schedule import cents


def tier_for(tiers: list[dict], cancelled_on: date, departure: date) -> dict | None:
    days_left = (departure - cancelled_on).days
    within = [t for t in tiers if days_left <= t["days_before"]]
    return min(within, key=lambda t: t["days_before"]) if within else None


def settlement(total: Decimal, paid: Decimal, tiers: list[dict], *, cancelled_on: date, departure: date) -> dict:
    """The fee, what is refunded (paid - fee, never below 0) and what the customer still owes."""
    tier = tier_for(tiers, cancelled_on, departure)
    fee = cents(Decimal(total) * Decimal(tier["penalty_percent"]) / 100) if tier else Decimal("0.00")
    paid = cents(paid)
    return {"days_before_departure": (departure - cancelled_on).days, "tier": tier, "fee": fee,
            "paid": paid, "refund": max(paid - fee, Decimal("0.00")), "owed": max(fee - paid, Decimal("0.00"))}
