"""The order file: opened from an accepted quote, completed, checked, signed (in person or through
the customer's link), amended, cancelled; and its contract PDF.

Roles: consultants and managers prepare, sign and amend contracts and cancel them; only managers
override the document check; the front desk and finance read order files.
"""
from flask import request
from flask.views import MethodView
from marshmallow import Schema

from services.common import fields
from services.contracts import wire

from ..auth import allow
from ..context import rpc
from . import LOCATION, PDF_DOC, PDF_SCHEMA, Blueprint, created, pdf_response

blp = Blueprint("order_files", __name__, url_prefix="/api/v1",
                description="Order files: contracts, signing, amendments and cancellation")

PREPARE = ("consultant", "manager")
READ = ("front_desk", "consultant", "finance", "manager")
BLOCKED_409 = dict(description="Signing is blocked: `missing` lists each traveller's missing document and each "
                               "supplier still to confirm an amendment; or nothing is waiting to be signed.")


class VersionQuerySchema(Schema):
    version = fields.Integer(load_default=None, validate=lambda v: v >= 1,
                             metadata={"description": "Default: the newest version"})


@blp.route("/order-files")
class OrderFiles(MethodView):
    @allow(*READ)
    @blp.arguments(wire.OrderFileQuerySchema, location="query")
    @blp.response(200, wire.OrderFilePageSchema)
    def get(self, query):
        """List order files, newest first, by status, customer or order number"""
        with rpc() as services:
            return services.contracts.list_order_files(query)

    @allow(*PREPARE)
    @blp.arguments(wire.OrderFileOpenSchema)
    @blp.response(201, wire.OrderFileSchema, **LOCATION)
    @blp.alt_response(409, description="That quote version is not accepted.")
    def post(self, data):
        """Open the order file of an accepted quote version (the quote_accepted event opens it too;
        whichever comes first opens it, the other finds it)"""
        with rpc() as services:
            order = services.contracts.open_order_file(data)
        return created(order, f"/api/v1/order-files/{order['id']}")


@blp.route("/order-files/<string:order_id>")
class OrderFileById(MethodView):
    @allow(*READ)
    @blp.response(200, wire.OrderFileSchema)
    def get(self, order_id):
        """An order file: travellers, the quote as accepted, contract versions, schedule and money"""
        with rpc() as services:
            return services.contracts.get_order_file(order_id)

    @allow(*PREPARE)
    @blp.arguments(wire.OrderFileUpdateSchema)
    @blp.response(200, wire.OrderFileSchema)
    @blp.alt_response(409, description="The contract is signed: change it by amendment.")
    def patch(self, data, order_id):
        """Complete the draft: travellers (read from CRM), entry requirements, special arrangements, language"""
        with rpc() as services:
            return services.contracts.update_order_file(order_id, data)


@blp.route("/order-files/<string:order_id>/document-check")
class DocumentCheck(MethodView):
    @allow(*READ)
    @blp.response(200, wire.DocumentCheckSchema)
    def get(self, order_id):
        """What stops signing: each traveller's passport (valid 6 months after the return) and visa"""
        with rpc() as services:
            return services.contracts.check_documents(order_id)


@blp.route("/order-files/<string:order_id>/document-check/override")
class DocumentOverride(MethodView):
    @allow("manager")
    @blp.arguments(wire.OverrideSchema)
    @blp.response(200, wire.DocumentCheckSchema)
    @blp.alt_response(409, description="Nothing is waiting to be signed.")
    def post(self, data, order_id):
        """Let the contract be signed with documents missing, for a reason (managers)"""
        with rpc() as services:
            return services.contracts.override_documents(order_id, data)


@blp.route("/order-files/<string:order_id>/contract.pdf")
class ContractDocument(MethodView):
    @allow(*READ)
    @blp.arguments(VersionQuerySchema, location="query")
    @blp.response(200, PDF_SCHEMA, description="The contract as a PDF, in the customer's language", **PDF_DOC)
    def get(self, query, order_id):
        """The contract PDF of a version: a signed version exactly as it was signed"""
        with rpc() as services:
            return pdf_response(services.contracts.contract_document(order_id, query["version"]))


@blp.route("/order-files/<string:order_id>/confirmation-letter.pdf")
class ConfirmationLetter(MethodView):
    @allow(*READ)
    @blp.response(200, PDF_SCHEMA, description="The booking confirmation letter as a PDF", **PDF_DOC)
    def get(self, order_id):
        """The booking confirmation letter: what is booked with its locators, what is paid and still due"""
        with rpc() as services:
            return pdf_response(services.contracts.confirmation_letter(order_id))


@blp.route("/order-files/<string:order_id>/sign")
class SignInPerson(MethodView):
    @allow(*PREPARE)
    @blp.arguments(wire.SignInPersonSchema)
    @blp.response(200, wire.OrderFileSchema)
    @blp.alt_response(409, **BLOCKED_409)
    def post(self, data, order_id):
        """Record the customer's signature at the desk (who signed, as what; the staff member who saw it)"""
        with rpc() as services:
            return services.contracts.sign_in_person(order_id, data)


@blp.route("/order-files/<string:order_id>/signing-link")
class SigningLink(MethodView):
    @allow(*PREPARE)
    @blp.arguments(wire.SigningLinkSchema)
    @blp.response(201, wire.SigningLinkOutSchema, **LOCATION)
    @blp.alt_response(409, **BLOCKED_409)
    def post(self, data, order_id):
        """A one-time link for the customer to read and sign the contract remotely (the token is shown once)"""
        with rpc() as services:
            link = services.contracts.create_signing_link(order_id, data)
        return created(link, f"/api/v1/signing/{link['token']}")


@blp.route("/order-files/<string:order_id>/amendments")
class Amendments(MethodView):
    @allow(*PREPARE)
    @blp.arguments(wire.AmendmentCreateSchema)
    @blp.response(201, wire.OrderFileSchema, **LOCATION)
    @blp.alt_response(409, description="Only a signed contract is amended.")
    def post(self, data, order_id):
        """Draft an amendment: what changed, why, the new total, and every supplier that must confirm it"""
        with rpc() as services:
            order = services.contracts.amend_contract(order_id, data)
        return created(order, f"/api/v1/order-files/{order_id}")


@blp.route("/order-files/<string:order_id>/versions/<int:version>/confirmations")
class SupplierConfirmations(MethodView):
    @allow(*PREPARE)
    @blp.arguments(wire.SupplierConfirmationCreateSchema)
    @blp.response(201, wire.OrderFileSchema, **LOCATION)
    @blp.alt_response(409, description="That version is no longer waiting to be signed.")
    def post(self, data, order_id, version):
        """Record that a supplier confirmed the amendment (who, their reference)"""
        with rpc() as services:
            order = services.contracts.confirm_supplier(order_id, version, data)
        return created(order, f"/api/v1/order-files/{order_id}")


@blp.route("/order-files/<string:order_id>/cancel")
class Cancel(MethodView):
    @allow(*PREPARE)
    @blp.arguments(wire.CancellationCreateSchema)
    @blp.response(200, wire.OrderFileSchema)
    @blp.alt_response(409, description="Already cancelled.")
    def post(self, data, order_id):
        """The customer cancels: the fee of the tier the date falls in, a credit note, a refund to approve"""
        with rpc() as services:
            return services.contracts.cancel_order_file(order_id, wire.CancellationCreateSchema().dump(data))


# --- the customer's signing link (public: the token is the key) ---------------------------------

@blp.route("/signing/<string:token>")
class Signing(MethodView):
    @blp.response(200, wire.SigningViewSchema)
    def get(self, token):
        """What the signing link shows: the contract's number, version, total and the SHA-256 of its PDF"""
        with rpc() as services:
            view = services.contracts.signing_view(token)
        view.pop("document")
        return view

    @blp.arguments(wire.RemoteSignatureSchema)
    @blp.response(200, wire.SigningViewSchema)
    @blp.alt_response(409, **BLOCKED_409)
    def post(self, data, token):
        """Accept and sign the contract: the name typed, the time, the address and the document's SHA-256"""
        with rpc() as services:
            return services.contracts.sign_remotely(token, data, request.remote_addr)


@blp.route("/signing/<string:token>/contract.pdf")
class SigningDocument(MethodView):
    @blp.response(200, PDF_SCHEMA, description="The contract to sign, as a PDF", **PDF_DOC)
    def get(self, token):
        """The exact contract PDF the link asks the customer to sign"""
        with rpc() as services:
            return pdf_response(services.contracts.signing_view(token)["document"])
