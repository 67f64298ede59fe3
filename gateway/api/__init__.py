"""The /api/v1 resources, one module per area."""
import base64

from flask import Response, request
from flask_smorest import Blueprint as SmorestBlueprint
from webargs import core
from webargs.flaskparser import FlaskParser, abort, is_json_request

from services.common.etags import etag_of
from services.common.validators import unstorable, unstorable_texts

from ..limits import MAX_JSON_DEPTH, json_too_deep


class Parser(FlaskParser):
    # Broken JSON is a body we cannot process: 422 with the reason, like any other bad field.
    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        abort(422, exc=error, messages={"json": {"_body": ["Malformed JSON: " + str(error)]}})

    # Every route reads its JSON body here: refuse deep nesting before json.loads recurses into it.
    def _raw_load_json(self, req):
        if is_json_request(req) and json_too_deep(req.get_data(cache=True)):
            abort(422, messages={"json": {"_body": [f"JSON nested deeper than {MAX_JSON_DEPTH} levels."]}})
        data = super()._raw_load_json(req)
        # Text no database holds, anywhere in the body (free-form objects too, which no String
        # field checks): 422 naming where it is.
        errors = None if data is core.missing else unstorable_texts(data)
        if errors:
            abort(422, messages={"json": errors if isinstance(errors, dict) else {"_body": errors}})
        return data

    def load_querystring(self, req, schema):
        errors = {}
        for name in req.args:
            problem = unstorable(name) or next(filter(None, map(unstorable, req.args.getlist(name))), None)
            if problem:
                errors[name] = [problem]
        if errors:
            abort(422, messages={"query": errors})
        return super().load_querystring(req, schema)


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = Parser()

    def __init__(self, *args, calls_services: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # Its routes answer 503/504 when a service is down or slow (documented by gateway.openapi).
        self.calls_services = calls_services


def attachment_doc(content_type: str, extension: str) -> dict:
    """OpenAPI description of a download, for @blp.response(200, {...}, **attachment_doc(...))."""
    return dict(content_type=content_type, headers={"Content-Disposition": {
        "description": f"attachment; filename=\"...{extension}\"", "schema": {"type": "string"}}})


def attachment(content: bytes, content_type: str, filename: str) -> Response:
    """A file the browser saves rather than shows."""
    response = Response(content, status=200, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


CSV_DOC = attachment_doc("text/csv", "csv")
# OpenAPI description of a PDF download, for @blp.response(200, PDF_SCHEMA, **PDF_DOC).
PDF_SCHEMA = {"type": "string", "format": "binary"}
PDF_DOC = attachment_doc("application/pdf", "pdf")


def pdf_response(document: dict) -> Response:
    """A PDF attachment from a service's {"filename", "content_type", "content_base64"}."""
    response = attachment(base64.b64decode(document["content_base64"]), "application/pdf", document["filename"])
    response.headers["Cache-Control"] = "private, no-store"  # quotes, contracts and receipts name the customer
    return response


def csv_response(export: dict) -> Response:
    """A CSV attachment from a service's {"filename", "content"}: UTF-8, a header row first."""
    return attachment(export["content"].encode("utf-8"), "text/csv; charset=utf-8", export["filename"])


# --- answers: where a new record lives, and which version of a record was read -------------------

LOCATION = dict(headers={"Location": {"description": "Where the new record can be read.", "schema": {"type": "string"}}})
ETAG = dict(headers={"ETag": {"description": "This version of the record: send it back in `If-Match` "
                                             "to change it only if nobody changed it meanwhile.",
                              "schema": {"type": "string"}}})
IF_MATCH = dict(parameters=[{
    "in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
    "description": "The ETag of the version you read: the change is refused with 412 if the record "
                   "has changed since. Without it, the change applies to whatever is current.",
}])
PRECONDITION_412 = dict(description="`If-Match` names a version that is no longer current: read the record "
                                    "again (the problem's `etag` is the current one).")


def created(body: dict, location: str):
    """A 201 answer that says where the new record lives."""
    return body, 201, {"Location": location}


def with_etag(body: dict, status: int = 200):
    """An answer carrying the ETag of the representation a service returned (services.common.etags)."""
    return body, status, {"ETag": etag_of(body)}


def if_match() -> str | None:
    return request.headers.get("If-Match")
