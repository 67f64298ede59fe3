"""The /api/v1 resources, one module per area."""
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser, abort


class Parser(FlaskParser):
    # Broken JSON is a body we cannot process: 422 with the reason, like any other bad field.
    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        abort(422, exc=error, messages={"json": {"_body": ["Malformed JSON: " + str(error)]}})


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = Parser()
