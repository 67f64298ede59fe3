"""The archive: files and faxes the back office keeps for an order file, a customer or a supplier.

A file is accepted for what its bytes are, not for what the browser said: PDF, JPEG, PNG or TIFF
(faxes), found by their magic bytes. It is kept with its SHA-256, who filed it and when, and a
`keep_until` day from its kind's retention (ARCHIVE_RETENTION_DAYS); past that day the purge
removes its bytes and keeps the row, so the record of what was kept remains. Who may read a kind
is `wire.ATTACHMENT_READERS`, checked here for every read and filing.
"""
import base64
import binascii
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from services.common.errors import Forbidden, NotFound, ValidationFailed

from . import storage as storage_
from .models import Attachment
from .settings import _get
from .wire import ATTACHMENT_KINDS, ATTACHMENT_READERS

# Days a kind is kept after filing. Contracts and invoices: the ten years agencies keep business
# records for (tax and consumer law); identity papers only as long as a trip needs them.
DEFAULT_RETENTION_DAYS = {"signed_contract": 3650, "invoice": 3650, "supplier_confirmation": 1825,
                          "passport_copy": 365, "visa": 365, "other": 730}
DEFAULT_MAX_BYTES = 10_000_000

# (leading bytes, content type). TIFF has both byte orders; a fax server writes either.
_MAGIC = ((b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"),
          (b"\x89PNG\r\n\x1a\n", "image/png"), (b"II*\x00", "image/tiff"), (b"MM\x00*", "image/tiff"))
# Names browsers and scanners send for the same types.
_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-png": "image/png",
            "application/x-pdf": "application/pdf", "image/tif": "image/tiff"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ArchiveSettings:
    max_bytes: int
    retention_days: dict  # kind -> days


def parse_retention(text: str) -> dict:
    """`kind=days,...` over the defaults, e.g. `passport_copy=180,signed_contract=3650`."""
    days = dict(DEFAULT_RETENTION_DAYS)
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        kind, _, value = item.partition("=")
        kind = kind.strip()
        if kind not in ATTACHMENT_KINDS or not value.strip().isdigit() or int(value) < 1:
            raise ValueError(f"ARCHIVE_RETENTION_DAYS: {item!r} is not <kind>=<days> with a kind of "
                             f"{', '.join(ATTACHMENT_KINDS)} and at least one day.")
        days[kind] = int(value)
    return days


def settings_from(config: dict | None = None) -> ArchiveSettings:
    config = config or {}
    return ArchiveSettings(max_bytes=int(_get(config, "ARCHIVE_MAX_BYTES", str(DEFAULT_MAX_BYTES))),
                           retention_days=parse_retention(_get(config, "ARCHIVE_RETENTION_DAYS", "")))


def sniff(content: bytes) -> str | None:
    """The content type the bytes themselves show, if it is one the archive keeps."""
    return next((kind for magic, kind in _MAGIC if content.startswith(magic)), None)


def _declared(content_type: str | None) -> str | None:
    if not content_type:
        return None
    bare = content_type.split(";")[0].strip().lower()
    return _ALIASES.get(bare, bare)


def clean_filename(name: str) -> str:
    """The name without any folder a browser or a script put in front of it."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1].strip()
    if _CONTROL.search(name):
        raise ValidationFailed("The file name has control characters.",
                               {"filename": ["Control characters are not allowed in a file name."]})
    if not name or name in (".", ".."):
        raise ValidationFailed("The file has no name.", {"filename": ["Give the file's name."]})
    return name


def checked_content(fields: dict, max_bytes: int) -> tuple[bytes, str]:
    """The file's bytes and their real content type, or a ValidationFailed naming the field."""
    try:
        content = base64.b64decode(fields["content_base64"], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed("The file is not base64.", {"content_base64": ["Not valid base64."]}) from None
    if not content:
        raise ValidationFailed("The file is empty.", {"content_base64": ["The file is empty."]})
    if len(content) > max_bytes:
        raise ValidationFailed("The file is too large.", {"content_base64": [
            f"{len(content)} bytes: the archive takes files up to {max_bytes} bytes."]})
    found = sniff(content)
    if found is None:
        raise ValidationFailed("The archive keeps PDF, JPEG, PNG and TIFF files.", {"content_base64": [
            "Not a PDF, JPEG, PNG or TIFF file (judged by its contents)."]})
    declared = _declared(fields.get("content_type"))
    if declared is not None and declared != found:
        raise ValidationFailed("The declared type is not what the file is.", {"content_type": [
            f"Declared {fields['content_type']}, but the file is {found}."]})
    return content, found


def keep_until(kind: str, filed_on: date, retention_days: dict) -> date:
    return filed_on + timedelta(days=retention_days[kind])


# --- who may see what ---------------------------------------------------------------------------

def readable_kinds(roles: set) -> tuple[str, ...]:
    if "admin" in roles:
        return ATTACHMENT_KINDS
    return tuple(kind for kind in ATTACHMENT_KINDS if set(ATTACHMENT_READERS[kind]) & roles)


def require_reader(kind: str, roles: set) -> None:
    """Filing a kind takes the same roles as reading it: who files a passport copy may see it."""
    if kind not in readable_kinds(roles):
        raise Forbidden(f"A {kind.replace('_', ' ')} is for the roles: "
                        f"{', '.join(ATTACHMENT_READERS[kind])}.")


# --- the records --------------------------------------------------------------------------------

def find(session, owner_type: str, owner_id: str, sha256: str) -> Attachment | None:
    return session.scalar(select(Attachment).where(Attachment.owner_type == owner_type,
                                                   Attachment.owner_id == owner_id, Attachment.sha256 == sha256))


def file(session, store: storage_.Storage, owner_type: str, owner_id: str, fields: dict, content: bytes,
         content_type: str, *, retention_days: dict, actor: str, now: datetime) -> Attachment:
    """Keep the file for its owner; the same bytes already filed for that owner are that record.

    The bytes are written before the row: a rolled-back filing leaves bytes nobody names (the
    next filing of that content reuses them), never a row without its bytes."""
    sha256 = hashlib.sha256(content).hexdigest()
    existing = find(session, owner_type, owner_id, sha256)
    if existing is not None and existing.deleted_at is None and existing.keep_until >= now.date():
        return existing
    key = storage_.key_for(sha256)
    store.put(key, content)
    until = keep_until(fields["kind"], now.date(), retention_days)
    if existing is not None:
        # Filed again after its retention removed it: the record comes back with a new retention.
        existing.kind, existing.filename, existing.deleted_at = fields["kind"], fields["filename"], None
        existing.uploaded_by, existing.uploaded_at, existing.keep_until = actor, now, until
        return existing
    attachment = Attachment(owner_type=owner_type, owner_id=owner_id, kind=fields["kind"],
                            filename=fields["filename"], content_type=content_type, size=len(content),
                            sha256=sha256, storage_key=key, uploaded_by=actor, uploaded_at=now,
                            keep_until=until)
    session.add(attachment)
    return attachment


def of_owner(session, owner_type: str, owner_id: str, roles: set) -> list[Attachment]:
    """The owner's files the caller may read, newest first; removed ones too, as records."""
    return list(session.scalars(
        select(Attachment).where(Attachment.owner_type == owner_type, Attachment.owner_id == owner_id,
                                 Attachment.kind.in_(readable_kinds(roles)))
        .order_by(Attachment.uploaded_at.desc(), Attachment.id.desc())))


def get(session, attachment_id: int, roles: set) -> Attachment:
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(f"No attachment {attachment_id}.")
    require_reader(attachment.kind, roles)
    return attachment


def content(store: storage_.Storage, attachment: Attachment, today: date) -> bytes:
    """The file's bytes while it is kept. Past its day it is gone even before the purge runs,
    so a purge that removed the bytes and then failed to commit shows nothing different."""
    if attachment.deleted_at is not None or attachment.keep_until < today:
        raise NotFound(f"Attachment {attachment.id} was removed after its retention ({attachment.keep_until}).",
                       {"keep_until": attachment.keep_until.isoformat()})
    try:
        return store.get(attachment.storage_key)
    except storage_.Missing:
        raise NotFound(f"The file of attachment {attachment.id} is missing from the archive.") from None


def purge(session, store: storage_.Storage, today: date, now: datetime, limit: int = 500) -> int:
    """Remove the bytes of files past their retention, keeping their rows (with deleted_at).

    Bytes shared with a record still kept (the same scan filed for another owner) stay. Deleting
    from storage before the commit is safe: a row past its day is never served (content())."""
    due = list(session.scalars(select(Attachment).where(Attachment.deleted_at.is_(None),
                                                        Attachment.keep_until < today)
                               .order_by(Attachment.keep_until, Attachment.id).limit(limit)))
    for attachment in due:
        attachment.deleted_at = now
    session.flush()
    for key in sorted({a.storage_key for a in due}):
        still_kept = session.scalar(select(Attachment.id).where(
            Attachment.storage_key == key, Attachment.deleted_at.is_(None)).limit(1))
        if still_kept is None:
            store.delete(key)
    return len(due)


def as_dict(attachment: Attachment) -> dict:
    return {k: getattr(attachment, k) for k in (
        "id", "owner_type", "owner_id", "kind", "filename", "content_type", "size", "sha256", "uploaded_by",
        "uploaded_at", "keep_until", "deleted_at")}


def content_dict(attachment: Attachment, data: bytes) -> dict:
    return {"filename": attachment.filename, "content_type": attachment.content_type,
            "content_base64": base64.b64encode(data).decode("ascii")}

