"""Moving contracts' calendar in a test: its departures and returns go by the date, and a trip
cannot be held in the past. Only the in-process contracts container's clock moves (its service and
trip entrypoints' `utcnow`); the other services keep the real one."""
from datetime import date, datetime, timedelta, timezone

from services.common.db import utcnow
from services.contracts import service as contracts_service, trip_entrypoints


def travel_to(monkeypatch, on: date):
    """From now on, contracts' clock reads midday (UTC) of `on`, and goes on ticking."""
    shift = datetime.combine(on, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=12) - utcnow()
    for module in (contracts_service, trip_entrypoints):
        monkeypatch.setattr(module, "utcnow", lambda: utcnow() + shift)
