"""What suppliers call, with their API key (X-Api-Key, or Authorization: Bearer <key>).

The key is checked before the body is read: without a valid key the answer is 401 whatever was sent.
"""
import functools

from flask import Response, current_app, g, request
from flask.views import MethodView

from services.common.errors import Conflict, Unauthorized, ValidationFailed
from services.common.validators import unstorable
from services.ticketing import wire as s
from services.ticketing.wire import ota

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


def authenticate_supplier() -> str:
    """The caller's key, checked by ticketing; the supplier becomes the request's actor."""
    key = api_key()
    with rpc(commands=False) as services:
        g.actor = f"supplier:{services.ticketing.authenticate_supplier(key)['supplier_id']}"
    return key


def supplier_key(view):
    """Decorate a view (above @blp.arguments): the key first, then Idempotency-Key scoped to the supplier."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        authenticate_supplier()
        return current_app.extensions["idempotency"].run(view, *args, **kwargs)

    wrapper.takes_idempotency_key = True  # gateway.openapi documents the header and its 409/422
    return wrapper


@blp.route("/inventory")
class SupplierInventory(MethodView):
    @supplier_key
    @blp.arguments(s.SupplierPushSchema)
    @blp.response(200, s.PushResultSchema)
    def post(self, data):
        """Push a batch of inventory updates; each gets its own result"""
        message_id = request.headers.get("X-Message-ID")
        if message_id and unstorable(message_id):  # it is kept with each change it makes
            raise ValidationFailed("The X-Message-ID cannot be stored.", {"X-Message-ID": [unstorable(message_id)]})
        with rpc() as services:
            return services.ticketing.supplier_push(api_key(), data, "supplier_json", message_id)


@blp.route("/products/<string:product_id>/inventory")
class SupplierProductInventory(MethodView):
    @supplier_key
    @blp.arguments(s.DateRangeQuerySchema, location="query")
    @blp.response(200, s.DailyInventorySchema(many=True))
    @blp.alt_response(403, description="The product belongs to another supplier.")
    def get(self, query, product_id):
        """Your own product's daily inventory (403 for another supplier's)"""
        with rpc() as services:
            return services.ticketing.supplier_inventory(api_key(), product_id, query["start"], query["end"])


# --- OpenTravel XML ----------------------------------------------------------------------------

# application/soap+xml is SOAP 1.2; SOAP 1.1 comes as text/xml. The envelope's namespace decides.
XML_TYPES = ("application/xml", "text/xml", ota.SOAP12_TYPE)
_XML_BODY = {"content": {t: {"schema": {"type": "string"}} for t in XML_TYPES}}
_XML_ANSWER = {"content": {t: {"schema": {"type": "string"}} for t in XML_TYPES}}


def _xml(answer: dict) -> Response:
    return Response(answer["xml"], status=answer["status"], content_type=answer["content_type"])


@blp.route("/ota")
class SupplierOta(MethodView):
    @blp.doc(requestBody={"required": True, "description": "An OTA_HotelInvCountNotifRQ or OTA_HotelAvailNotifRQ "
                                                           "(namespace http://www.opentravel.org/OTA/2003/05), bare "
                                                           "or in a SOAP 1.1 (text/xml) or SOAP 1.2 "
                                                           "(application/soap+xml) envelope.",
                          **_XML_BODY},
             responses={"200": {"description": "The matching RS with <Success/> (and <Warnings> for what was "
                                               "not applied, or for a repeated EchoToken), in the RQ's envelope. "
                                               "A repeat under the same Idempotency-Key gets the first answer "
                                               "byte for byte, with Idempotent-Replayed: true",
                                **_XML_ANSWER},
                        "400": {"description": "Malformed XML, a DTD or entities, an unsupported root element; "
                                               "a SOAP Fault for a malformed envelope", **_XML_ANSWER},
                        "401": {"description": "No or a wrong supplier API key", **_XML_ANSWER},
                        "409": {"description": "A request with the same Idempotency-Key is still in progress",
                                **_XML_ANSWER},
                        "415": {"description": "Not application/xml, text/xml or application/soap+xml",
                                **_XML_ANSWER},
                        "422": {"description": "Missing or invalid attributes, unknown InvTypeCode, a TimeStamp "
                                               "in the future; an Idempotency-Key over 200 characters or used "
                                               "with a different request", **_XML_ANSWER}})
    def post(self):
        """OpenTravel XML inventory: a re-sent EchoToken gets the first RS, marked as a repeat, and changes nothing.

        Idempotency-Key works as on every POST, scoped to the supplier: the gateway answers a
        repeat with the stored RS before ticketing sees it (so that RS carries no repeat warning;
        Idempotent-Replayed says it). EchoToken stays the OTA way to say the same, with or without
        the header: ticketing keeps it per supplier and answers a re-sent one from its own record.
        """
        try:
            key = authenticate_supplier()   # before the body is looked at
        except Unauthorized as error:
            return _xml(ota.answer(401, ota.errors_rs(None, [ota.Problem(
                ota.EWT_AUTHENTICATION, ota.ERR_AUTHORIZATION, error.message)]), None))
        try:
            return current_app.extensions["idempotency"].run(self._apply, key)
        except (Conflict, ValidationFailed) as error:   # the key's own refusals, in the XML the supplier reads
            return _xml(ota.answer(error.status, ota.errors_rs(None, [ota.Problem(
                ota.EWT_PROCESSING_EXCEPTION, ota.ERR_UNABLE_TO_PROCESS, error.message)]), None))

    post.takes_idempotency_key = True  # gateway.openapi documents the header

    @staticmethod
    def _apply(key: str) -> Response:
        if request.mimetype not in XML_TYPES:
            return _xml(ota.answer(415, ota.errors_rs(None, [ota.Problem(
                ota.EWT_PROCESSING_EXCEPTION, ota.ERR_UNABLE_TO_PROCESS,
                f"Send the message as {' or '.join(XML_TYPES)}, not {request.mimetype or 'no content type'}.")]),
                None))
        try:
            text = ota.decode_body(request.get_data(), request.mimetype_params.get("charset"), request.mimetype)
        except ota.OtaError as error:
            return _xml(ota.error_answer(error))
        with rpc() as services:
            answer = services.ticketing.supplier_ota(key, text, request.mimetype)
        return _xml(answer)
