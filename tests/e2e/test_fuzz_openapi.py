"""Schemathesis over the whole OpenAPI document, against the real gateway and services.

Requests are generated from the document and sent to the WSGI app in-process, signed in as the
admin (every staff route allows admin) and with a real supplier API key. Each answer must not
be a 5xx and must conform to the document: its status is listed, its content type and body
match. `default` responses are dropped first: with one documented, any status would conform.
Bounded (SPEC_FUZZ_EXAMPLES per operation, a fixed seed, no shrinking) to a few minutes.
"""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from services.contracts.service import ContractsService
from services.crm.service import CrmService
from services.feedback.service import FeedbackService
from services.itinerary.service import ItineraryService
from services.ticketing.service import TicketingService

pytestmark = [pytest.mark.e2e, pytest.mark.fuzz]

ALL = [CrmService, ItineraryService, TicketingService, ContractsService, FeedbackService]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = int(os.environ.get("SPEC_FUZZ_EXAMPLES", 12))


def strict_document(client) -> dict:
    raw = client.get("/api/v1/openapi.json").json
    for item in raw["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].pop("default", None)
    return raw


def supplier_key(client) -> str:
    supplier = client.post("/api/v1/suppliers", json={"name": "Fuzz supplier", "kind": "hotel"})
    assert supplier.status_code == 201, supplier.json
    issued = client.post(f"/api/v1/suppliers/{supplier.json['id']}/api-key")
    assert issued.status_code == 201, issued.json
    return issued.json["api_key"]


def failures_of(operation, headers: dict) -> dict[str, str]:
    """Run one operation's examples: each distinct failure with a request that shows it."""
    found = {}

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case):
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except (Failure, FailureGroup) as failure:
            for single in getattr(failure, "exceptions", [failure]):
                what = f"{operation.label}: {single.title}: {single.message}"[:600]
                found.setdefault(what, case.as_curl_command(headers=headers)[:600])

    run()
    return found


@pytest.mark.timeout(600)
def test_every_operation_answers_as_documented(run_services, gateway_app, client):
    run_services(*ALL)
    schema = schemathesis.openapi.from_dict(strict_document(client))
    schema.app = gateway_app
    headers = {"Authorization": client.environ_base["HTTP_AUTHORIZATION"], "X-Api-Key": supplier_key(client)}
    failures = {}
    for result in schema.get_all_operations():
        failures.update(failures_of(result.ok(), headers))
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(
        f"{what}\n  e.g. {example}" for what, example in failures.items())
