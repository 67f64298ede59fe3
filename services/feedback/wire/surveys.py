"""Feedback's surveys: RPC schemas, the events about them, and the public link's refusals."""
from marshmallow import Schema, validate

from services.common import fields
from services.common.contract import Event
from services.common.errors import DomainError, remote_error
from services.common.paging import PageQuerySchema, PageSchema

__all__ = [
    "ASPECTS", "SURVEY_STATUSES", "SurveyClosed", "ScoresSchema", "SurveyAnswerSchema", "CheckInCreateSchema",
    "SurveyQuerySchema", "SupplierScoreQuerySchema", "SurveySchema", "SurveyPageSchema", "PublicSurveySchema",
    "CheckInSchema", "SupplierScoreSchema", "SurveySentPayload", "SurveyAnsweredPayload", "CheckInRecordedPayload",
    "SURVEY_SENT", "SURVEY_ANSWERED", "CHECK_IN_RECORDED", "SURVEYS_EVENTS",
]

ASPECTS = ("itinerary", "accommodation", "transport", "guide", "consultant")
# pending: made, its invitation not yet accepted by CRM; expired: past expires_at unanswered.
SURVEY_STATUSES = ("pending", "sent", "answered", "expired")
MAX_COMMENT = 2000


@remote_error
class SurveyClosed(DomainError):
    """The survey's link expired unanswered: 410, so the page can say so rather than "not found"."""

    status = 410
    title = "Gone"


def _score(aspect: str):
    return fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=5),
                          metadata={"description": f"{aspect}: 1 (poor) to 5 (excellent); null: not applicable"})


class ScoresSchema(Schema):
    itinerary = _score("The itinerary")
    accommodation = _score("The hotels")
    transport = _score("Flights, trains and transfers")
    guide = _score("The guides")
    consultant = _score("The consultant who sold the trip")


# --- RPC arguments --------------------------------------------------------------------------------

class SurveyAnswerSchema(Schema):
    scores = fields.Nested(ScoresSchema, required=True)
    recommend = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=10),
                               metadata={"description": "How likely to recommend us, 0 to 10"})
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_COMMENT))


class CheckInCreateSchema(Schema):
    mood = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5),
                          metadata={"description": "How the trip is going for the customer, 1 to 5"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_COMMENT))


class SurveyQuerySchema(PageQuerySchema):
    customer_id = fields.String(validate=validate.Length(max=36))
    order_file_id = fields.String(validate=validate.Length(max=36))
    status = fields.String(validate=validate.OneOf(SURVEY_STATUSES))


class SupplierScoreQuerySchema(Schema):
    supplier_id = fields.String(validate=validate.Length(max=36))
    supplier_name = fields.String(validate=validate.Length(max=200))


# --- RPC results ----------------------------------------------------------------------------------

class _SupplierRef(Schema):
    supplier_id = fields.String(allow_none=True)
    supplier_name = fields.String(required=True)
    aspect = fields.String(required=True, metadata={"description": "accommodation, transport or guide"})


class SurveySchema(Schema):
    id = fields.Integer()
    customer_id = fields.String()
    order_file_id = fields.String()
    order_number = fields.String()
    title = fields.String()
    consultant = fields.String(allow_none=True)
    language = fields.String()
    status = fields.String(metadata={"description": " | ".join(SURVEY_STATUSES)})
    created_at = fields.AwareDateTime()
    sent_at = fields.AwareDateTime(allow_none=True)
    expires_at = fields.AwareDateTime()
    reminders_sent = fields.Integer()
    answered_at = fields.AwareDateTime(allow_none=True)
    scores = fields.Nested(ScoresSchema, allow_none=True)
    recommend = fields.Integer(allow_none=True)
    comment = fields.String(allow_none=True)
    suppliers = fields.List(fields.Nested(_SupplierRef))


class SurveyPageSchema(PageSchema):
    items = fields.List(fields.Nested(SurveySchema))


class PublicSurveySchema(Schema):
    """What the customer's link shows: the trip, never other customers' data or the answers' ids."""

    order_number = fields.String()
    title = fields.String()
    language = fields.String(metadata={"description": "zh, es or en: the page's language"})
    expires_at = fields.AwareDateTime()
    aspects = fields.List(fields.String(), metadata={"description": "The aspects to score, in order"})
    answered = fields.Boolean()


class CheckInSchema(Schema):
    id = fields.Integer()
    customer_id = fields.String()
    order_file_id = fields.String()
    order_number = fields.String()
    mood = fields.Integer()
    note = fields.String(allow_none=True)
    recorded_by = fields.String()
    recorded_at = fields.AwareDateTime()


class SupplierScoreSchema(Schema):
    supplier_id = fields.String(allow_none=True)
    supplier_name = fields.String()
    aspect = fields.String()
    answers = fields.Integer(metadata={"description": "How many answers scored it"})
    average = fields.Decimal(as_string=True, places=2, metadata={"description": "Mean score, 1 to 5"})


# --- events ---------------------------------------------------------------------------------------

class SurveySentPayload(Schema):
    survey_id = fields.Integer(required=True)
    customer_id = fields.String(required=True)
    order_file_id = fields.String(required=True)
    order_number = fields.String(required=True)
    consultant = fields.String(allow_none=True)
    sent_at = fields.AwareDateTime(required=True)
    expires_at = fields.AwareDateTime(required=True)


class SurveyAnsweredPayload(Schema):
    survey_id = fields.Integer(required=True)
    customer_id = fields.String(required=True)
    order_file_id = fields.String(required=True)
    order_number = fields.String(required=True)
    consultant = fields.String(allow_none=True, metadata={"description": "Who sold the trip"})
    scores = fields.Nested(ScoresSchema, required=True)
    recommend = fields.Integer(required=True)
    comment = fields.String(allow_none=True)
    answered_at = fields.AwareDateTime(required=True)
    suppliers = fields.List(fields.Nested(_SupplierRef), required=True,
                            metadata={"description": "The suppliers whose service the answer scores"})


class CheckInRecordedPayload(Schema):
    check_in_id = fields.Integer(required=True)
    customer_id = fields.String(required=True)
    order_file_id = fields.String(required=True)
    order_number = fields.String(required=True)
    mood = fields.Integer(required=True)
    note = fields.String(allow_none=True)
    recorded_by = fields.String(required=True)
    recorded_at = fields.AwareDateTime(required=True)


SURVEY_SENT = Event("feedback.survey_sent", SurveySentPayload,
                    "CRM accepted the survey invitation for a completed trip (reminders are not announced).")
SURVEY_ANSWERED = Event("feedback.survey_answered", SurveyAnsweredPayload,
                        "The customer answered the post-trip survey (once per survey).")
CHECK_IN_RECORDED = Event("feedback.check_in_recorded", CheckInRecordedPayload,
                          "How the trip is going, as the consultant heard it from the customer during the trip.")

SURVEYS_EVENTS: tuple = (SURVEY_SENT, SURVEY_ANSWERED, CHECK_IN_RECORDED)
