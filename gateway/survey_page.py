"""The page the customer opens from a survey email: /survey/<token>, server-rendered, no script.

It reads and answers through the same feedback RPCs as /api/v1/surveys/public (the token is the
key; no staff sign-in), in the survey's language (the order file's): the form, the form again
with a message by each field (422), thanks, answered already (409), closed (410), or, before the
language is known, a page in all three (invalid link 404, service down 503). The security headers,
the cross-site check and the page shell are gateway.public_pages'.

Out of the OpenAPI document on purpose: /api/v1 is the API; this is a screen.
"""
from flask import Blueprint, request
from nameko.exceptions import RpcTimeout, UnknownService
from werkzeug.exceptions import HTTPException

from services.common.errors import Conflict, DomainError, NotFound, ValidationFailed
from services.feedback import wire

from .context import rpc
from .problems import RETRY_AFTER_SECONDS
from .rpc import BrokerUnavailable
from .public_pages import cross_site, notice, render
from .survey_words import Words

blp = Blueprint("survey_page", __name__, url_prefix="/survey", template_folder="templates")

NOT_APPLICABLE = "na"


# --- rules ---------------------------------------------------------------------------------------

def answer_of(form) -> dict:
    """The RPC's fields from the posted form. "Not applicable" and an aspect left blank are null;
    anything else that is not a whole number is passed on for the wire schema to refuse."""
    def number(name):
        value = form.get(name, "").strip()
        if value in ("", NOT_APPLICABLE):
            return None
        return int(value) if value.lstrip("-").isdigit() else value

    recommend = number("recommend")
    return {"scores": {aspect: number(f"score_{aspect}") for aspect in wire.ASPECTS},
            "recommend": recommend, "comment": form.get("comment", "").strip() or None}


def form_errors(invalid: dict) -> dict:
    """The catalog key of the message to show by each field, from the wire's per-field errors."""
    errors = {aspect: "score_invalid" for aspect in (invalid.get("scores") or {}) if aspect in wire.ASPECTS}
    if "scores" in invalid and not errors:   # the whole object refused
        errors = {aspect: "score_invalid" for aspect in wire.ASPECTS}
    if "recommend" in invalid:
        errors["recommend"] = "recommend_invalid"
    if "comment" in invalid:
        errors["comment"] = "comment_invalid"
    return errors


def language_of_refusal(error: DomainError) -> str | None:
    """The survey's language, which feedback names in its 409 and 410 refusals."""
    named = (error.details or {}).get("language")
    return named[0] if isinstance(named, list) and named else None


# --- answers ------------------------------------------------------------------------------------

def _render(template: str, status: int, **context):
    return render(f"survey/{template}", status, **context)


def _form(token: str, view: dict, status: int = 200, *, answer: dict | None = None, errors: dict | None = None):
    words = Words(view["language"])
    return _render("form.html", status, t=words, token=token, view=view, aspects=wire.ASPECTS,
                   answer=answer or {"scores": {}}, errors=errors or {}, not_applicable=NOT_APPLICABLE,
                   expires_on=view["expires_at"].date().isoformat() if hasattr(view["expires_at"], "date")
                   else str(view["expires_at"])[:10])


def _notice(kind: str, status: int, language: str | None = None, headers: dict | None = None):
    return notice(Words, kind, status, language, headers)


def _view(token: str) -> dict:
    with rpc(commands=False) as services:   # a read, also inside the POST
        return services.feedback.survey_view(token)


# --- routes -------------------------------------------------------------------------------------

@blp.get("/<string:token>")
def page(token):
    return _form(token, _view(token))


@blp.post("/<string:token>")
def submit(token):
    if cross_site(request.headers, request.host_url.rstrip("/")):
        return _notice("refused", 403)
    data = answer_of(request.form)
    view = _view(token)
    errors = form_errors(wire.SurveyAnswerSchema().validate(data))
    if errors:
        return _form(token, view, 422, answer=data, errors=errors)
    try:
        with rpc() as services:
            services.feedback.answer_survey(token, data)
    except ValidationFailed as error:
        return _form(token, view, 422, answer=data, errors=form_errors(error.details))
    return _render("thanks.html", 200, t=Words(view["language"]), view=view)


# --- what goes wrong, as pages (the API answers problem+json; a customer reads these) -----------

@blp.errorhandler(NotFound)
def _not_found(error):
    return _notice("not_found", 404)


@blp.errorhandler(Conflict)
def _answered(error):
    return _notice("answered", 409, language_of_refusal(error))


@blp.errorhandler(wire.SurveyClosed)
def _closed(error):
    return _notice("expired", 410, language_of_refusal(error))


@blp.errorhandler(UnknownService)
@blp.errorhandler(BrokerUnavailable)
def _unavailable(error):
    return _notice("unavailable", 503, headers={"Retry-After": RETRY_AFTER_SECONDS})


@blp.errorhandler(RpcTimeout)
def _timeout(error):
    return _notice("unavailable", 504)


@blp.errorhandler(DomainError)
def _refused(error):   # the gateway's own limits: a path no database holds (422)
    return _notice("error", error.status)


@blp.errorhandler(HTTPException)
def _http(error):   # the gateway's own limits: body or URL too long (413, 414)
    return _notice("error", error.code or 400)
