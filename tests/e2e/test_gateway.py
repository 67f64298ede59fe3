"""HTTP at the gateway, through RPC over the real RabbitMQ, to the services' databases."""
import uuid

import pytest
from kombu import Connection, Exchange, Queue
from sqlalchemy import create_engine, text

from gateway.app import create_app
from gateway.db import GatewayDatabase
from gateway.rpc import RpcPool
from services.common.config import SERVICES
from services.contracts.service import ContractsService
from services.crm.service import CrmService
from services.feedback.service import FeedbackService
from services.itinerary.service import ItineraryService
from services.ticketing.service import TicketingService
from tests.conftest import wait_for
from tests.events import subscribe

from .conftest import ADMIN, sign_in

pytestmark = pytest.mark.e2e

ALL = [CrmService, ItineraryService, TicketingService, ContractsService, FeedbackService]


def crm_customers(config) -> int:
    engine = create_engine(config["DATABASE_URLS"]["crm"])
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM customers")).scalar()
    finally:
        engine.dispose()


def test_create_and_get_a_customer_end_to_end(run_services, client, suite_config, amqp):
    run_services(CrmService)
    request_id = "req-" + uuid.uuid4().hex
    with subscribe(amqp, suite_config, "crm.customer_created") as received:
        created = client.post("/api/v1/customers", headers={"X-Request-ID": request_id},
                              json={"full_name": "王芳", "phone": "+86 138 0000 0000", "preferred_language": "zh"})
        assert created.status_code == 201, created.json
        assert created.headers["X-Request-ID"] == request_id
        [(envelope, _)] = wait_for(received, message="crm.customer_created")
    customer = created.json
    assert customer["full_name"] == "王芳" and customer["created_at"].endswith("+00:00")

    fetched = client.get(f"/api/v1/customers/{customer['id']}")
    assert fetched.status_code == 200 and fetched.json == customer
    assert crm_customers(suite_config) == 1
    assert envelope["correlation_id"] == request_id
    assert envelope["payload"]["id"] == customer["id"]


@pytest.mark.parametrize("body, fields", [
    ('{"full_name": "Ana"', {"_body"}),                                   # malformed JSON
    ('{"full_name": 42}', {"full_name"}),                                 # wrong type
    ('{"email": "ana@example.com"}', {"full_name"}),                      # missing field
    ('{"full_name": "Ana", "vip": true}', {"vip"}),                       # unknown field
    ('{"full_name": "Ana", "preferred_language": "Klingon!"}', {"preferred_language"}),  # unknown value
    ('{"full_name": "' + "A" * 201 + '"}', {"full_name"}),               # oversize string
    ('["Ana"]', {"_schema"}),                                             # not an object
])
def test_bad_input_is_422_with_field_messages_and_writes_nothing(run_services, client, suite_config, body, fields):
    run_services(CrmService)
    response = client.post("/api/v1/customers", data=body, content_type="application/json")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert set(response.json["errors"]) == fields
    assert all(isinstance(m, list) and m for m in response.json["errors"].values())
    assert crm_customers(suite_config) == 0


def test_unknown_customer_is_a_404_problem(run_services, client):
    run_services(CrmService)
    response = client.get(f"/api/v1/customers/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 404 and "No customer" in response.json["detail"]


def test_readyz_when_every_service_answers(run_services, client):
    run_services(*ALL)
    assert client.get("/healthz").json == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert set(response.json["services"]) == set(SERVICES)
    assert all(s["ok"] and s["database"] == "ok" for s in response.json["services"].values())


def test_readyz_names_the_service_that_does_not_answer(run_services, client):
    run_services(CrmService, ItineraryService, TicketingService, ContractsService)
    response = client.get("/readyz")
    assert response.status_code == 503
    services = response.json["services"]
    assert services["crm"]["ok"] and not services["feedback"]["ok"]


def test_a_service_that_does_not_answer_gives_504(suite_config, amqp, tmp_path, monkeypatch):
    # A queue that takes crm's calls and never answers: the gateway must not hang.
    black_hole = Queue("test-black-hole-" + uuid.uuid4().hex[:8], auto_delete=True,
                       exchange=Exchange("nameko-rpc", type="topic", durable=True), routing_key="crm.*")
    black_hole(amqp.channel()).declare()
    monkeypatch.setenv("ADMIN_USERNAME", ADMIN[0])
    monkeypatch.setenv("ADMIN_PASSWORD", ADMIN[1])
    pool = RpcPool(suite_config, size=2, timeout=0.5)
    app = create_app(suite_config, rpc_pool=pool, gateway_db=GatewayDatabase(f"sqlite:///{tmp_path / 'gw.db'}"))
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer " + sign_in(client, *ADMIN)
    try:
        response = client.get(f"/api/v1/customers/{uuid.uuid4()}")
        assert response.status_code == 504
        assert response.mimetype == "application/problem+json"
        # The pool stays usable after a timeout.
        assert client.get(f"/api/v1/customers/{uuid.uuid4()}").status_code == 504
    finally:
        black_hole(amqp.channel()).delete()
        pool.close()


def test_openapi_spec_documents_the_customer_resources(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["info"]["title"] == "Itinera"
    assert "post" in spec["paths"]["/api/v1/customers"]
    assert "CustomerCreate" in spec["components"]["schemas"]
    assert client.get("/api/v1/docs").status_code == 200
