"""Contracts: order files, payment schedules, payments, invoices, refunds, amendments."""
from pathlib import Path

from services.common.db import Database
from services.common.service import ItineraService

from .models import Base


class ContractsService(ItineraService):
    name = "contracts"
    db = Database(Base.metadata, migrations=str(Path(__file__).parent / "migrations"))
