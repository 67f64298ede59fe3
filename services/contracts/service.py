"""Contracts: order files, payment schedules, payments, invoices, refunds, amendments."""
from pathlib import Path

from services.common.service import ServiceBase
from services.common.unit_of_work import Database

from .models import Base


class ContractsService(ServiceBase):
    name = "contracts"
    uow = Database(Base.metadata, migrations=str(Path(__file__).parent / "migrations"))
