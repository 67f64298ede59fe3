"""The archive over HTTP: the desk files a passport copy, ticketing a supplier's fax; each role
lists and downloads only its kinds; bad files are refused naming the field; answers are as the
OpenAPI document says."""
import base64
import hashlib
from urllib.parse import quote

import pytest

from services.contracts.service import ContractsService
from services.crm.service import CrmService
from services.ticketing.service import TicketingService
from tests.e2e.test_openapi_answers import documented

pytestmark = pytest.mark.e2e

PASSPORT = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(200))
FAX = b"MM\x00*\x00\x00\x00\x08" + b"\x02" * 200


@pytest.fixture
def suite_config(suite_on_backend, tmp_path):
    return {**suite_on_backend, "ARCHIVE_DIR": str(tmp_path / "archive"), "ARCHIVE_MAX_BYTES": "1000"}


def upload(content: bytes, kind: str, filename: str, content_type: str | None = None) -> dict:
    body = {"kind": kind, "filename": filename, "content_base64": base64.b64encode(content).decode()}
    return {**body, "content_type": content_type} if content_type else body


@pytest.fixture
def people(run_services, client, staff_client):
    run_services(CrmService, TicketingService, ContractsService)
    customer = client.post("/api/v1/customers", json={"full_name": "María Núñez", "email": "maria@example.es"})
    supplier = client.post("/api/v1/suppliers", json={"name": "Hôtel du Lac", "kind": "hotel"})
    assert customer.status_code == 201 and supplier.status_code == 201
    return {"customer": customer.json["id"], "supplier": supplier.json["id"],
            **{role: staff_client(role) for role in ("front_desk", "consultant", "ticketing", "finance")}}


def test_papers_are_filed_listed_and_downloaded_by_role(people, client):
    spec = client.get("/api/v1/openapi.json").json
    customer, supplier = people["customer"], people["supplier"]
    collection = "/api/v1/customers/{customer_id}/attachments"

    filed = people["front_desk"].post(f"/api/v1/customers/{customer}/attachments",
                                      json=upload(PASSPORT, "passport_copy", "护照 María.jpg", "image/jpeg"))
    assert filed.status_code == 201, filed.json
    documented(spec, collection, "post", 201, "application/json").validate(filed.json)
    passport = filed.json
    assert filed.headers["Location"] == f"/api/v1/attachments/{passport['id']}"
    assert passport["sha256"] == hashlib.sha256(PASSPORT).hexdigest() and passport["size"] == len(PASSPORT)
    assert passport["uploaded_by"].endswith("front_desk")
    again = people["front_desk"].post(f"/api/v1/customers/{customer}/attachments",
                                      json=upload(PASSPORT, "passport_copy", "again.jpg"))
    assert again.status_code == 201 and again.json["id"] == passport["id"]

    fax = people["ticketing"].post(f"/api/v1/suppliers/{supplier}/attachments",
                                   json=upload(FAX, "supplier_confirmation", "confirmation.tif"))
    assert fax.status_code == 201 and fax.json["content_type"] == "image/tiff"

    # The consultant reads the passport copy, exactly as filed, under its own name.
    listed = people["consultant"].get(f"/api/v1/customers/{customer}/attachments")
    assert [a["id"] for a in listed.json] == [passport["id"]]
    documented(spec, collection, "get", 200, "application/json").validate(listed.json)
    content = people["consultant"].get(f"/api/v1/attachments/{passport['id']}/content")
    assert content.status_code == 200 and content.data == PASSPORT
    assert content.mimetype == "image/jpeg"
    assert quote("护照 María.jpg") in content.headers["Content-Disposition"]
    assert content.headers["Cache-Control"] == "private, no-store"
    info = people["consultant"].get(f"/api/v1/attachments/{passport['id']}")
    documented(spec, "/api/v1/attachments/{attachment_id}", "get", 200, "application/json").validate(info.json)

    # Finance and ticketing do not see identity papers; the desk does not see supplier papers.
    for role in ("finance", "ticketing"):
        assert people[role].get(f"/api/v1/customers/{customer}/attachments").json == []
        refused = people[role].get(f"/api/v1/attachments/{passport['id']}/content")
        assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert people["front_desk"].get(f"/api/v1/attachments/{fax.json['id']}").status_code == 403
    assert people["front_desk"].post(f"/api/v1/suppliers/{supplier}/attachments",
                                     json=upload(FAX, "invoice", "invoice.tif")).status_code == 403
    assert people["finance"].get(f"/api/v1/attachments/{fax.json['id']}/content").data == FAX


def test_bad_files_and_unknown_owners_are_refused_and_nothing_is_filed(people, client):
    customer = people["customer"]
    desk = people["front_desk"]
    lying = desk.post(f"/api/v1/customers/{customer}/attachments",
                      json=upload(PASSPORT, "passport_copy", "p.pdf", "application/pdf"))
    assert lying.status_code == 422 and "content_type" in lying.json["errors"]
    for body in (upload(b"<script>alert(1)</script>", "other", "x.html"),     # not a scan
                 upload(PASSPORT * 5, "passport_copy", "big.jpg"),           # over ARCHIVE_MAX_BYTES
                 {**upload(PASSPORT, "passport_copy", "p.jpg"), "content_base64": "%%%"}):
        refused = desk.post(f"/api/v1/customers/{customer}/attachments", json=body)
        assert refused.status_code == 422 and "content_base64" in refused.json["errors"], refused.json
    missing_kind = desk.post(f"/api/v1/customers/{customer}/attachments",
                             json={**upload(PASSPORT, "passport_copy", "p.jpg"), "kind": "selfie"})
    assert missing_kind.status_code == 422 and "kind" in missing_kind.json["errors"]
    for path in ("/api/v1/customers/no-such-customer/attachments", "/api/v1/order-files/no-such-order/attachments",
                 "/api/v1/suppliers/no-such-supplier/attachments"):
        kind = "supplier_confirmation" if "suppliers" in path else "passport_copy"
        who = people["consultant"]
        assert who.post(path, json=upload(PASSPORT, kind, "p.jpg")).status_code == 404, path
    assert client.get(f"/api/v1/customers/{customer}/attachments").json == []
    assert client.get("/api/v1/attachments/999999").status_code == 404
