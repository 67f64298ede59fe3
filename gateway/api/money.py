"""The order file's money: payments and receipts, invoices and credit notes, refunds, the desk's
day, overdue instalments and bank statements.

Roles: the front desk records payments, prints receipts and closes its day; finance issues
invoices and credit notes, confirms days, imports and reconciles statements and approves refunds
up to its limit (REFUND_APPROVAL_LIMIT); managers approve beyond it.
"""
from flask.views import MethodView

from services.contracts import wire

from ..auth import allow
from ..context import rpc
from . import LOCATION, PDF_DOC, PDF_SCHEMA, Blueprint, created, pdf_response

blp = Blueprint("money", __name__, url_prefix="/api/v1",
                description="Payments, receipts, invoices, refunds, the desk's day and bank reconciliation")

DESK = ("front_desk", "finance", "manager")
FINANCE = ("finance", "manager")
READ = ("front_desk", "consultant", "finance", "manager")


@blp.route("/order-files/<string:order_id>/payments")
class Payments(MethodView):
    @allow(*READ)
    @blp.response(200, wire.PaymentSchema(many=True))
    def get(self, order_id):
        """The order file's payments and refunds paid, with their receipt numbers"""
        with rpc() as services:
            return services.contracts.list_payments(order_id)

    @allow(*DESK)
    @blp.arguments(wire.PaymentCreateSchema)
    @blp.response(201, wire.PaymentSchema, **LOCATION)
    @blp.alt_response(409, description="More than is owed, a cancelled order file, or the desk's day is closed.")
    def post(self, data, order_id):
        """Record a payment (in the contract's currency; send an Idempotency-Key so a repeat records one)"""
        with rpc() as services:
            payment = services.contracts.record_payment(order_id, data)
        return created(payment, f"/api/v1/payments/{payment['id']}/receipt.pdf")


@blp.route("/payments/<int:payment_id>/receipt.pdf")
class Receipt(MethodView):
    @allow(*READ)
    @blp.response(200, PDF_SCHEMA, description="The numbered receipt as a PDF", **PDF_DOC)
    def get(self, payment_id):
        """The payment's numbered receipt, in the customer's language"""
        with rpc() as services:
            return pdf_response(services.contracts.receipt(payment_id))


@blp.route("/order-files/<string:order_id>/invoices")
class Invoices(MethodView):
    @allow(*READ)
    @blp.response(200, wire.InvoiceSchema(many=True))
    def get(self, order_id):
        """The order file's invoices and credit notes"""
        with rpc() as services:
            return services.contracts.list_invoices(order_id)

    @allow(*FINANCE)
    @blp.arguments(wire.InvoiceCreateSchema)
    @blp.response(201, wire.InvoiceSchema, **LOCATION)
    @blp.alt_response(409, description="More than is left to invoice, or the order file is cancelled.")
    def post(self, data, order_id):
        """Issue an invoice (numbered in its series without gaps; it never changes once issued)"""
        with rpc() as services:
            invoice = services.contracts.issue_invoice(order_id, data)
        return created(invoice, f"/api/v1/invoices/{invoice['id']}")


@blp.route("/invoices/<int:invoice_id>")
class InvoiceById(MethodView):
    @allow(*READ)
    @blp.response(200, wire.InvoiceSchema)
    def get(self, invoice_id):
        """An invoice or credit note"""
        with rpc() as services:
            return services.contracts.get_invoice(invoice_id)


@blp.route("/invoices/<int:invoice_id>/document.pdf")
class InvoiceDocument(MethodView):
    @allow(*READ)
    @blp.response(200, PDF_SCHEMA, description="The invoice or credit note as a PDF", **PDF_DOC)
    def get(self, invoice_id):
        """The invoice or credit note as a PDF, in the customer's language"""
        with rpc() as services:
            return pdf_response(services.contracts.invoice_document(invoice_id))


@blp.route("/invoices/<int:invoice_id>/credit-notes")
class CreditNotes(MethodView):
    @allow(*FINANCE)
    @blp.arguments(wire.CreditNoteCreateSchema)
    @blp.response(201, wire.InvoiceSchema, **LOCATION)
    @blp.alt_response(409, description="More than the invoice has left to credit, or it is a credit note.")
    def post(self, data, invoice_id):
        """Correct an invoice with a credit note that names it"""
        with rpc() as services:
            note = services.contracts.issue_credit_note(invoice_id, data)
        return created(note, f"/api/v1/invoices/{note['id']}")


@blp.route("/invoices/<int:invoice_id>/fiscal-number")
class FiscalNumber(MethodView):
    @allow(*FINANCE)
    @blp.arguments(wire.FiscalNumberSchema)
    @blp.response(200, wire.InvoiceSchema)
    @blp.alt_response(409, description="The invoice already carries a fiscal number.")
    def post(self, data, invoice_id):
        """Attach the tax authority's number (a fapiao number...), once"""
        with rpc() as services:
            return services.contracts.set_fiscal_number(invoice_id, data)


@blp.route("/order-files/<string:order_id>/refunds")
class Refunds(MethodView):
    @allow(*READ)
    @blp.response(200, wire.ContractRefundSchema(many=True))
    def get(self, order_id):
        """The order file's refunds: to approve, approved, paid"""
        with rpc() as services:
            return services.contracts.list_refunds(order_id)


@blp.route("/refunds/<int:refund_id>/approve")
class ApproveRefund(MethodView):
    @allow(*FINANCE)
    @blp.response(200, wire.ContractRefundSchema)
    @blp.alt_response(403, description="Over finance's limit: a manager approves it.")
    @blp.alt_response(409, description="Not waiting for approval.")
    def post(self, refund_id):
        """Approve a refund (finance up to its limit, managers beyond)"""
        with rpc() as services:
            return services.contracts.approve_refund(refund_id)


@blp.route("/refunds/<int:refund_id>/pay")
class PayRefund(MethodView):
    @allow(*FINANCE)
    @blp.arguments(wire.RefundPaySchema)
    @blp.response(201, wire.PaymentSchema, **LOCATION)
    @blp.alt_response(409, description="Not approved, or the desk's day is closed.")
    def post(self, data, refund_id):
        """Pay an approved refund back: a payment of minus the amount, with its own receipt"""
        with rpc() as services:
            payment = services.contracts.pay_refund(refund_id, data)
        return created(payment, f"/api/v1/payments/{payment['id']}/receipt.pdf")


@blp.route("/desk-days")
class DeskDays(MethodView):
    @allow(*DESK)
    @blp.arguments(wire.DeskDayQuerySchema, location="query")
    @blp.response(200, wire.DeskDaySchema)
    def get(self, query):
        """A desk's day: open, closed or confirmed, with its receipts by currency and method"""
        with rpc() as services:
            return services.contracts.desk_day(wire.DeskDayQuerySchema().dump(query))


@blp.route("/desk-days/close")
class CloseDay(MethodView):
    @allow(*DESK)
    @blp.arguments(wire.DayCloseSchema)
    @blp.response(200, wire.DeskDaySchema)
    @blp.alt_response(409, description="The day is already closed.")
    def post(self, data):
        """Close the desk's day: its totals are fixed and it takes no more payments"""
        with rpc() as services:
            return services.contracts.close_day(wire.DayCloseSchema().dump(data))


@blp.route("/desk-days/confirm")
class ConfirmDay(MethodView):
    @allow(*FINANCE)
    @blp.arguments(wire.DayCloseSchema)
    @blp.response(200, wire.DeskDaySchema)
    @blp.alt_response(409, description="The desk has not closed that day.")
    def post(self, data):
        """Finance confirms a closed day's receipts"""
        with rpc() as services:
            return services.contracts.confirm_day(wire.DayCloseSchema().dump(data))


@blp.route("/instalments/overdue")
class Overdue(MethodView):
    @allow("consultant", "finance", "manager")
    @blp.arguments(wire.OverdueQuerySchema, location="query")
    @blp.response(200, wire.OverdueSchema(many=True))
    def get(self, query):
        """Instalments past due and not fully paid, with their aging bucket (0-30, 31-60, 61-90, 90+ days)"""
        with rpc() as services:
            return services.contracts.overdue_instalments(wire.OverdueQuerySchema().dump(query))


@blp.route("/bank-statements")
class BankStatements(MethodView):
    @allow(*FINANCE)
    @blp.arguments(wire.StatementImportSchema)
    @blp.response(201, wire.StatementSchema, **LOCATION)
    def post(self, data):
        """Import a bank statement (csv, mt940 or camt053, base64) and match its lines to payments;
        the same file again changes nothing"""
        with rpc() as services:
            statement = services.contracts.import_statement(data)
        return created(statement, f"/api/v1/bank-statements/{statement['id']}")


@blp.route("/bank-statements/<int:statement_id>")
class BankStatementById(MethodView):
    @allow(*FINANCE)
    @blp.response(200, wire.StatementSchema)
    def get(self, statement_id):
        """A statement: each line and the payment it matched; transfers no line matched"""
        with rpc() as services:
            return services.contracts.get_statement(statement_id)


@blp.route("/bank-statements/<int:statement_id>/lines/<int:line_no>/match")
class MatchLine(MethodView):
    @allow(*FINANCE)
    @blp.arguments(wire.ManualMatchSchema)
    @blp.response(200, wire.StatementSchema)
    @blp.alt_response(409, description="The line is confirmed, or the payment matches another line.")
    def post(self, data, statement_id, line_no):
        """Match a line to a payment by hand (payment_id null undoes the match)"""
        with rpc() as services:
            return services.contracts.match_statement_line(statement_id, line_no, data)


@blp.route("/bank-statements/<int:statement_id>/lines/<int:line_no>/confirm")
class ConfirmLine(MethodView):
    @allow(*FINANCE)
    @blp.response(200, wire.StatementSchema)
    @blp.alt_response(409, description="The line matches no payment.")
    def post(self, statement_id, line_no):
        """Finance confirms a line's match"""
        with rpc() as services:
            return services.contracts.confirm_statement_line(statement_id, line_no)
