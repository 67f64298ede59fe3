"""Feedback: complaints with SLA clocks, post-trip surveys, KPIs.

Thin entrypoints, one mixin per part (complaint_entrypoints, survey_entrypoints,
kpi_entrypoints) over plain rules; the KPIs are built from the other services' events into
feedback's own tables, never by reading their databases.
"""
from pathlib import Path

from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy

from services.common.service import ServiceBase
from services.common.unit_of_work import Database

from .complaint_entrypoints import ComplaintEntrypoints
from .kpi_entrypoints import KpiEntrypoints
from .models import Base
from .survey_entrypoints import SurveyEntrypoints


class FeedbackService(ComplaintEntrypoints, SurveyEntrypoints, KpiEntrypoints, ServiceBase):
    name = "feedback"
    uow = Database(Base.metadata, migrations=str(Path(__file__).parent / "migrations"))
    config = Config()
    crm = RpcProxy("crm")
    contracts = RpcProxy("contracts")
    itinerary = RpcProxy("itinerary")
    ticketing = RpcProxy("ticketing")
