"""The customer's survey page without services: its catalog, its templates in each language, and
its rules (the form's fields, its errors, the security headers)."""
import html
import re
from datetime import datetime, timezone

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from gateway import survey_page
from gateway.survey_words import WORDS, Words
from services.common.documents.locales import LANGUAGES
from services.feedback import wire

VIEW = {"order_number": "OF-2027-000042", "title": "京都之春", "language": "zh", "answered": False,
        "expires_at": datetime(2027, 4, 1, 9, tzinfo=timezone.utc), "aspects": list(wire.ASPECTS)}
NOTICES = ("not_found", "answered", "expired", "unavailable", "refused", "error")


def test_every_word_is_in_chinese_spanish_and_english():
    for key, translations in WORDS.items():
        assert set(translations) == set(LANGUAGES), key
        assert all(isinstance(text, str) and text.strip() for text in translations.values()), key
        assert len(set(translations.values())) == 3, f"{key} is not translated"


@pytest.fixture
def app():
    app = Flask("a_bare_app")
    app.register_blueprint(survey_page.blp)
    return app


def visible_text(page: str) -> str:
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def leftover(text: str, known: list[str]) -> str:
    for word in sorted(known, key=len, reverse=True):
        text = text.replace(word, " ")
    return re.sub(r"[\s·]|\b(10|[0-9])\b", "", text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_says_only_words_of_its_language_and_the_trips_data(app, language):
    words = [WORDS[key][language] for key in WORDS]
    data = [VIEW["order_number"], VIEW["title"], "2027-04-01", "过得很好"]
    view = dict(VIEW, language=language)
    with app.test_request_context("/survey/tok"):
        pages = [survey_page._form("tok", view),
                 survey_page._form("tok", view, 422, answer={"scores": {"guide": 7}, "recommend": None,
                                                             "comment": "过得很好"},
                                   errors={"guide": "score_invalid", "recommend": "recommend_invalid"}),
                 survey_page._render("thanks.html", 200, t=Words(language), view=view)]
        pages += [survey_page._notice(kind, 404, language) for kind in NOTICES]
        for response in pages:
            page = response.get_data(as_text=True)
            assert f'<html lang="{Words(language).html_lang}">' in page
            assert leftover(visible_text(page), words + data) == ""
            assert "nonce-" in response.headers["Content-Security-Policy"]
            assert response.headers["Cache-Control"] == "no-store" and "<script" not in page


def test_the_form_offers_each_aspect_1_to_5_or_not_applicable_and_recommend_0_to_10(app):
    with app.test_request_context("/survey/tok"):
        page = survey_page._form("tok", dict(VIEW, language="es")).get_data(as_text=True)
    for aspect in wire.ASPECTS:
        assert [f'name="score_{aspect}" value="{n}"' in page for n in (1, 2, 3, 4, 5, "na")] == [True] * 6
        assert f'name="score_{aspect}" value="6"' not in page
    assert all(f'name="recommend" value="{n}"' in page for n in range(11))
    assert "Su asesor de viajes" in page and 'action="/survey/tok"' in page


def test_the_posted_form_becomes_the_answer_and_its_errors_are_the_wires():
    form = MultiDict({"score_itinerary": "5", "score_accommodation": "na", "score_transport": "",
                      "score_guide": "9", "score_consultant": "x", "recommend": "10", "comment": "  bien "})
    answer = survey_page.answer_of(form)
    assert answer == {"scores": {"itinerary": 5, "accommodation": None, "transport": None, "guide": 9,
                                 "consultant": "x"}, "recommend": 10, "comment": "bien"}
    errors = survey_page.form_errors(wire.SurveyAnswerSchema().validate(answer))
    assert errors == {"guide": "score_invalid", "consultant": "score_invalid"}
    assert survey_page.form_errors(wire.SurveyAnswerSchema().validate({**answer, "scores": {}, "recommend": None})) \
        == {"recommend": "recommend_invalid"}
