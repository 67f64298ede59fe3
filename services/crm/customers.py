"""Customer records: the rules, free of nameko and of the broker."""
import uuid

from services.common.db import utcnow
from services.common.errors import NotFound

from .models import Customer


def create_customer(session, data: dict, actor: str) -> Customer:
    customer = Customer(id=str(uuid.uuid4()), created_at=utcnow(), created_by=actor, **data)
    session.add(customer)
    session.flush()
    return customer


def get_customer(session, customer_id: str) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"No customer {customer_id}.", {"customer_id": customer_id})
    return customer
