"""CRM: customers, inquiries, follow-ups, timeline. Thin entrypoints over services.crm rules."""
from pathlib import Path

from services.common.db import Database, as_dict
from services.common.entrypoints import rpc
from services.common.errors import validated
from services.common.service import ItineraService

from . import customers
from .models import Base
from .schemas import CustomerCreateSchema

_create_schema = CustomerCreateSchema()


class CrmService(ItineraService):
    name = "crm"
    db = Database(Base.metadata, migrations=str(Path(__file__).parent / "migrations"))

    @rpc
    def create_customer(self, data: dict) -> dict:
        fields = validated(_create_schema, data)
        customer = customers.create_customer(self.db.session, fields, self.db.actor)
        record = as_dict(customer)
        self.db.emit("crm.customer_created", record)
        return record

    @rpc
    def get_customer(self, customer_id: str) -> dict:
        return as_dict(customers.get_customer(self.db.session, customer_id))
