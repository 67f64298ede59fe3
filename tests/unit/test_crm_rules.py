"""CRM customer rules, with SQLite and no broker."""
import pytest

from services.common.errors import NotFound, ValidationFailed, validated
from services.crm import customers
from services.crm.models import Base
from services.crm.wire import CustomerCreateSchema


def test_customer_records_who_created_it(session):
    data = validated(CustomerCreateSchema(), {"full_name": "José Pérez", "email": "jp@example.mx"})
    customer = customers.create_customer(session, data, "user:lucia")
    assert customers.get_customer(session, customer.id).created_by == "user:lucia"
    assert customer.created_at.tzinfo is not None


@pytest.mark.parametrize("data, field", [
    ({"full_name": ""}, "full_name"),
    ({"full_name": "Li", "phone": "call me"}, "phone"),
    ({"full_name": "Li", "preferred_language": "chinese"}, "preferred_language"),
    ({"full_name": "Li", "notes": "x" * 2001}, "notes"),
])
def test_customer_fields_are_checked(data, field):
    with pytest.raises(ValidationFailed) as failure:
        validated(CustomerCreateSchema(), data)
    assert field in failure.value.details


def test_missing_customer_is_not_found(session):
    with pytest.raises(NotFound):
        customers.get_customer(session, "missing")
