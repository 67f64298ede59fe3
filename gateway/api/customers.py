"""Customers (CRM)."""
from flask.views import MethodView

from services.crm.schemas import CustomerCreateSchema, CustomerSchema

from ..context import rpc
from . import Blueprint

blp = Blueprint("customers", __name__, url_prefix="/api/v1/customers", description="Customer records (CRM)")


@blp.route("")
class Customers(MethodView):
    @blp.arguments(CustomerCreateSchema)
    @blp.response(201, CustomerSchema)
    def post(self, data):
        """Create a customer"""
        with rpc() as services:
            return services.crm.create_customer(data)


@blp.route("/<string:customer_id>")
class CustomerById(MethodView):
    @blp.response(200, CustomerSchema)
    def get(self, customer_id):
        """Get a customer"""
        with rpc() as services:
            return services.crm.get_customer(customer_id)
