"""Itinerary: catalog, itinerary builder, cost sheets, versioned quotes."""
from pathlib import Path

from services.common.db import Database
from services.common.service import ItineraService

from .models import Base


class ItineraryService(ItineraService):
    name = "itinerary"
    db = Database(Base.metadata, migrations=str(Path(__file__).parent / "migrations"))
