"""Suppliers, and the API keys they push inventory with.

A key is 'itk_<prefix>_<secret>': the prefix finds the supplier, the SHA-256 digest of the
whole key proves it. The keys are long and random, so a fast digest is safe here (a slow
password hash is for what people choose); it is shown once and can be revoked.
"""
import hashlib
import hmac
import secrets
import uuid
from datetime import datetime

from sqlalchemy import select

from services.common.errors import NotFound
from services.common.validators import unstorable

from .models import Supplier


class InvalidApiKey(Exception):
    pass


def create(session, data: dict, *, actor: str, now: datetime) -> Supplier:
    supplier = Supplier(id=str(uuid.uuid4()), name=data["name"], kind=data["kind"], contacts=data["contacts"],
                        created_at=now, created_by=actor)
    session.add(supplier)
    session.flush()
    return supplier


def get(session, supplier_id: str) -> Supplier:
    supplier = session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound(f"No supplier {supplier_id}.", {"supplier_id": supplier_id})
    return supplier


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_api_key(session, supplier_id: str) -> str:
    """A new key replaces (and so revokes) any earlier one. Returns the key: it is not kept."""
    supplier = get(session, supplier_id)
    prefix = secrets.token_hex(6)
    key = f"itk_{prefix}_{secrets.token_urlsafe(32)}"
    supplier.api_key_prefix, supplier.api_key_digest, supplier.api_key_revoked_at = prefix, _digest(key), None
    return key


def revoke_api_key(session, supplier_id: str, now: datetime) -> Supplier:
    supplier = get(session, supplier_id)
    supplier.api_key_revoked_at = now
    return supplier


def authenticate(session, key: str) -> Supplier:
    parts = (key or "").split("_")
    if len(parts) < 3 or parts[0] != "itk" or unstorable(parts[1]):  # no database could look it up
        raise InvalidApiKey("malformed key")
    supplier = session.scalars(select(Supplier).where(Supplier.api_key_prefix == parts[1])).first()
    if supplier is None or supplier.api_key_revoked_at is not None \
            or not hmac.compare_digest(supplier.api_key_digest or "", _digest(key)):
        raise InvalidApiKey("unknown or revoked key")
    return supplier


def as_dict(supplier: Supplier) -> dict:
    return {"id": supplier.id, "name": supplier.name, "kind": supplier.kind, "contacts": supplier.contacts,
            "api_key_prefix": supplier.api_key_prefix,
            "api_key_active": bool(supplier.api_key_digest) and supplier.api_key_revoked_at is None,
            "created_at": supplier.created_at, "created_by": supplier.created_by}
