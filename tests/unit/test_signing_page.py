"""The customer's signing page without services: its catalog, its templates in each language, and
its rules (CSRF, the form's errors, the content security policy)."""
import html
import re
from decimal import Decimal

import pytest
from flask import Flask
from werkzeug.datastructures import Headers, MultiDict

from gateway import public_pages, signing_page
from gateway.signing_words import WORDS, Words
from services.common.documents.locales import LANGUAGES
from services.contracts import wire

SHA = "ab" * 32
VIEW = {"order_number": "OF-2027-00042", "version": 1, "title": "Paris and Rome", "language": "zh",
        "total": Decimal("1234.50"), "currency": "EUR", "document_sha256": SHA, "signed": False}
NOTICES = ("not_found", "unavailable", "refused", "blocked", "error")


def test_every_word_is_in_chinese_spanish_and_english():
    assert LANGUAGES == ("zh", "es", "en")
    for key, translations in WORDS.items():
        assert set(translations) == set(LANGUAGES), key
        assert all(isinstance(text, str) and text.strip() for text in translations.values()), key
        assert len(set(translations.values())) == 3, f"{key} is not translated"


def test_an_unknown_word_fails_instead_of_printing_nothing():
    with pytest.raises(KeyError):
        Words("es").no_such_word
    assert Words("es-MX").name_label == "Su nombre completo" and Words("fr").language == "en"


@pytest.fixture
def app():
    app = Flask("a_bare_app")   # the blueprint brings its templates
    app.register_blueprint(signing_page.blp)
    return app


def visible_text(page: str) -> str:
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def leftover(text: str, known: list[str]) -> str:
    """What the page says that is neither data nor a word of the catalog: hard-coded text."""
    for word in sorted(known, key=len, reverse=True):
        text = text.replace(word, " ")
    return text.strip(" \n·")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_says_only_words_of_its_language_and_the_contracts_data(app, language):
    words = [WORDS[key][language] for key in WORDS]
    data = [VIEW["order_number"], VIEW["title"], SHA, "王小明", "1"]
    view = dict(VIEW, language=language)
    with app.test_request_context("/sign/tok"):
        pages = [signing_page._form("tok", view), signing_page._form("tok", view, 409, changed=True),
                 signing_page._form("tok", view, 422, name="王小明", errors={"name": "name_invalid",
                                                                            "accept": "accept_required"}),
                 signing_page._render("thanks.html", 200, t=Words(language), view=view, name="王小明",
                                      document_sha256=SHA)]
        pages += [signing_page._notice(kind, 404, language) for kind in NOTICES]
        for response in pages:
            page = response.get_data(as_text=True)
            assert f'<html lang="{Words(language).html_lang}">' in page
            total = signing_page.Formats(language).money(VIEW["total"], "EUR")
            assert leftover(visible_text(page), words + data + [total]) == ""


def test_a_page_before_the_language_is_known_is_in_all_three(app):
    with app.test_request_context("/sign/tok"):
        page = signing_page._notice("not_found", 404).get_data(as_text=True)
    for language, lang in (("zh", "zh-Hans"), ("es", "es"), ("en", "en")):
        assert f'<section lang="{lang}">' in page
        assert html.escape(WORDS["not_found_body"][language], quote=True) in page


def test_the_form_has_a_label_for_every_field_and_shows_each_error_by_its_field(app):
    with app.test_request_context("/sign/tok"):
        page = signing_page._form("tok", dict(VIEW, language="es"), 422, errors={"accept": "accept_required"}
                                  ).get_data(as_text=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<label for="name">Su nombre completo</label>' in page
    assert '<label for="accept">He leído y acepto este contrato</label>' in page
    assert 'aria-describedby="accept-error"' in page and 'id="accept-error">Marque la casilla' in page
    assert 'id="name-error"' not in page
    assert f'name="document_sha256" value="{SHA}"' in page
    assert 'href="/sign/tok/contract.pdf"' in page and "1.234,50" in page
    assert "<script" not in page


@pytest.mark.parametrize("headers, cross", [
    ({"Sec-Fetch-Site": "same-origin", "Origin": "null"}, False),   # our page under no-referrer
    ({"Sec-Fetch-Site": "none"}, False),
    ({"Sec-Fetch-Site": "cross-site", "Origin": "null"}, True),
    ({"Sec-Fetch-Site": "same-site", "Origin": "https://shop.agency.example"}, True),
    ({"Origin": "https://agency.example"}, False),                  # a browser without fetch metadata
    ({"Origin": "https://evil.example"}, True),
    ({"Origin": "https://agency.example.evil.example"}, True),
    ({}, False),                                                    # not a browser's form
])
def test_a_form_posted_from_another_site_is_cross_site(headers, cross):
    assert public_pages.cross_site(Headers(headers), "https://agency.example") is cross


@pytest.mark.parametrize("form, errors", [
    ({"name": "  ", "accept": "yes"}, {"name": "name_invalid"}),
    ({"name": "x" * 201, "accept": "yes"}, {"name": "name_invalid"}),
    ({"name": "María Núñez"}, {"accept": "accept_required"}),
    ({"name": "María Núñez", "accept": "no"}, {"accept": "accept_required"}),
    ({"accept": "yes"}, {"name": "name_invalid"}),
    ({"name": "Ana\x00", "accept": "yes"}, {"name": "name_invalid"}),   # no database stores it
    ({"name": " María Núñez ", "accept": "yes"}, {}),
])
def test_the_forms_errors_are_the_wires(form, errors):
    data = signing_page.signature(MultiDict(dict(form, document_sha256=SHA)))
    assert signing_page.form_errors(wire.RemoteSignatureSchema().validate(data)) == errors
    if not errors:
        assert data == {"name": "María Núñez", "document_sha256": SHA, "accept": True}


def test_the_page_policy_allows_its_stylesheet_and_its_form_only():
    policy = dict(part.strip().split(" ", 1) for part in public_pages.page_policy("n0nce").split(";"))
    assert policy == {"default-src": "'none'", "style-src": "'nonce-n0nce'", "form-action": "'self'",
                      "frame-ancestors": "'none'", "base-uri": "'none'"}
