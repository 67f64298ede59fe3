"""Feedback: complaints with SLA clocks, post-trip surveys, KPIs."""
from pathlib import Path

from services.common.service import ServiceBase
from services.common.unit_of_work import Database

from .models import Base


class FeedbackService(ServiceBase):
    name = "feedback"
    uow = Database(Base.metadata, migrations=str(Path(__file__).parent / "migrations"))
