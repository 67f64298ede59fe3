"""Feedback: complaints with SLA clocks, post-trip surveys, KPIs."""
from pathlib import Path

from services.common.db import Database
from services.common.service import ItineraService

from .models import Base


class FeedbackService(ItineraService):
    name = "feedback"
    db = Database(Base.metadata, migrations=str(Path(__file__).parent / "migrations"))
