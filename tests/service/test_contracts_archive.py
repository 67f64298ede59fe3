"""The archive on the real broker and database (SQLite and PostgreSQL), with real CRM, itinerary
and ticketing: files filed to an order file, a customer and a supplier, read by role, purged by
the retention timer; on local disk and on S3 (moto's server on a local port)."""
import base64
import hashlib
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import create_engine, text

from services.common.errors import Forbidden, NotFound, ValidationFailed
from services.contracts import storage
from services.contracts.service import ContractsService
from services.crm.service import CrmService
from services.itinerary.service import ItineraryService
from services.ticketing.service import TicketingService
from tests.service.test_contracts import accepted_quote, as_staff, opened, rows

pytestmark = pytest.mark.service

SCAN = b"%PDF-1.4\n% a signed paper contract, scanned\n%%EOF\n"
PASSPORT = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(64))
FAX = b"II*\x00\x08\x00\x00\x00" + b"\x01" * 64


def today():
    """The service's day for retention is UTC's."""
    return datetime.now(timezone.utc).date()


def upload(content: bytes, kind: str, filename: str, content_type: str | None = None) -> dict:
    return {"kind": kind, "filename": filename, "content_type": content_type,
            "content_base64": base64.b64encode(content).decode()}


@pytest.fixture
def archive_dir(tmp_path):
    return tmp_path / "archive"


@pytest.fixture
def contracts(start_service, rpc, database_url, archive_dir):
    url = database_url("contracts")
    start_service(CrmService)
    start_service(ItineraryService)
    start_service(TicketingService)
    container = start_service(ContractsService, DATABASE_URLS={"contracts": url}, ARCHIVE_DIR=str(archive_dir),
                              ARCHIVE_RETENTION_DAYS="passport_copy=30")
    rpc.itinerary.create_markup_rule({"method": "percent", "value": "15"})
    return {"url": url, "container": container}


def test_files_are_kept_for_an_order_file_once_checked_by_their_bytes(contracts, rpc, nameko_config, archive_dir):
    customer = rpc.crm.create_customer({"full_name": "王小明", "email": "wang@example.cn"})
    trip, _ = accepted_quote(rpc, customer["id"])
    order = opened(rpc, trip)
    with as_staff(nameko_config, "consultant") as consultant:
        scan = consultant.contracts.attach_file("order_file", order["id"],
                                                upload(SCAN, "signed_contract", "合同 signed.pdf", "application/pdf"))
        assert (scan["kind"], scan["filename"], scan["content_type"], scan["size"]) == (
            "signed_contract", "合同 signed.pdf", "application/pdf", len(SCAN))
        assert scan["sha256"] == hashlib.sha256(SCAN).hexdigest()
        assert scan["uploaded_by"] == "user:consultant"
        assert scan["keep_until"] == today() + timedelta(days=3650)
        # The same scan sent again (another click, another name) is the first record.
        again = consultant.contracts.attach_file("order_file", order["id"],
                                                 upload(SCAN, "signed_contract", "copy.pdf"))
        assert again["id"] == scan["id"] and again["filename"] == "合同 signed.pdf"
        assert rows(contracts["url"], "SELECT count(*) FROM attachments") == [(1,)]
        # On disk under its checksum.
        assert (archive_dir / storage.key_for(scan["sha256"])).read_bytes() == SCAN

        downloaded = consultant.contracts.download_attachment(scan["id"])
        assert base64.b64decode(downloaded["content_base64"]) == SCAN
        assert downloaded["filename"] == "合同 signed.pdf"

        with pytest.raises(ValidationFailed) as lying:
            consultant.contracts.attach_file("order_file", order["id"],
                                             upload(PASSPORT, "signed_contract", "x.pdf", "application/pdf"))
        assert "content_type" in lying.value.details
        with pytest.raises(ValidationFailed) as not_a_scan:
            consultant.contracts.attach_file("order_file", order["id"],
                                             upload(b"<html>hi</html>", "other", "x.html"))
        assert "content_base64" in not_a_scan.value.details
        with pytest.raises(NotFound):
            consultant.contracts.attach_file("order_file", "no-such-order", upload(SCAN, "signed_contract", "x.pdf"))
        assert rows(contracts["url"], "SELECT count(*) FROM attachments") == [(1,)]

    with as_staff(nameko_config, "front_desk") as desk:
        assert desk.contracts.list_attachments("order_file", order["id"]) == []  # contracts are not the desk's
        with pytest.raises(Forbidden):
            desk.contracts.download_attachment(scan["id"])
    with as_staff(nameko_config, "finance") as finance:
        assert [a["id"] for a in finance.contracts.list_attachments("order_file", order["id"])] == [scan["id"]]


def test_customer_and_supplier_papers_are_read_by_role_and_purged_past_retention(contracts, rpc, nameko_config,
                                                                                 archive_dir):
    customer = rpc.crm.create_customer({"full_name": "María Núñez", "email": "maria@example.es"})
    supplier = rpc.ticketing.create_supplier({"name": "Hôtel du Lac", "kind": "hotel"})
    with as_staff(nameko_config, "front_desk") as desk:
        passport = desk.contracts.attach_file("customer", customer["id"],
                                              upload(PASSPORT, "passport_copy", "pasaporte.jpg", "image/jpeg"))
        assert passport["keep_until"] == today() + timedelta(days=30)  # ARCHIVE_RETENTION_DAYS
        with pytest.raises(NotFound):
            desk.contracts.attach_file("customer", "no-such-customer", upload(PASSPORT, "passport_copy", "p.jpg"))
        with pytest.raises(Forbidden):  # the desk does not file supplier confirmations
            desk.contracts.attach_file("supplier", supplier["id"], upload(FAX, "supplier_confirmation", "f.tif"))
    with as_staff(nameko_config, "ticketing") as ticketing:
        fax = ticketing.contracts.attach_file("supplier", supplier["id"],
                                              upload(FAX, "supplier_confirmation", "confirmation.tif"))
        assert fax["content_type"] == "image/tiff"
        with pytest.raises(NotFound):
            ticketing.contracts.attach_file("supplier", "no-such-supplier", upload(FAX, "supplier_confirmation", "f"))
        assert ticketing.contracts.list_attachments("customer", customer["id"]) == []
        with pytest.raises(Forbidden):
            ticketing.contracts.get_attachment(passport["id"])
    with as_staff(nameko_config, "finance") as finance:
        assert [a["id"] for a in finance.contracts.list_attachments("supplier", supplier["id"])] == [fax["id"]]
        with pytest.raises(Forbidden):
            finance.contracts.download_attachment(passport["id"])

    # The passport copy's day passes: the timer removes its bytes, the record stays.
    engine = create_engine(contracts["url"])
    with engine.begin() as conn:
        conn.execute(text("UPDATE attachments SET keep_until = :day WHERE id = :id"),
                     {"day": today() - timedelta(days=1), "id": passport["id"]})
    engine.dispose()
    with entrypoint_hook(contracts["container"], "purge_attachments") as purge:
        assert purge() == 1
        assert purge() == 0
    assert not (archive_dir / storage.key_for(passport["sha256"])).exists()
    assert (archive_dir / storage.key_for(fax["sha256"])).exists()
    with as_staff(nameko_config, "consultant") as consultant:
        [record] = consultant.contracts.list_attachments("customer", customer["id"])
        assert record["id"] == passport["id"] and record["deleted_at"] is not None
        assert record["sha256"] == passport["sha256"] and record["uploaded_by"] == "user:front_desk"
        with pytest.raises(NotFound):
            consultant.contracts.download_attachment(passport["id"])


# --- S3: moto's server on a local port -----------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("moto's S3 server did not start")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def s3_bucket(s3_endpoint, monkeypatch):
    """A fresh bucket, and boto3's standard variables pointing at the local server."""
    import ssl

    import boto3
    from urllib3.util import ssl_

    # pytest's plugins import urllib3 before tests/conftest.py patches eventlet, so urllib3 holds
    # the original SSLContext whose setters recurse into eventlet's; `nameko run` patches first
    # and never meets this mix. Give ssl back its original class while boto3 builds contexts.
    if ssl_.SSLContext is not ssl.SSLContext:
        monkeypatch.setattr(ssl, "SSLContext", ssl_.SSLContext)

    for name, value in {"AWS_ENDPOINT_URL": s3_endpoint, "AWS_DEFAULT_REGION": "eu-west-1",
                        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    bucket = f"itinera-archive-{time.monotonic_ns()}"
    client = boto3.client("s3")
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    return client, bucket


def test_the_s3_backend_keeps_gets_and_removes_bytes(s3_bucket):
    client, bucket = s3_bucket
    s3 = storage.S3(bucket, prefix="archive/")
    key = storage.key_for(hashlib.sha256(SCAN).hexdigest())
    s3.put(key, SCAN)
    assert s3.get(key) == SCAN
    assert client.get_object(Bucket=bucket, Key="archive/" + key)["Body"].read() == SCAN
    s3.delete(key)
    with pytest.raises(storage.Missing):
        s3.get(key)


def test_a_configured_bucket_keeps_the_archive_on_s3(start_service, s3_bucket, nameko_config, archive_dir):
    client, bucket = s3_bucket
    start_service(CrmService)
    start_service(ContractsService, ARCHIVE_S3_BUCKET=bucket, ARCHIVE_DIR=str(archive_dir))
    with as_staff(nameko_config, "admin") as admin:
        customer = admin.crm.create_customer({"full_name": "Luis Ruiz", "email": "luis@example.es"})
        visa = admin.contracts.attach_file("customer", customer["id"], upload(SCAN, "visa", "visado.pdf"))
        assert base64.b64decode(admin.contracts.download_attachment(visa["id"])["content_base64"]) == SCAN
    assert client.get_object(Bucket=bucket, Key=storage.key_for(visa["sha256"]))["Body"].read() == SCAN
    assert not archive_dir.exists()  # nothing went to local disk

