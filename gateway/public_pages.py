"""What the customer's public pages share (the signing page /sign, the survey page /survey): their
words in three languages, the security headers, the cross-site check, the page shell
(templates/public/base.html) and the notice page (templates/public/notice.html).

A public page has no session: the token in its URL, which only the customer has, is the key.
"""
import secrets

from flask import make_response, render_template

from services.common.documents.locales import LANGUAGES, language_of

HTML_LANG = {"zh": "zh-Hans", "es": "es", "en": "en"}


class PageWords:
    """The words of one language, as attributes for the templates (`t.submit`, `t[key]`). A page's
    subclass sets WORDS ({key: {"zh", "es", "en"}}); an unknown word raises KeyError, which Jinja
    lets through instead of printing nothing."""

    WORDS: dict = {}

    def __init__(self, language):
        self.language = language_of(language)
        self.html_lang = HTML_LANG[self.language]

    def __getattr__(self, key: str) -> str:
        if key.startswith("__"):
            raise AttributeError(key)
        return self.WORDS[key][self.language]

    __getitem__ = __getattr__   # t[errors.name]: a key chosen by the page's rules

    @classmethod
    def every_language(cls) -> list["PageWords"]:
        """For pages shown before the page's language is known (an invalid link, a service down)."""
        return [cls(language) for language in LANGUAGES]


def page_policy(nonce: str) -> str:
    """The page uses one inline stylesheet and posts its form to itself; nothing else (no script,
    image, font or frame), and nobody may frame it."""
    return (f"default-src 'none'; style-src 'nonce-{nonce}'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")


def cross_site(headers, origin: str) -> bool:
    """True when the browser says the form was posted from another site (CSRF).

    There is no session to bind a token to, so we ask the browser. Sec-Fetch-Site first: browsers
    send it whatever the referrer policy, while under these pages' Referrer-Policy: no-referrer they
    send `Origin: null` even when the page posts to itself. Else an Origin that names one must be
    ours. A request carrying neither is not a browser's cross-site form (or one too old to tell),
    and the token still guards it."""
    site = headers.get("Sec-Fetch-Site")
    if site is not None:
        return site not in ("same-origin", "none")   # none: the user's own navigation
    sent = headers.get("Origin")
    return bool(sent) and sent != "null" and sent != origin


def render(template: str, status: int, **context):
    """A page with its own nonce; never cached (the token is in the URL, the page names the customer)."""
    nonce = secrets.token_urlsafe(16)
    response = make_response(render_template(template, nonce=nonce, **context), status)
    response.headers["Content-Security-Policy"] = page_policy(nonce)
    response.headers["Cache-Control"] = "no-store"
    return response


def notice(words: type[PageWords], kind: str, status: int, language: str | None = None,
           headers: dict | None = None):
    """A page with a title and a sentence (`<kind>_title`, `<kind>_body`): in the page's language
    when known, else in all three."""
    response = render("public/notice.html", status, kind=kind,
                      languages=[words(language)] if language else words.every_language())
    response.headers.update(headers or {})
    return response
