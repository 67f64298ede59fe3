"""Ticketing: suppliers, daily inventory, holds, bookings, changes, refunds, supplier pushes."""
from pathlib import Path

from services.common.db import Database
from services.common.service import ItineraService

from .models import Base


class TicketingService(ItineraService):
    name = "ticketing"
    db = Database(Base.metadata, migrations=str(Path(__file__).parent / "migrations"))
