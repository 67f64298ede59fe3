"""What suppliers call, with their API key (X-Api-Key, or Authorization: Bearer <key>)."""
from flask import request
from flask.views import MethodView

from services.common.errors import Unauthorized
from services.ticketing import schemas as s

from ..context import rpc
from . import Blueprint

blp = Blueprint("supplier", __name__, url_prefix="/api/v1/supplier",
                description="Supplier pushes, authenticated by the supplier's API key")


def api_key() -> str:
    key = request.headers.get("X-Api-Key") or ""
    auth = request.headers.get("Authorization", "")
    if not key and auth.lower().startswith("bearer "):
        key = auth[7:].strip()
    if not key:
        raise Unauthorized("Send your supplier API key in X-Api-Key.")
    return key


@blp.route("/inventory")
class SupplierInventory(MethodView):
    @blp.arguments(s.SupplierPushSchema)
    @blp.response(200, s.PushResultSchema)
    def post(self, data):
        """Push a batch of inventory updates; each gets its own result"""
        key = api_key()
        with rpc() as services:
            return services.ticketing.supplier_push(key, data, "supplier_json",
                                                    request.headers.get("X-Message-ID"))


@blp.route("/products/<string:product_id>/inventory")
class SupplierProductInventory(MethodView):
    @blp.arguments(s.DateRangeQuerySchema, location="query")
    @blp.response(200, s.DailyInventorySchema(many=True))
    def get(self, query, product_id):
        """Your own product's daily inventory (403 for another supplier's)"""
        key = api_key()
        with rpc() as services:
            return services.ticketing.supplier_inventory(key, product_id, query["start"], query["end"])
