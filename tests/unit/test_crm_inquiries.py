"""The consultation register with SQLite and no broker: pipeline, history, search, validation."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from itertools import product

import pytest
from sqlalchemy import func, select

from services.common.errors import Conflict, NotFound, ValidationFailed, validated
from services.crm import customers, inquiries, timeline
from services.crm.models import Base, Customer, Inquiry
from services.crm.wire import CustomerCreateSchema, InquiryCreateSchema, TransitionCreateSchema

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def customer(session):
    return customers.create_customer(session, validated(CustomerCreateSchema(), {"full_name": "Ana Gómez"}),
                                     "user:desk")


def register(session, customer_id, now=T0, **data):
    data = {"customer_id": customer_id, "channel": "walk_in", **data}
    inquiry, _ = inquiries.create_inquiry(session, validated(InquiryCreateSchema(), data), "user:desk", now)
    return inquiry


def move(session, inquiry, *steps, reason=None):
    for step in steps:
        inquiries.transition(session, inquiry.id, step, reason if step == "lost" else None, "user:consultant")
    return inquiry


# --- the pipeline --------------------------------------------------------------------------------

ALLOWED = {("new", "qualified"), ("new", "lost"), ("qualified", "quoted"), ("qualified", "lost"),
           ("quoted", "won"), ("quoted", "lost")}
STATUSES = ("new", "qualified", "quoted", "won", "lost")
PATH_TO = {"new": [], "qualified": ["qualified"], "quoted": ["qualified", "quoted"],
           "won": ["qualified", "quoted", "won"], "lost": ["lost"]}


def test_the_transition_table():
    assert {(a, b) for a, b in product(STATUSES, STATUSES) if inquiries.allowed(a, b)} == ALLOWED


@pytest.mark.parametrize("start, target", list(product(STATUSES, STATUSES[1:])))
def test_every_move_from_every_status(session, customer, start, target):
    inquiry = move(session, register(session, customer.id), *PATH_TO[start], reason="went elsewhere")
    assert inquiry.status == start
    if (start, target) in ALLOWED:
        inquiries.transition(session, inquiry.id, target, "too expensive", "user:consultant")
        assert inquiry.status == target
    else:
        with pytest.raises(Conflict) as refused:
            inquiries.transition(session, inquiry.id, target, "too expensive", "user:consultant")
        assert refused.value.details["current_status"] == start
        assert refused.value.details["requested_status"] == target
        assert inquiry.status == start


def test_lost_needs_a_reason(session, customer):
    inquiry = register(session, customer.id)
    with pytest.raises(ValidationFailed) as refused:
        inquiries.transition(session, inquiry.id, "lost", "  ", "user:consultant")
    assert "reason" in refused.value.details and inquiry.status == "new"
    with pytest.raises(ValidationFailed) as refused:
        validated(TransitionCreateSchema(), {"to": "lost"})
    assert "reason" in refused.value.details
    inquiries.transition(session, inquiry.id, "lost", "booked with another agency", "user:consultant")
    assert inquiry.lost_reason == "booked with another agency"


def test_every_transition_is_recorded_with_who_when_and_why(session, customer):
    inquiry = register(session, customer.id, now=None)
    move(session, inquiry, "qualified", "quoted", "lost", reason="price")
    history = [inquiries.transition_dict(t) for t in inquiries.history(session, inquiry.id)]
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        (None, "new"), ("new", "qualified"), ("qualified", "quoted"), ("quoted", "lost")]
    assert history[0]["changed_by"] == "user:desk"
    assert {h["changed_by"] for h in history[1:]} == {"user:consultant"}
    assert history[-1]["reason"] == "price"
    assert all(h["changed_at"].tzinfo is not None for h in history)
    kinds = [e.kind for e in timeline.entries(session, customer.id, page_size=100)[0]]
    assert kinds == ["crm.customer_created", "crm.inquiry_created"] + ["crm.inquiry_status_changed"] * 3


def test_winning_is_not_travelling(session, customer):
    """Past destinations are travel that happened (services.crm.trips), not a sale."""
    fixed = register(session, customer.id, destinations=["Kyoto", "Osaka"],
                     travel_window={"start": "2026-04-01", "end": "2026-04-10"})
    move(session, fixed, "qualified", "quoted", "won")
    assert customer.past_destinations == [] and customer.last_trip_date is None


def test_a_lost_inquiry_is_no_trip(session, customer):
    move(session, register(session, customer.id, destinations=["Paris"]), "lost", reason="no budget")
    assert customer.past_destinations == [] and customer.last_trip_date is None


def test_unknown_customer_or_inquiry_is_not_found(session):
    with pytest.raises(NotFound):
        register(session, "no-such-customer")
    with pytest.raises(NotFound):
        inquiries.transition(session, "no-such-inquiry", "qualified", None, "user:x")
    assert session.scalar(select(func.count()).select_from(Inquiry)) == 0


def test_an_inquiry_can_register_its_new_customer(session):
    data = validated(InquiryCreateSchema(), {"customer": {"full_name": "王芳", "phone": "+86 138 0000 0000"},
                                             "channel": "phone", "destinations": ["Barcelona"]})
    inquiry, new_customer = inquiries.create_inquiry(session, data, "user:desk", T0)
    assert inquiry.customer_id == new_customer.id and new_customer.full_name == "王芳"
    with pytest.raises(Conflict):
        inquiries.create_inquiry(session, data, "user:desk", T0)
    assert session.scalar(select(func.count()).select_from(Customer)) == 1


def test_inquiry_fields_are_kept(session, customer):
    inquiry = register(session, customer.id, channel="web", destinations=["Bali"], interests=["diving"],
                       travel_window={"month": "2026-08", "nights": 10},
                       party={"adults": 2, "children": [4, 9]}, budget={"amount": "4500", "currency": "EUR"},
                       special_requests="vegetarian meals", consultant="Lucia", source_campaign="summer-2026")
    record = inquiries.as_dict(inquiry)
    assert record["travel_window"] == {"start": None, "end": None, "month": "2026-08", "nights": 10}
    assert record["party"] == {"adults": 2, "children": [4, 9]}
    assert record["budget"] == {"amount": Decimal("4500.00"), "currency": "EUR"}
    assert record["consultant"] == "lucia" and record["status"] == "new"


def test_update_changes_details_but_not_the_status(session, customer):
    inquiry = register(session, customer.id)
    _, changed = inquiries.update_inquiry(session, inquiry.id, {"consultant": "Pedro", "destinations": ["Roma"]},
                                          "user:manager")
    assert set(changed) == {"consultant", "destinations"} and inquiry.consultant == "pedro"
    assert inquiry.status == "new" and inquiry.updated_by == "user:manager"


# --- search --------------------------------------------------------------------------------------

@pytest.fixture
def register_book(session, customer):
    other = customers.create_customer(session, validated(CustomerCreateSchema(), {"full_name": "Li Wei"}), "u")
    made = {
        "kyoto": register(session, customer.id, now=T0, channel="walk_in", destinations=["Kyōto", "Nara"],
                          travel_window={"month": "2026-05"}, consultant="lucia"),
        "lisbon": register(session, customer.id, now=T0 + timedelta(days=1), channel="web",
                           destinations=["Lisboa"], travel_window={"start": "2026-04-28", "end": "2026-05-03"},
                           consultant="pedro"),
        "paris": register(session, other.id, now=T0 + timedelta(days=2), channel="phone", destinations=["Paris"],
                          travel_window={"start": "2026-07-01", "end": "2026-07-08"}, consultant="lucia"),
        "undecided": register(session, other.id, now=T0 + timedelta(days=3), channel="email"),
    }
    move(session, made["paris"], "qualified")
    move(session, made["undecided"], "lost", reason="just browsing")
    return {inquiry.id: name for name, inquiry in made.items()}, other


@pytest.mark.parametrize("query, expected", [
    ({}, ["undecided", "paris", "lisbon", "kyoto"]),                      # newest first
    ({"status": ["new"]}, ["lisbon", "kyoto"]),
    ({"status": ["qualified", "lost"]}, ["undecided", "paris"]),
    ({"consultant": "Lucia"}, ["paris", "kyoto"]),
    ({"channel": ["web", "phone"]}, ["paris", "lisbon"]),
    ({"destination": "kyoto"}, ["kyoto"]),                                # Kyōto, accents aside
    ({"destination": "NARA"}, ["kyoto"]),
    ({"destination": "lis"}, ["lisbon"]),
    ({"travel_month": "2026-05"}, ["lisbon", "kyoto"]),                   # flexible May, fixed dates into May
    ({"travel_month": "2026-04"}, ["lisbon"]),
    ({"travel_month": "2026-06"}, []),
    ({"created_from": T0 + timedelta(days=1), "created_to": T0 + timedelta(days=3)}, ["paris", "lisbon"]),
    ({"consultant": "lucia", "status": ["new"]}, ["kyoto"]),
])
def test_inquiry_search(session, register_book, query, expected):
    names, _ = register_book
    items, total = inquiries.search(session, **query)
    assert [names[i.id] for i in items] == expected and total == len(expected)


def test_inquiry_search_by_customer_and_pages(session, register_book):
    names, other = register_book
    items, total = inquiries.search(session, customer_id=other.id, page=1, page_size=1)
    assert total == 2 and [names[i.id] for i in items] == ["undecided"]
    items, _ = inquiries.search(session, customer_id=other.id, page=2, page_size=1)
    assert [names[i.id] for i in items] == ["paris"]


# --- validation ------------------------------------------------------------------------------------

GOOD = {"customer_id": "c1", "channel": "walk_in"}


@pytest.mark.parametrize("data, field", [
    ({"channel": "fax"}, "channel"),
    ({"channel": None}, "channel"),
    ({"customer_id": None}, "customer_id"),
    ({"customer": {"full_name": "Ana"}}, "customer_id"),                 # both customer_id and customer
    ({"customer_id": None, "customer": {"full_name": ""}}, "customer"),
    ({"party": {"adults": 0}}, "party"),
    ({"party": {"adults": 2, "children": [3, 18]}}, "party"),
    ({"party": {"adults": 2, "children": [-1]}}, "party"),
    ({"party": {"adults": 1.5}}, "party"),
    ({"party": {"children": [4]}}, "party"),
    ({"budget": {"amount": "-5", "currency": "EUR"}}, "budget"),
    ({"budget": {"amount": "100", "currency": "euro"}}, "budget"),
    ({"budget": {"amount": "lots", "currency": "EUR"}}, "budget"),
    ({"travel_window": {"month": "2026-13"}}, "travel_window"),
    ({"travel_window": {"start": "2026-05-10", "end": "2026-05-01"}}, "travel_window"),
    ({"travel_window": {"start": "2026-05-10"}}, "travel_window"),
    ({"travel_window": {"month": "2026-05", "start": "2026-05-01", "end": "2026-05-02"}}, "travel_window"),
    ({"travel_window": {}}, "travel_window"),
    ({"destinations": ["x" * 121]}, "destinations"),
    ({"destinations": ["Paris"] * 21}, "destinations"),
    ({"consultant": "a b"}, "consultant"),
    ({"special_requests": "x" * 2001}, "special_requests"),
    ({"status": "won"}, "status"),
])
def test_new_inquiry_fields_are_checked(data, field):
    with pytest.raises(ValidationFailed) as failure:
        validated(InquiryCreateSchema(), {**GOOD, **data})
    assert set(failure.value.details) == {field}


def test_a_valid_inquiry_loads():
    loaded = validated(InquiryCreateSchema(), {**GOOD, "party": {"adults": 2, "children": [0, 17]},
                                               "travel_window": {"start": "2026-05-01", "end": "2026-05-01"},
                                               "budget": {"amount": "1999.5", "currency": "CNY"}})
    assert loaded["budget"]["amount"] == Decimal("1999.50") and loaded["party"]["children"] == [0, 17]
