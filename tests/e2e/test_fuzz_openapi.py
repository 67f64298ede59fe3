"""Schemathesis over the whole OpenAPI document, against the real gateway and services.

Requests are generated from the document and sent to the WSGI app in-process, signed in as the
admin (every staff route allows admin) and with a real supplier API key. A few real records are
made first and path parameters take their ids as well as generated ones, so successful answers
are checked too. Each answer must not be a 5xx and must conform to the document: its status is
listed, its content type and body match. `default` responses are dropped first: with one
documented, any status would conform. Bounded (SPEC_FUZZ_EXAMPLES per operation, a fixed seed,
no shrinking) to a few minutes.
"""
import os
from datetime import date, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.errors import InvalidSchema
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from services.contracts.service import ContractsService
from services.crm.service import CrmService
from services.feedback.service import FeedbackService
from services.itinerary.service import ItineraryService
from services.ticketing.service import TicketingService
from tests.conftest import POSTGRES

pytestmark = [pytest.mark.e2e, pytest.mark.fuzz]

ALL = [CrmService, ItineraryService, TicketingService, ContractsService, FeedbackService]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = int(os.environ.get("SPEC_FUZZ_EXAMPLES", 25))


@pytest.fixture
def suite_config(suite_on_backend, backend):
    """The services on PostgreSQL when it answers (it holds less than SQLite: no NUL, no lone
    surrogate, stricter types), else on SQLite; SPEC_FUZZ_SQLITE=1 runs SQLite as well (each run
    takes about 1.5 minutes here)."""
    if backend == "sqlite" and POSTGRES and not os.environ.get("SPEC_FUZZ_SQLITE"):
        pytest.skip("fuzzed on PostgreSQL, which holds less; SPEC_FUZZ_SQLITE=1 runs SQLite too")
    return suite_on_backend


def strict_document(client) -> dict:
    raw = client.get("/api/v1/openapi.json").json
    for item in raw["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].pop("default", None)
    return raw


def made(response, status=201) -> dict:
    assert response.status_code == status, response.json
    return response.json


def seed(client) -> tuple[dict, str]:
    """Real records of every kind a path names: {path parameter: [ids]}, and a supplier API key."""
    day = (date.today() + timedelta(days=30)).isoformat()
    customer = made(client.post("/api/v1/customers", json={"full_name": "Ana Fuzz", "email": "ana@example.com"}))
    inquiry = made(client.post("/api/v1/inquiries", json={"customer_id": customer["id"], "channel": "email"}))
    follow_up = made(client.post("/api/v1/follow-ups", json={"inquiry_id": inquiry["id"], "owner": "lucia",
                                                             "due_at": f"{day}T09:00:00+00:00", "note": "Call"}))
    supplier = made(client.post("/api/v1/suppliers", json={"name": "Fuzz airline", "kind": "airline"}))
    # The key's supplier is not among the known ids, so no generated request revokes its key.
    hotel = made(client.post("/api/v1/suppliers", json={"name": "Fuzz hotel", "kind": "hotel"}))
    key = made(client.post(f"/api/v1/suppliers/{hotel['id']}/api-key"))["api_key"]
    room = made(client.post("/api/v1/products", json={
        "supplier_id": hotel["id"], "supplier_code": "DBL", "kind": "hotel", "name": "Double",
        "location": "Annecy", "currency": "EUR"}))
    made(client.put(f"/api/v1/products/{room['id']}/inventory", json={
        "start": day, "end": day, "capacity": 50, "net_price": "80.00", "sell_price": "110.50"}), 200)
    line = {"product_id": room["id"], "day": day, "quantity": 1}
    hold = made(client.post("/api/v1/holds", json={"lines": [line]}))
    booking = made(client.post(f"/api/v1/holds/{made(client.post('/api/v1/holds', json={'lines': [line]}))['id']}"
                               "/confirm"))
    made(client.post("/api/v1/exchange-rates", json={"base": "EUR", "quote": "CNY", "rate": "7.8125",
                                                     "valid_from": "2020-01-01"}))
    rule = made(client.post("/api/v1/markup-rules", json={"method": "percent", "value": "12"}))
    catalog = made(client.post("/api/v1/catalog/products", json={
        "code": "FUZZ-3", "name": "3 days Annecy", "kind": "package", "duration_days": 3, "published": True}))
    trip = made(client.post("/api/v1/itineraries", json={
        "title": "Annecy", "customer_id": customer["id"], "party": {"adults": 2}, "start_date": day, "days": 3,
        "currency": "EUR"}))
    item = made(client.post(f"/api/v1/itineraries/{trip['id']}/days/1/items",
                            json={"kind": "hotel", "inventory_product_id": room["id"], "nights": 1}))
    quote = made(client.post(f"/api/v1/itineraries/{trip['id']}/quotes", json={}))
    user = made(client.post("/api/v1/users", json={"username": "fuzz-user", "full_name": "Fuzz",
                                                   "password": "a long password 123", "roles": ["consultant"]}))
    return {
        "customer_id": [customer["id"]], "inquiry_id": [inquiry["id"]], "follow_up_id": [follow_up["id"]],
        "supplier_id": [supplier["id"]], "product_id": [room["id"], catalog["id"]], "hold_id": [hold["id"]],
        "booking_ref": [booking["locator"], booking["id"]], "line_id": [booking["lines"][0]["id"]],
        "itinerary_id": [trip["id"]], "day_number": [1, 2], "item_id": [item["id"]],
        "version": [quote["version"]], "rule_id": [rule["id"]], "user_id": [user["id"]],
    }, key


def failures_of(operation, headers: dict, statuses: set) -> dict[str, str]:
    """Run one operation's examples: each distinct failure with a request that shows it."""
    found = {}

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case):
        response = case.call(headers=headers)
        statuses.add(response.status_code)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except InvalidSchema as invalid:  # a response schema the document gets wrong
            found.setdefault(f"{operation.label}: invalid schema: {invalid}"[:600], "(any answer)")
        except (Failure, FailureGroup) as failure:
            for single in getattr(failure, "exceptions", [failure]):
                what = f"{operation.label}: {single.title}: {single.message}"[:600]
                found.setdefault(what, case.as_curl_command(headers=headers)[:600])

    try:
        run()
    except InvalidSchema as invalid:  # the document itself is wrong here: nothing can be generated
        found[f"{operation.label}: invalid schema: {invalid}"[:600]] = "(no request could be generated)"
    return found


@pytest.mark.timeout(600)
def test_every_operation_answers_as_documented(run_services, gateway_app, client):
    run_services(*ALL)
    schema = schemathesis.openapi.from_dict(strict_document(client))
    schema.app = gateway_app
    known, key = seed(client)

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        if not path_parameters:
            return st.just(path_parameters)
        return st.fixed_dictionaries({name: st.sampled_from([value, *known.get(name, [])])
                                      for name, value in path_parameters.items()})

    headers = {"Authorization": client.environ_base["HTTP_AUTHORIZATION"], "X-Api-Key": key}
    failures, answered = {}, {}
    for result in schema.get_all_operations():
        operation = result.ok()
        failures.update(failures_of(operation, headers, answered.setdefault(operation.label, set())))
    succeeded = sorted(label for label, statuses in answered.items() if any(200 <= s < 300 for s in statuses))
    print(f"{len(answered)} operations, {len(succeeded)} answered 2xx at least once:", *succeeded, sep="\n  ")
    assert len(answered) > 80 and len(succeeded) > 50  # the run reached real records, not only refusals
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(
        f"{what}\n  e.g. {example}" for what, example in failures.items())
