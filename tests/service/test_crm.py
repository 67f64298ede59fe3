"""CRM on the real broker and database."""
import pytest
from sqlalchemy import create_engine, text

from services.common.errors import NotFound, ValidationFailed
from services.crm.service import CrmService
from tests.conftest import wait_for
from tests.events import subscribe

pytestmark = pytest.mark.service


def count_customers(container) -> int:
    engine = create_engine(container.config["DATABASE_URLS"]["crm"])
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM customers")).scalar()
    finally:
        engine.dispose()


def test_create_customer_is_stored_and_announced(start_service, rpc, amqp, nameko_config):
    start_service(CrmService)
    with subscribe(amqp, nameko_config, "crm.customer_created") as received:
        created = rpc.crm.create_customer({"full_name": "María José Núñez", "email": "mj@example.es",
                                           "preferred_language": "es"})
        [(envelope, _)] = wait_for(received, message="crm.customer_created")
    assert rpc.crm.get_customer(created["id"]) == created
    assert created["full_name"] == "María José Núñez" and created["created_by"] == "service:crm"
    assert envelope["payload"]["id"] == created["id"]
    assert envelope["payload"]["email"] == "mj@example.es"


def test_invalid_customer_is_refused_with_field_messages_and_nothing_written(start_service, rpc):
    crm = start_service(CrmService)
    with pytest.raises(ValidationFailed) as refused:
        rpc.crm.create_customer({"full_name": "", "email": "not-an-email", "colour": "blue"})
    fields = refused.value.details
    assert set(fields) == {"full_name", "email", "colour"}
    assert count_customers(crm) == 0


def test_unknown_customer_is_not_found(start_service, rpc):
    start_service(CrmService)
    with pytest.raises(NotFound):
        rpc.crm.get_customer("3f0e4f55-0000-0000-0000-000000000000")
