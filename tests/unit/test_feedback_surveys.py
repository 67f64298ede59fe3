"""The survey's rules without a broker: its links (digests only, every link until answered or
expired), one answer, the scores' bounds, the reminders' schedule, the suppliers it scores."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from services.common.errors import Conflict, NotFound, ValidationFailed, validated
from services.feedback import surveys
from services.feedback.models import Base, Survey, SurveyLink, SurveyMessage  # noqa: F401 (Base: the fixture's)
from services.feedback.wire import SurveyAnswerSchema, SurveyClosed

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)
SETTINGS = surveys.SurveySettings(base_url="https://agency.example", valid_for=timedelta(days=30),
                                  reminder_every=timedelta(days=5), reminders=2)
TRIP = {"order_file_id": "of-1", "order_number": "OF-2027-000042", "customer_id": "cust-1", "consultant": "alice",
        "title": "Kyoto in spring"}
LINES = [{"kind": "hotel", "supplier_id": "s-hotel", "supplier_name": "Hotel Granvia"},
         {"kind": "hotel", "supplier_id": "s-hotel", "supplier_name": "Hotel Granvia"},   # two nights' lines
         {"kind": "flight", "supplier_id": "s-air", "supplier_name": "ANA"},
         {"kind": "guide", "supplier_id": None, "supplier_name": "Kyoto Walks"},
         {"kind": "meal", "supplier_id": None, "supplier_name": "Kikunoi"},                # no aspect scores it
         {"kind": "transfer", "supplier_id": None, "supplier_name": None}]
ANSWER = {"scores": {"itinerary": 5, "accommodation": 4, "transport": 3, "guide": None, "consultant": 5},
          "recommend": 9, "comment": "  Lovely trip  "}


def opened(session, now=NOW) -> tuple[Survey, str]:
    survey = surveys.open_survey(session, TRIP, language="zh", suppliers=surveys.suppliers_of(LINES),
                                 settings=SETTINGS, now=now)
    [message] = session.scalars(select(SurveyMessage).where(SurveyMessage.survey_id == survey.id)).all()
    return survey, message.values["survey_url"].rsplit("/", 1)[1]


def test_the_suppliers_scored_are_the_hotels_carriers_and_guides_once_each():
    assert surveys.suppliers_of(LINES) == [
        {"supplier_id": "s-hotel", "supplier_name": "Hotel Granvia", "aspect": "accommodation"},
        {"supplier_id": "s-air", "supplier_name": "ANA", "aspect": "transport"},
        {"supplier_id": None, "supplier_name": "Kyoto Walks", "aspect": "guide"}]


def test_a_survey_keeps_only_its_tokens_digest_and_queues_the_invitation_with_the_link(session):
    survey, token = opened(session)
    [link] = session.scalars(select(SurveyLink)).all()
    assert link.token_digest == surveys.digest(token) and token not in link.token_digest
    [message] = session.scalars(select(SurveyMessage)).all()
    assert message.request_id == f"survey:{survey.id}:invite" and message.status == "pending"
    assert message.values == {"survey_url": f"https://agency.example/survey/{token}", "title": "Kyoto in spring",
                              "order_number": "OF-2027-000042"}
    assert survey.expires_at == NOW + timedelta(days=30) and survey.status == "pending"
    assert surveys.by_token(session, token, NOW) is survey


def test_once_crm_has_the_invitation_the_link_is_forgotten_and_the_survey_is_sent(session):
    survey, token = opened(session)
    [message] = surveys.due_messages(session, NOW)
    assert surveys.crm_message(survey, message)["kind"] == "survey_invitation"
    later = NOW + timedelta(minutes=1)
    assert surveys.record_sent(survey, message, {"unanswered": "RpcTimeout"}, SETTINGS, later) is False
    assert message.status == "pending" and token in message.values["survey_url"] and message.due_at > later
    assert surveys.due_messages(session, later) == []   # waits before it is tried again
    assert surveys.record_sent(survey, message, {"result": {"id": "m-1"}}, SETTINGS, later) is True
    assert message.status == "done" and message.values["survey_url"] == surveys.SENT
    assert (survey.status, survey.sent_at, survey.next_reminder_at) == ("sent", later, later + timedelta(days=5))
    assert surveys.by_token(session, token, later) is survey   # the link still opens it


def test_reminders_go_every_interval_each_with_a_fresh_link_and_stop_after_the_last(session):
    survey, first = opened(session)
    [message] = surveys.due_messages(session, NOW)
    surveys.record_sent(survey, message, {"result": {}}, SETTINGS, NOW)
    assert surveys.reminder_schedule(NOW, survey.expires_at, SETTINGS) == [NOW + timedelta(days=5),
                                                                           NOW + timedelta(days=10)]
    assert surveys.remind(session, survey, SETTINGS, NOW + timedelta(days=4)) is False
    assert surveys.remind(session, survey, SETTINGS, NOW + timedelta(days=5)) is True
    assert surveys.remind(session, survey, SETTINGS, NOW + timedelta(days=5)) is False   # not twice
    assert surveys.remind(session, survey, SETTINGS, NOW + timedelta(days=10)) is True
    assert surveys.remind(session, survey, SETTINGS, NOW + timedelta(days=15)) is False  # two at most
    reminders = session.scalars(select(SurveyMessage).where(SurveyMessage.kind == "reminder")).all()
    assert [m.request_id for m in reminders] == [f"survey:{survey.id}:reminder:1", f"survey:{survey.id}:reminder:2"]
    tokens = [m.values["survey_url"].rsplit("/", 1)[1] for m in reminders]
    assert len({first, *tokens}) == 3
    assert all(surveys.by_token(session, t, NOW + timedelta(days=11)) is survey for t in [first, *tokens])


def test_no_reminder_after_the_survey_closes():
    short = surveys.SurveySettings(base_url="", valid_for=timedelta(days=7), reminder_every=timedelta(days=5),
                                   reminders=3)
    assert surveys.reminder_schedule(NOW, NOW + timedelta(days=7), short) == [NOW + timedelta(days=5)]


def test_an_answer_is_taken_once_and_then_every_link_says_answered(session):
    survey, token = opened(session)
    surveys.record_sent(survey, surveys.due_messages(session, NOW)[0], {"result": {}}, SETTINGS, NOW)
    surveys.remind(session, survey, SETTINGS, NOW + timedelta(days=5))   # queued, not yet sent
    fields = validated(SurveyAnswerSchema(), ANSWER)
    later = NOW + timedelta(days=6)
    surveys.answer(session, surveys.by_token(session, token, later, lock=True), fields, later)
    assert survey.status == "answered" and survey.scores["guide"] is None and survey.comment == "Lovely trip"
    pending = session.scalars(select(SurveyMessage).where(SurveyMessage.kind == "reminder")).one()
    assert pending.status == "withdrawn" and pending.values["survey_url"] == surveys.SENT
    with pytest.raises(Conflict) as refused:
        surveys.by_token(session, token, later)
    assert refused.value.details["language"] == ["zh"]
    event = surveys.answered_event(survey)
    assert event["recommend"] == 9 and event["consultant"] == "alice"
    # The guide's aspect was "not applicable": that supplier is not part of what this answer scores.
    assert [s["supplier_name"] for s in event["suppliers"]] == ["Hotel Granvia", "ANA"]


def test_an_expired_link_is_gone_and_an_unknown_one_not_found(session):
    survey, token = opened(session)
    with pytest.raises(SurveyClosed) as closed:
        surveys.by_token(session, token, survey.expires_at)
    assert closed.value.status == 410
    assert surveys.status_of(survey, survey.expires_at) == "expired"
    with pytest.raises(NotFound):
        surveys.by_token(session, token + "x", NOW)


@pytest.mark.parametrize("answer, field", [
    ({**ANSWER, "scores": {**ANSWER["scores"], "itinerary": 6}}, "scores"),
    ({**ANSWER, "scores": {**ANSWER["scores"], "transport": 0}}, "scores"),
    ({**ANSWER, "recommend": 11}, "recommend"),
    ({**ANSWER, "recommend": -1}, "recommend"),
    ({**ANSWER, "recommend": None}, "recommend"),
    ({k: v for k, v in ANSWER.items() if k != "recommend"}, "recommend"),
    ({**ANSWER, "scores": {**ANSWER["scores"], "food": 5}}, "scores"),
    ({**ANSWER, "comment": "x" * 2001}, "comment"),
    ({**ANSWER, "recommend": 8.5}, "recommend"),   # a whole number, not rounded
    ({**ANSWER, "scores": {**ANSWER["scores"], "guide": "4"}}, "scores"),
])
def test_scores_out_of_range_are_refused_by_field(answer, field):
    with pytest.raises(ValidationFailed) as refused:
        validated(SurveyAnswerSchema(), answer)
    assert field in refused.value.details


def test_each_answer_adds_to_its_suppliers_running_scores(session):
    suppliers = surveys.suppliers_of(LINES)
    surveys.score_suppliers(session, suppliers, {"accommodation": 4, "transport": 3, "guide": None})
    surveys.score_suppliers(session, suppliers, {"accommodation": 5, "transport": None, "guide": 2})
    scores = {(s["supplier_name"], s["aspect"]): (s["answers"], s["average"])
              for s in surveys.supplier_scores(session, {})}
    assert scores == {("Hotel Granvia", "accommodation"): (2, Decimal("4.50")),
                      ("ANA", "transport"): (1, Decimal("3.00")), ("Kyoto Walks", "guide"): (1, Decimal("2.00"))}
    assert [s["supplier_name"] for s in surveys.supplier_scores(session, {"supplier_name": " kyoto  WALKS"})] == [
        "Kyoto Walks"]


def test_a_check_in_names_the_staff_member_and_needs_a_customer(session):
    order = {"id": "of-1", "order_number": "OF-2027-000042", "customer_id": "cust-1"}
    row = surveys.record_check_in(session, order, {"mood": 2, "note": " tired "}, "user:alice", NOW)
    assert surveys.check_in_event(row) == {"check_in_id": row.id, "customer_id": "cust-1", "order_file_id": "of-1",
                                           "order_number": "OF-2027-000042", "mood": 2, "note": "tired",
                                           "recorded_by": "alice", "recorded_at": NOW}
    with pytest.raises(Conflict):
        surveys.record_check_in(session, {**order, "customer_id": None}, {"mood": 3}, "user:alice", NOW)


def test_the_settings_take_seconds_for_reminders_when_given():
    settings = surveys.SurveySettings.from_config({"SURVEY_REMINDER_SECONDS": "2",
                                                   "SURVEY_BASE_URL": "https://a.example/"})
    assert settings.reminder_every == timedelta(seconds=2) and settings.base_url == "https://a.example"
    assert surveys.SurveySettings.from_config({}).valid_for == timedelta(days=30)


def test_a_message_still_queued_when_its_survey_closes_is_withdrawn_not_sent(session):
    survey, token = opened(session)
    closed = survey.expires_at
    assert surveys.due_messages(session, closed) == []
    assert surveys.withdraw_closed(session, closed) == 1
    [message] = session.scalars(select(SurveyMessage)).all()
    assert message.status == "withdrawn" and token not in str(message.values)
