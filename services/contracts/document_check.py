"""The desk's check before signing: every traveller's papers are in order for the destination.

A destination that needs a passport needs one valid at least six months after the return date
(the usual entry rule); one that needs a visa needs each traveller's visa status recorded, and
granted (or not needed for that traveller's nationality). What is missing blocks signing unless a
manager overrides it with a reason.
"""
import calendar
from datetime import date

PASSPORT_MONTHS_AFTER_RETURN = 6
VISA_STATUSES = ("not_needed", "applied", "granted", "refused")


def months_after(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day (31 August + 6 months = 28/29 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def missing(travellers: list[dict], requirements: dict, *, returns_on: date) -> list[dict]:
    """What stops signing: one entry per traveller and problem, {customer_id, full_name, field, message}.
    No travellers at all is a problem too: a contract names who travels."""
    if not travellers:
        return [{"customer_id": None, "full_name": None, "field": "travellers",
                 "message": "No traveller is named on the order file."}]
    problems = []
    valid_until = months_after(returns_on, PASSPORT_MONTHS_AFTER_RETURN)
    for t in travellers:
        def problem(field, message):
            problems.append({"customer_id": t.get("customer_id"), "full_name": t.get("full_name"),
                             "field": field, "message": message})

        if not t.get("date_of_birth"):
            problem("date_of_birth", "No date of birth.")
        if requirements.get("passport_required", True):
            passports = [d for d in t.get("documents") or [] if d.get("type") == "passport"]
            if not passports:
                problem("passport", "No passport recorded.")
            elif not any((_as_date(d.get("expiry")) or date.min) >= valid_until for d in passports):
                problem("passport", f"No passport valid until {valid_until.isoformat()} "
                                    f"({PASSPORT_MONTHS_AFTER_RETURN} months after the return).")
        if requirements.get("visa_required", False):
            status = t.get("visa")
            if status is None:
                problem("visa", "The visa need is not recorded.")
            elif status not in ("granted", "not_needed"):
                problem("visa", f"The visa is {status}, not granted.")
    return problems
