"""Real answers validated against the schemas the OpenAPI document gives for them."""
import pytest
from openapi_schema_validator import OAS31Validator

from services.contracts.service import ContractsService
from services.crm.service import CrmService
from services.feedback.service import FeedbackService
from services.itinerary.service import ItineraryService
from services.ticketing.service import TicketingService

pytestmark = pytest.mark.e2e


def documented(spec: dict, path: str, method: str, status: int, content_type: str) -> OAS31Validator:
    response = spec["paths"][path][method]["responses"][str(status)]
    schema = response["content"][content_type]["schema"]
    # Refs are "#/components/...": resolve them against a root that carries the components.
    return OAS31Validator({**schema, "components": spec["components"]})


def test_readyz_answers_as_documented_when_not_ready_and_when_ready(run_services, anonymous):
    spec = anonymous.get("/api/v1/openapi.json").json
    run_services(CrmService)
    not_ready = anonymous.get("/readyz")
    assert not_ready.status_code == 503 and not_ready.mimetype == "application/json"
    documented(spec, "/readyz", "get", 503, "application/json").validate(not_ready.json)

    run_services(ItineraryService, TicketingService, ContractsService, FeedbackService)
    ready = anonymous.get("/readyz")
    assert ready.status_code == 200, ready.json
    documented(spec, "/readyz", "get", 200, "application/json").validate(ready.json)
    assert documented(spec, "/healthz", "get", 200, "application/json").is_valid(anonymous.get("/healthz").json)


def test_an_error_answer_is_the_documented_problem(run_services, client):
    spec = client.get("/api/v1/openapi.json").json
    run_services(CrmService)
    missing = client.get("/api/v1/customers/no-such-customer")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    documented(spec, "/api/v1/customers/{customer_id}", "get", 404, "application/problem+json").validate(missing.json)
    invalid = client.post("/api/v1/customers", json={"first_name": "", "travellers": [{"age": "x"}]})
    assert invalid.status_code == 422 and invalid.mimetype == "application/problem+json"
    documented(spec, "/api/v1/customers", "post", 422, "application/problem+json").validate(invalid.json)
