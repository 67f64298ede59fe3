"""Periods of UTC dates, both ends included, and the buckets (day, ISO week, month) they split into."""
import calendar
from datetime import date, datetime, time, timedelta, timezone

from services.common.errors import ValidationFailed

from ..wire import MAX_REPORT_DAYS as MAX_PERIOD_DAYS
from ..wire import REPORT_GRANULARITIES as GRANULARITIES


def check_period(start: date, end: date):
    if end < start:
        raise ValidationFailed("The period ends before it starts.", {"end": ["Must not be before start."]})
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationFailed(f"A report covers at most {MAX_PERIOD_DAYS} days.",
                               {"end": [f"At most {MAX_PERIOD_DAYS} days from start."]})


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00 UTC, the day after end 00:00 UTC): every instant whose UTC date is in the period."""
    return (datetime.combine(start, time.min, tzinfo=timezone.utc),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=timezone.utc))


def utc_date(moment: datetime) -> date:
    return moment.astimezone(timezone.utc).date()


def bucket_of(day: date, granularity: str) -> tuple[str, date, date]:
    """(label, first day, last day) of the bucket holding `day`.

    day: "2027-03-01"; week: the ISO week, Monday to Sunday, "2027-W09" (ISO week-numbering
    year, so 2027-01-01 is in "2026-W53"); month: "2027-03".
    """
    if granularity == "day":
        return day.isoformat(), day, day
    if granularity == "week":
        year, week, weekday = day.isocalendar()
        monday = day - timedelta(days=weekday - 1)
        return f"{year}-W{week:02d}", monday, monday + timedelta(days=6)
    if granularity == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return f"{day.year}-{day.month:02d}", day.replace(day=1), day.replace(day=last)
    raise ValidationFailed("Unknown granularity.", {"granularity": [f"One of {', '.join(GRANULARITIES)}."]})


def buckets(start: date, end: date, granularity: str) -> list[dict]:
    """Every bucket of the period in order, its first and last day clipped to the period."""
    found: dict[str, dict] = {}
    day = start
    while day <= end:
        label, first, last = bucket_of(day, granularity)
        found.setdefault(label, {"bucket": label, "start": max(first, start), "end": min(last, end)})
        day = last + timedelta(days=1)
    return list(found.values())
