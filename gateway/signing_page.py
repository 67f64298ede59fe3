"""The page the customer opens from a signing link: /sign/<token>, server-rendered, no script.

It reads and signs through the same contracts RPCs as /api/v1/signing (the token is the key; no
staff sign-in), and answers every outcome as a page in the contract's language: the form again
with a message by the field (422), the new document when the contract changed meanwhile (409),
thanks, or, before the language is known, a page in all three (invalid link 404, service down 503).

Out of the OpenAPI document on purpose: /api/v1 is the API; this is a screen.
"""
from flask import Blueprint, request
from nameko.exceptions import RpcTimeout, UnknownService
from werkzeug.exceptions import HTTPException

from services.common.documents.locales import Formats
from services.common.errors import Conflict, DomainError, NotFound, ValidationFailed
from services.contracts import wire

from .api import pdf_response
from .context import rpc
from .problems import RETRY_AFTER_SECONDS
from .rpc import BrokerUnavailable
from .public_pages import cross_site, notice, render
from .signing_words import Words

blp = Blueprint("signing_page", __name__, url_prefix="/sign", template_folder="templates")

# What each field's wire error is called on the page (document_sha256 is handled as "changed").
FIELD_MESSAGES = {"name": "name_invalid", "accept": "accept_required"}


# --- rules ---------------------------------------------------------------------------------------

def signature(form) -> dict:
    """The RPC's fields from the posted form: an unticked checkbox is simply absent."""
    return {"name": form.get("name", "").strip(), "document_sha256": form.get("document_sha256", ""),
            "accept": form.get("accept") == "yes"}


def form_errors(invalid: dict) -> dict:
    """The catalog key of the message to show by each field, from the wire's per-field errors."""
    return {name: key for name, key in FIELD_MESSAGES.items() if name in invalid}


# --- answers ------------------------------------------------------------------------------------

def _render(template: str, status: int, **context):
    return render(f"signing/{template}", status, **context)


def _form(token: str, view: dict, status: int = 200, *, name: str = "", errors: dict | None = None,
          changed: bool = False):
    words = Words(view["language"])
    return _render("form.html", status, t=words, token=token, view=view, name=name, errors=errors or {},
                   changed=changed, total=Formats(words.language).money(view["total"], view["currency"]))


def _notice(kind: str, status: int, language: str | None = None, headers: dict | None = None):
    return notice(Words, kind, status, language, headers)


def _view(token: str) -> dict:
    with rpc(commands=False) as services:   # a read, also inside the POST
        return services.contracts.signing_view(token)


# --- routes -------------------------------------------------------------------------------------

@blp.get("/<string:token>")
def page(token):
    return _form(token, _view(token))


@blp.get("/<string:token>/contract.pdf")
def contract(token):
    return pdf_response(_view(token)["document"])


@blp.post("/<string:token>")
def sign(token):
    if cross_site(request.headers, request.host_url.rstrip("/")):
        return _notice("refused", 403)
    data = signature(request.form)
    view = _view(token)
    if data["document_sha256"] != view["document_sha256"]:
        return _form(token, view, 409, name=data["name"], changed=True)
    errors = form_errors(wire.RemoteSignatureSchema().validate(data))
    if errors:
        return _form(token, view, 422, name=data["name"], errors=errors)
    try:
        with rpc() as services:
            done = services.contracts.sign_remotely(token, data, request.remote_addr)
    except ValidationFailed as error:
        if "document_sha256" in error.details:   # changed between our read and the signature
            return _form(token, _view(token), 409, name=data["name"], changed=True)
        return _form(token, view, 422, name=data["name"], errors=form_errors(error.details))
    except Conflict:   # e.g. a traveller's passport went missing since the link was made
        return _notice("blocked", 409, view["language"])
    return _render("thanks.html", 200, t=Words(view["language"]), view=view, name=data["name"],
                   document_sha256=done["document_sha256"])


# --- what goes wrong, as pages (the API answers problem+json; a customer reads these) -----------

@blp.errorhandler(NotFound)
def _not_found(error):
    return _notice("not_found", 404)


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
