"""Supplier pushes: batches of inventory updates in the supplier's own product codes, and their results.

The JSON push and the AMQP queue carry these; OTA XML (wire.ota) is mapped onto the same updates.
"""
from marshmallow import Schema, validate

from services.common import fields
from services.common.validators import CODE

from .products import InventoryUpdateSchema

__all__ = [
    "SupplierUpdateSchema", "SupplierPushSchema", "PushUpdateResultSchema", "PushResultSchema",
]


class SupplierUpdateSchema(InventoryUpdateSchema):
    """One update of a supplier's push: its own product code, and its sequence for ordering."""

    product_code = fields.String(required=True, validate=CODE)
    sequence = fields.BigInteger(required=True, strict=True, validate=validate.Range(min=0),
                                 metadata={"description": "Increasing per product: a push number or a Unix "
                                                          "timestamp in ms. Stale or repeated updates change nothing."})


class SupplierPushSchema(Schema):
    updates = fields.List(fields.Dict(), required=True, validate=validate.Length(min=1, max=5000))


class PushUpdateResultSchema(Schema):
    index = fields.Integer(metadata={"description": "The update's position in the batch, from 0"})
    status = fields.String(metadata={"description": "applied, ignored_stale or rejected"})
    product_code = fields.String()
    applied_days = fields.Integer()
    stale_days = fields.Integer()
    missing_days = fields.List(fields.String(), metadata={"description": "Dates without an allotment yet (ISO 8601)"})
    reason = fields.String(metadata={"description": "invalid, unknown_product, past_dates or no_allotment"})
    detail = fields.String()
    errors = fields.Dict(metadata={"description": "Per-field messages of an invalid update"})


class PushResultSchema(Schema):
    supplier_id = fields.String()
    results = fields.List(fields.Nested(PushUpdateResultSchema))
