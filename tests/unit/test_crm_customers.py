"""CRM customer rules with SQLite and no broker: duplicates, masking, search, PATCH, validation."""
from datetime import date

import pytest
from sqlalchemy import func, select

from services.common.errors import Conflict, NotFound, ValidationFailed, validated
from services.crm import customers, timeline
from services.crm.models import Base, Customer
from services.crm.wire import CustomerCreateSchema, CustomerUpdateSchema
from services.crm.text import fold


def create(session, confirm_duplicate=False, **data):
    return customers.create_customer(session, validated(CustomerCreateSchema(), data), "user:lucia",
                                     confirm_duplicate=confirm_duplicate)


def update(session, customer, **changes):
    return customers.update_customer(session, customer.id, validated(CustomerUpdateSchema(), changes), "user:li")


def names(found):
    return sorted(c.full_name for c in found[0])


# --- duplicates ----------------------------------------------------------------------------------

@pytest.mark.parametrize("existing, new", [
    ({"email": "Maria.Nunez@Example.ES"}, {"email": "maria.nunez@example.es"}),
    ({"email": "a@example.com", "emails": ["second@example.com"]}, {"emails": ["SECOND@example.com"]}),
    ({"phone": "+34 600 11 22 33"}, {"phone": "+34-600-112-233"}),
    ({"phone": "+34 600 11 22 33"}, {"phone": "0034 600112233"}),
    ({"phones": ["+86 138 0000 0000"]}, {"phone": "+86 (138) 0000-0000"}),
])
def test_same_email_or_phone_is_a_duplicate_naming_the_existing_customer(session, existing, new):
    first = create(session, full_name="María Núñez", **existing)
    with pytest.raises(Conflict) as clash:
        create(session, full_name="Maria Nunez", **new)
    assert clash.value.details["existing_customer_ids"] == [first.id]
    assert clash.value.details["duplicates"][0]["full_name"] == "María Núñez"
    assert first.id in str(clash.value)
    assert session.scalar(select(func.count()).select_from(Customer)) == 1


def test_a_confirmed_duplicate_is_created(session):
    first = create(session, full_name="Wang Fang", email="wf@example.cn")
    second = create(session, full_name="Wang Fang", email="WF@example.cn", confirm_duplicate=True)
    assert second.id != first.id
    with pytest.raises(Conflict) as clash:
        create(session, full_name="王芳", email="wf@example.cn")
    assert clash.value.details["existing_customer_ids"] == [first.id, second.id]


def test_different_contacts_are_not_duplicates(session):
    create(session, full_name="Ana", email="ana@example.com", phone="+34 600 000 001")
    create(session, full_name="Ana", email="ana2@example.com", phone="+34 600 000 002")
    create(session, full_name="Ana")  # no contact at all: nothing to compare


def test_adding_a_known_phone_in_an_update_is_a_duplicate_too(session):
    first = create(session, full_name="Ana", phone="+34 600 000 001")
    other = create(session, full_name="Luis", phone="+34 600 000 002")
    with pytest.raises(Conflict) as clash:
        update(session, other, phones=["+34 600 000 002", "+34600000001"])
    assert clash.value.details["existing_customer_ids"] == [first.id]
    # Its own numbers are not duplicates of itself.
    _, changed = update(session, other, phones=["+34 600 000 002", "+34 699 999 999"])
    assert changed["phones"] == ["+34 600 000 002", "+34 699 999 999"]


# --- travel documents ------------------------------------------------------------------------------

def test_document_numbers_are_masked_unless_revealed(session):
    customer = create(session, full_name="Li Wei", documents=[
        {"type": "passport", "number": "e12345678", "country": "CN", "expiry": "2031-06-30"},
        {"type": "visa", "number": "V12", "country": "JP"}])
    masked = customers.as_dict(customer)["documents"]
    assert [d["number"] for d in masked] == ["****5678", "****"]
    assert all(d["masked"] for d in masked)
    assert masked[0]["expiry"] == date(2031, 6, 30) and masked[0]["type"] == "passport"
    revealed = customers.as_dict(customer, reveal_documents=True)["documents"]
    assert [d["number"] for d in revealed] == ["E12345678", "V12"]
    assert not any(d["masked"] for d in revealed)


@pytest.mark.parametrize("number, shown", [("X1234567", "****4567"), ("AB-12 34", "****1234"), ("1234", "****"),
                                           ("", "****")])
def test_mask_number(number, shown):
    assert customers.mask_number(number) == shown


def test_changed_documents_are_reported_masked(session):
    customer = create(session, full_name="Li Wei")
    _, changed = update(session, customer, documents=[{"type": "passport", "number": "G99887766", "country": "CN"}])
    assert changed["documents"][0]["number"] == "****7766"


# --- search --------------------------------------------------------------------------------------

@pytest.fixture
def people(session):
    create(session, full_name="María José Núñez", email="mj@example.es", phone="+34 600 11 22 33", tags=["VIP"])
    create(session, full_name="JOSÉ PÉREZ", email="Jose.Perez@Example.MX", tags=["family", "vip-gold"])
    create(session, full_name="王芳", phone="+86 138 0000 0000", tags=["group"])
    create(session, full_name="Zoë Ångström")


@pytest.mark.parametrize("query, found", [
    ("Nunez", ["María José Núñez"]),
    ("núñez", ["María José Núñez"]),
    ("NUÑEZ", ["María José Núñez"]),
    ("maria nunez", ["María José Núñez"]),
    ("jose", ["JOSÉ PÉREZ", "María José Núñez"]),
    ("王", ["王芳"]),
    ("芳", ["王芳"]),
    ("angstrom", ["Zoë Ångström"]),
    ("zoe", ["Zoë Ångström"]),
    ("100%", []),
    ("_", []),
])
def test_name_search_ignores_accents_and_case(session, people, query, found):
    assert names(customers.search(session, name=query)) == found


def test_search_by_phone_email_and_tag(session, people):
    assert names(customers.search(session, phone="600 11 22")) == ["María José Núñez"]
    assert names(customers.search(session, phone="+86 138-0000-0000")) == ["王芳"]
    assert names(customers.search(session, phone="0086 138")) == ["王芳"]
    assert names(customers.search(session, phone="---")) == []
    assert names(customers.search(session, email="jose.perez@example.mx")) == ["JOSÉ PÉREZ"]
    assert names(customers.search(session, email="example.")) == ["JOSÉ PÉREZ", "María José Núñez"]
    assert names(customers.search(session, tag="vip")) == ["María José Núñez"]  # not vip-gold
    assert names(customers.search(session, tag="VIP-Gold")) == ["JOSÉ PÉREZ"]
    assert names(customers.search(session, name="jose", tag="family")) == ["JOSÉ PÉREZ"]


def test_search_is_paginated_with_a_total(session):
    for i in range(7):
        create(session, full_name=f"Customer {i}")
    items, total = customers.search(session, name="customer", page=2, page_size=3)
    assert total == 7 and [c.full_name for c in items] == ["Customer 3", "Customer 4", "Customer 5"]
    items, total = customers.search(session, name="customer", page=5, page_size=3)
    assert total == 7 and items == []


def test_fold():
    assert fold("  María   José NÚÑEZ ") == "maria jose nunez"
    assert fold("Straße") == "strasse"
    assert fold("Ｍａｒｉａ") == "maria"  # full-width letters typed on a Chinese keyboard
    assert fold("王芳") == "王芳"


# --- update --------------------------------------------------------------------------------------

def test_patch_changes_only_what_is_given_and_reports_it(session):
    customer = create(session, full_name="Ana Gómez", email="ana@example.com", interests=["diving"],
                      notes="likes window seats")
    _, changed = update(session, customer, interests=["diving", "food"], marketing_consent=True,
                        email="ana.gomez@example.com")
    assert set(changed) == {"interests", "marketing_consent", "marketing_consent_at", "emails", "email"}
    assert customer.emails == ["ana.gomez@example.com", "ana@example.com"]
    assert customer.email == "ana.gomez@example.com"
    assert customer.notes == "likes window seats" and customer.marketing_consent_at is not None
    assert customer.updated_by == "user:li"
    # The new address is found by search and by the duplicate check.
    assert names(customers.search(session, email="ana.gomez@")) == ["Ana Gómez"]
    with pytest.raises(Conflict):
        create(session, full_name="Other", email="ANA.GOMEZ@example.com")


def test_patch_that_changes_nothing_records_nothing(session):
    customer = create(session, full_name="Ana", tags=["vip"])
    _, changed = update(session, customer, tags=["vip"], full_name="Ana")
    assert changed == {}
    kinds = [e.kind for e in timeline.entries(session, customer.id)[0]]
    assert kinds == ["crm.customer_created"]


def test_patch_null_clears_an_optional_field(session):
    customer = create(session, full_name="Ana", nationality="ES", date_of_birth="1990-02-03")
    _, changed = update(session, customer, nationality=None)
    assert changed == {"nationality": None} and customer.date_of_birth == date(1990, 2, 3)


def test_renaming_updates_the_search_name(session):
    customer = create(session, full_name="Ana")
    update(session, customer, full_name="Anaïs Müller")
    assert names(customers.search(session, name="muller")) == ["Anaïs Müller"]


def test_unknown_customer_is_not_found(session):
    with pytest.raises(NotFound):
        customers.update_customer(session, "missing", {"notes": "x"}, "user:li")


# --- validation ------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, field", [
    ({"full_name": "   "}, "full_name"),
    ({"full_name": "Li", "nationality": "spain"}, "nationality"),
    ({"full_name": "Li", "nationality": "es"}, "nationality"),
    ({"full_name": "Li", "date_of_birth": "2999-01-01"}, "date_of_birth"),
    ({"full_name": "Li", "emails": ["ok@example.com", "nope"]}, "emails"),
    ({"full_name": "Li", "phones": ["call me"]}, "phones"),
    ({"full_name": "Li", "documents": [{"type": "driving_licence", "number": "123456", "country": "ES"}]},
     "documents"),
    ({"full_name": "Li", "documents": [{"type": "passport", "number": "12", "country": "ES"}]}, "documents"),
    ({"full_name": "Li", "documents": [{"type": "passport", "number": "E1234567", "country": "ES",
                                        "secret": True}]}, "documents"),
    ({"full_name": "Li", "interests": ["x" * 61]}, "interests"),
    ({"full_name": "Li", "tags": ["t"] * 31}, "tags"),
    ({"full_name": "Li", "marketing_consent": "maybe"}, "marketing_consent"),
    ({"full_name": "Li", "preferences": [" "]}, "preferences"),
])
def test_new_customer_fields_are_checked(data, field):
    with pytest.raises(ValidationFailed) as failure:
        validated(CustomerCreateSchema(), data)
    assert set(failure.value.details) == {field}


@pytest.mark.parametrize("changes, field", [
    ({}, "_schema"),
    ({"full_name": None}, "full_name"),
    ({"id": "x"}, "id"),
    ({"created_by": "me"}, "created_by"),
    ({"tags": None}, "tags"),
])
def test_patch_fields_are_checked(changes, field):
    with pytest.raises(ValidationFailed) as failure:
        validated(CustomerUpdateSchema(), changes)
    assert field in failure.value.details
