"""What the agency owes its suppliers: an order file's margin, a supplier's payables for a period
from the confirmed bookings at net price, and the supplier invoices matched against them and paid.

Roles: finance and managers.
"""
from flask.views import MethodView

from services.contracts import wire

from ..auth import allow
from ..context import rpc
from . import LOCATION, Blueprint, created

blp = Blueprint("payables", __name__, url_prefix="/api/v1",
                description="Supplier costs, margins, supplier payables and supplier invoices")

FINANCE = ("finance", "manager")


@blp.route("/order-files/<string:order_id>/margin")
class Margin(MethodView):
    @allow(*FINANCE)
    @blp.response(200, wire.OrderFileMarginSchema)
    def get(self, order_id):
        """The order file's margin: the contract's revenue less its confirmed booking lines at net price
        (costs in other currencies listed apart, never converted)"""
        with rpc() as services:
            return services.contracts.order_file_margin(order_id)


@blp.route("/suppliers/<string:supplier_id>/payables")
class Payables(MethodView):
    @allow(*FINANCE)
    @blp.arguments(wire.PeriodQuerySchema, location="query")
    @blp.response(200, wire.SupplierPayablesSchema)
    def get(self, query, supplier_id):
        """What the agency owes the supplier for the lines travelling in the period, per currency, and
        the supplier's invoices for it"""
        with rpc() as services:
            return services.contracts.supplier_payables(supplier_id, wire.PeriodQuerySchema().dump(query))


@blp.route("/suppliers/<string:supplier_id>/invoices")
class SupplierInvoices(MethodView):
    @allow(*FINANCE)
    @blp.arguments(wire.SupplierInvoiceCreateSchema)
    @blp.response(201, wire.SupplierInvoiceSchema, **LOCATION)
    @blp.alt_response(409, description="The supplier's invoice of that number is recorded with other details.")
    def post(self, data, supplier_id):
        """Record the supplier's invoice, with its difference to what the bookings say (the same
        supplier and number again is the same record)"""
        with rpc() as services:
            invoice = services.contracts.record_supplier_invoice(supplier_id, wire.SupplierInvoiceCreateSchema()
                                                                 .dump(data))
        return created(invoice, f"/api/v1/supplier-invoices/{invoice['id']}")


@blp.route("/supplier-invoices/<int:invoice_id>")
class SupplierInvoiceById(MethodView):
    @allow(*FINANCE)
    @blp.response(200, wire.SupplierInvoiceSchema)
    def get(self, invoice_id):
        """A supplier invoice, with its difference to what the bookings say now"""
        with rpc() as services:
            return services.contracts.get_supplier_invoice(invoice_id)


@blp.route("/supplier-invoices/<int:invoice_id>/pay")
class PaySupplierInvoice(MethodView):
    @allow(*FINANCE)
    @blp.arguments(wire.SupplierInvoicePaySchema)
    @blp.response(200, wire.SupplierInvoiceSchema)
    @blp.alt_response(409, description="The invoice is already paid.")
    def post(self, data, invoice_id):
        """Mark the supplier's invoice paid (once)"""
        with rpc() as services:
            return services.contracts.pay_supplier_invoice(invoice_id, wire.SupplierInvoicePaySchema().dump(data))
