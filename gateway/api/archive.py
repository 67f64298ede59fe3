"""The archive: files and faxes kept for an order file, a customer or a supplier (a signed paper
contract's scan, passport copies, a supplier's confirmation), filed, listed and downloaded.

Roles: which kind each role may file and read is one rule, contracts' `ATTACHMENT_READERS`
(identity papers: front desk, consultants, managers; contracts and invoices: consultants,
finance, managers; supplier confirmations: also the ticketing desk). These routes let in every
role that reads some kind; the service answers 403 for a kind the caller may not see, and a
listing shows only the kinds the caller may read. The upload travels as base64 in JSON, so
GATEWAY_MAX_BODY_BYTES bounds it before ARCHIVE_MAX_BYTES does.
"""
import base64
import io

from flask import send_file
from flask.views import MethodView

from services.contracts import wire

from ..auth import allow
from ..context import rpc
from . import LOCATION, Blueprint, created

blp = Blueprint("archive", __name__, url_prefix="/api/v1",
                description="The archive: scans, faxes and copies kept for order files, customers and suppliers")

BINARY = {"type": "string", "format": "binary"}
CONTENT_DOC = {"responses": {200: {"content": {t: {"schema": BINARY} for t in wire.ATTACHMENT_CONTENT_TYPES}}}}
NOT_FOUND_OWNER = dict(description="No such order file, customer or supplier.")
KIND_403 = dict(description="That kind of file is not for your roles (see ATTACHMENT_READERS in docs/archive.md).")


def _owner_routes(prefix: str, owner_type: str, what: str, id_name: str):
    """POST and GET .../<id>/attachments for one kind of owner (its id named as on its own routes)."""

    class Attachments(MethodView):
        @allow(*wire.ATTACHMENT_ROLES)
        @blp.response(200, wire.AttachmentInfoSchema(many=True))
        def get(self, **path):
            with rpc() as services:
                return services.contracts.list_attachments(owner_type, path[id_name])

        @allow(*wire.ATTACHMENT_ROLES)
        @blp.arguments(wire.AttachmentCreateSchema)
        @blp.response(201, wire.AttachmentInfoSchema, **LOCATION)
        @blp.alt_response(403, **KIND_403)
        @blp.alt_response(404, **NOT_FOUND_OWNER)
        def post(self, data, **path):
            with rpc() as services:
                attachment = services.contracts.attach_file(owner_type, path[id_name], data)
            return created(attachment, f"/api/v1/attachments/{attachment['id']}")

    Attachments.get.__doc__ = (f"The {what}'s archived files your roles may read, newest first "
                               "(removed ones stay listed with deleted_at)")
    Attachments.post.__doc__ = (f"File a PDF, JPEG, PNG or TIFF for the {what} (checked by its bytes; "
                                "the same file twice is the first record)")
    Attachments.__name__ = f"{owner_type.title().replace('_', '')}Attachments"
    blp.route(f"/{prefix}/<string:{id_name}>/attachments")(Attachments)


_owner_routes("order-files", "order_file", "order file", "order_id")
_owner_routes("customers", "customer", "customer", "customer_id")
_owner_routes("suppliers", "supplier", "supplier", "supplier_id")


@blp.route("/attachments/<int:attachment_id>")
class AttachmentById(MethodView):
    @allow(*wire.ATTACHMENT_ROLES)
    @blp.response(200, wire.AttachmentInfoSchema)
    @blp.alt_response(403, **KIND_403)
    def get(self, attachment_id):
        """What an archived file is: owner, kind, name, type, size, SHA-256, who filed it, when, until when"""
        with rpc() as services:
            return services.contracts.get_attachment(attachment_id)


@blp.route("/attachments/<int:attachment_id>/content")
class AttachmentContent(MethodView):
    @allow(*wire.ATTACHMENT_ROLES)
    @blp.response(200, BINARY, content_type="application/pdf",
                  description="The file as it was filed", headers={"Content-Disposition": {
                      "description": "attachment; filename=\"...\"", "schema": {"type": "string"}}})
    @blp.alt_response(403, **KIND_403)
    @blp.doc(**CONTENT_DOC)
    def get(self, attachment_id):
        """Download an archived file, while its retention keeps it (404 once removed)"""
        with rpc() as services:
            found = services.contracts.download_attachment(attachment_id)
        response = send_file(io.BytesIO(base64.b64decode(found["content_base64"])), mimetype=found["content_type"],
                             as_attachment=True, download_name=found["filename"], etag=False,
                             max_age=None)
        response.headers["Cache-Control"] = "private, no-store"  # passports and contracts name people
        return response
