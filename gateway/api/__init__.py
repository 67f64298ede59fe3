"""The /api/v1 resources, one module per area."""
from flask import Response
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser, abort


class Parser(FlaskParser):
    # Broken JSON is a body we cannot process: 422 with the reason, like any other bad field.
    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        abort(422, exc=error, messages={"json": {"_body": ["Malformed JSON: " + str(error)]}})


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = Parser()


# OpenAPI description of a CSV download, for @blp.response(200, {...}, **CSV_DOC).
CSV_DOC = dict(content_type="text/csv", headers={"Content-Disposition": {
    "description": "attachment; filename=\"...csv\"", "schema": {"type": "string"}}})


def csv_response(export: dict) -> Response:
    """A CSV attachment from a service's {"filename", "content"}: UTF-8, a header row first."""
    response = Response(export["content"].encode("utf-8"), status=200, content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{export["filename"]}"'
    return response
