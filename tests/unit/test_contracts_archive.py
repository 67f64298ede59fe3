"""The archive's rules: a file is taken for what its bytes are, kept for its kind's retention,
read only by the roles of its kind, and purged to a record once its day has passed."""
import base64
from datetime import date, datetime, timedelta, timezone

import pytest

from services.common.errors import Forbidden, NotFound, ValidationFailed
from services.contracts import archive, storage, wire
from services.contracts.models import Base  # noqa: F401 (the unit session's tables)

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
FAX = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 20
FAX_BIG_ENDIAN = b"MM\x00*\x00\x00\x00\x08" + b"\x00" * 20
NOW = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)


def upload(content: bytes, content_type: str | None = None, kind: str = "passport_copy") -> dict:
    return {"kind": kind, "filename": "scan.pdf", "content_type": content_type,
            "content_base64": base64.b64encode(content).decode()}


@pytest.mark.parametrize("content, expected", [(PDF, "application/pdf"), (JPEG, "image/jpeg"), (PNG, "image/png"),
                                               (FAX, "image/tiff"), (FAX_BIG_ENDIAN, "image/tiff")])
def test_scans_and_faxes_are_known_by_their_bytes(content, expected):
    assert archive.checked_content(upload(content), 1000) == (content, expected)
    assert archive.checked_content(upload(content, expected), 1000)[1] == expected


@pytest.mark.parametrize("content", [b"MZ\x90\x00 an exe", b"<html><script>", b"GIF89a...", b"PK\x03\x04 docx"])
def test_other_files_are_refused_whatever_they_claim_to_be(content):
    with pytest.raises(ValidationFailed) as refused:
        archive.checked_content(upload(content, "application/pdf"), 1000)
    assert "content_base64" in refused.value.details


def test_a_declared_type_the_bytes_contradict_is_refused_naming_the_field():
    with pytest.raises(ValidationFailed) as refused:
        archive.checked_content(upload(JPEG, "application/pdf"), 1000)
    assert list(refused.value.details) == ["content_type"]
    assert "image/jpeg" in refused.value.details["content_type"][0]


def test_the_names_browsers_give_the_same_type_are_accepted():
    assert archive.checked_content(upload(JPEG, "image/jpg"), 1000)[1] == "image/jpeg"
    assert archive.checked_content(upload(PDF, "Application/PDF; charset=binary"), 1000)[1] == "application/pdf"


def test_size_is_limited_and_empty_or_broken_uploads_are_refused():
    assert archive.checked_content(upload(PDF), len(PDF))
    for bad in (upload(PDF + b"x"), upload(b""), {**upload(PDF), "content_base64": "not base64!"}):
        with pytest.raises(ValidationFailed) as refused:
            archive.checked_content(bad, len(PDF))
        assert "content_base64" in refused.value.details


def test_file_names_lose_their_folders_and_may_not_carry_control_characters():
    assert archive.clean_filename("C:\\Users\\desk\\护照 María.pdf") == "护照 María.pdf"
    assert archive.clean_filename("../../etc/contract.pdf") == "contract.pdf"
    for bad in ("scan\r\n.pdf", "folder/", ".."):
        with pytest.raises(ValidationFailed) as refused:
            archive.clean_filename(bad)
        assert "filename" in refused.value.details


def test_retention_is_per_kind_with_defaults_and_overrides():
    days = archive.parse_retention("passport_copy=180, other=30")
    assert days["passport_copy"] == 180 and days["other"] == 30
    assert days["signed_contract"] == archive.DEFAULT_RETENTION_DAYS["signed_contract"] == 3650
    assert archive.keep_until("passport_copy", date(2026, 3, 1), days) == date(2026, 8, 28)
    assert archive.keep_until("signed_contract", date(2026, 3, 1), days) == date(2036, 2, 27)
    for bad in ("passport=180", "visa=0", "visa=ten", "visa"):
        with pytest.raises(ValueError):
            archive.parse_retention(bad)


def test_each_kind_is_read_by_its_roles_only():
    assert archive.readable_kinds({"front_desk"}) == ("passport_copy", "visa", "other")
    assert archive.readable_kinds({"ticketing"}) == ("supplier_confirmation",)
    assert archive.readable_kinds({"finance"}) == ("signed_contract", "supplier_confirmation", "invoice")
    assert set(archive.readable_kinds({"manager"})) == set(archive.readable_kinds({"admin"})) == set(
        wire.ATTACHMENT_KINDS)
    assert archive.readable_kinds(set()) == ()
    with pytest.raises(Forbidden):
        archive.require_reader("passport_copy", {"finance", "ticketing"})
    with pytest.raises(Forbidden):
        archive.require_reader("signed_contract", {"front_desk"})
    archive.require_reader("signed_contract", {"front_desk", "consultant"})
    # The gateway lets in exactly the roles that read some kind.
    assert set(wire.ATTACHMENT_ROLES) == {"front_desk", "consultant", "ticketing", "finance", "manager"}


def test_local_disk_keeps_bytes_by_their_checksum_and_writes_whole_files(tmp_path):
    disk = storage.LocalDisk(tmp_path / "archive")
    key = storage.key_for("ab" * 32)
    disk.put(key, PDF)
    disk.put(key, PDF)  # the same content again: nothing to do
    assert disk.get(key) == PDF
    assert (tmp_path / "archive" / "ab" / "ab" / ("ab" * 32)).read_bytes() == PDF
    assert not list((tmp_path / "archive").rglob(".incoming-*"))  # no temporary file left behind
    disk.delete(key)
    disk.delete(key)  # removing what is gone is not an error
    with pytest.raises(storage.Missing):
        disk.get(key)
    with pytest.raises(ValueError):
        disk.get("../../outside")


def test_storage_is_local_disk_unless_a_bucket_is_configured(tmp_path, monkeypatch):
    monkeypatch.setenv("ITINERA_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("ARCHIVE_S3_BUCKET", raising=False)
    monkeypatch.delenv("ARCHIVE_DIR", raising=False)
    chosen = storage.from_config({})
    assert isinstance(chosen, storage.LocalDisk) and chosen.root == tmp_path / "archive"


# --- filing and purging, on a real session and disk ----------------------------------------------

def _file(session, disk, content, owner=("customer", "c-1"), kind="passport_copy", now=NOW, days=None):
    fields = {"kind": kind, "filename": f"{kind}.pdf"}
    found = archive.file(session, disk, *owner, fields, content, "application/pdf",
                         retention_days=days or archive.DEFAULT_RETENTION_DAYS, actor="user:ana", now=now)
    session.flush()
    return found


def test_the_same_file_twice_for_an_owner_is_one_record(session, tmp_path):
    disk = storage.LocalDisk(tmp_path)
    first = _file(session, disk, PDF)
    again = _file(session, disk, PDF, now=NOW + timedelta(hours=1))
    other_owner = _file(session, disk, PDF, owner=("order_file", "of-1"))
    assert again.id == first.id and again.uploaded_at == NOW
    assert other_owner.id != first.id and other_owner.storage_key == first.storage_key
    assert (first.size, first.sha256, first.uploaded_by) == (len(PDF), archive.hashlib.sha256(PDF).hexdigest(),
                                                             "user:ana")
    assert first.keep_until == date(2027, 3, 1)


def test_purge_removes_bytes_past_retention_keeps_the_record_and_bytes_still_needed(session, tmp_path):
    disk = storage.LocalDisk(tmp_path)
    passport = _file(session, disk, PDF, days={**archive.DEFAULT_RETENTION_DAYS, "passport_copy": 10})
    contract = _file(session, disk, PDF, owner=("order_file", "of-1"), kind="signed_contract")
    fax = _file(session, disk, FAX, kind="other", days={**archive.DEFAULT_RETENTION_DAYS, "other": 10})
    on_the_day = NOW + timedelta(days=10)
    assert archive.purge(session, disk, on_the_day.date(), on_the_day) == 0  # kept through its last day
    assert archive.content(disk, passport, on_the_day.date()) == PDF

    later = NOW + timedelta(days=11)
    assert archive.purge(session, disk, later.date(), later) == 2
    assert passport.deleted_at == later and fax.deleted_at == later and contract.deleted_at is None
    assert disk.get(contract.storage_key) == PDF  # the same scan is still kept as the contract
    with pytest.raises(storage.Missing):
        disk.get(fax.storage_key)
    with pytest.raises(NotFound):
        archive.content(disk, passport, later.date())
    assert archive.purge(session, disk, later.date(), later) == 0
    assert {a.id for a in archive.of_owner(session, "customer", "c-1", {"manager"})} == {passport.id, fax.id}


def test_a_file_past_its_day_is_not_served_even_before_the_purge(session, tmp_path):
    disk = storage.LocalDisk(tmp_path)
    fax = _file(session, disk, FAX, kind="other", days={**archive.DEFAULT_RETENTION_DAYS, "other": 1})
    with pytest.raises(NotFound):
        archive.content(disk, fax, (NOW + timedelta(days=2)).date())


def test_a_listing_shows_only_the_kinds_the_caller_reads(session, tmp_path):
    disk = storage.LocalDisk(tmp_path)
    owner = ("order_file", "of-1")
    _file(session, disk, PDF, owner=owner, kind="signed_contract")
    _file(session, disk, PNG, owner=owner, kind="passport_copy")
    _file(session, disk, FAX, owner=owner, kind="supplier_confirmation")
    kinds = {role: {a.kind for a in archive.of_owner(session, *owner, {role})}
             for role in ("front_desk", "ticketing", "finance", "consultant")}
    assert kinds == {"front_desk": {"passport_copy"}, "ticketing": {"supplier_confirmation"},
                     "finance": {"signed_contract", "supplier_confirmation"},
                     "consultant": {"signed_contract", "passport_copy", "supplier_confirmation"}}
    with pytest.raises(Forbidden):
        archive.get(session, archive.of_owner(session, *owner, {"manager"})[-1].id, {"ticketing"})
