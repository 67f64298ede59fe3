"""The customer's satisfaction, from their post-trip survey answers (crm.get_satisfaction)."""
from marshmallow import Schema

from services.common import fields

_ASPECTS = ("itinerary", "accommodation", "transport", "guide", "consultant")


def _scores(description: str):
    return {a: fields.Decimal(as_string=True, allow_none=True, metadata={"description": description})
            for a in _ASPECTS}


ByAspectSchema = Schema.from_dict(_scores("Mean score 1-5 of the answers that scored it"), name="ByAspectSchema")
LastScoresSchema = Schema.from_dict({a: fields.Integer(allow_none=True) for a in _ASPECTS}, name="LastScoresSchema")


class LastSurveySchema(Schema):
    survey_id = fields.Integer()
    order_number = fields.String(allow_none=True)
    consultant = fields.String(allow_none=True)
    scores = fields.Nested(LastScoresSchema, metadata={"description": "1-5 each; null: not applicable"})
    recommend = fields.Integer(metadata={"description": "0-10"})
    comment = fields.String(allow_none=True)
    answered_at = fields.AwareDateTime()


class SatisfactionSchema(Schema):
    customer_id = fields.String()
    surveys_answered = fields.Integer()
    average_score = fields.Decimal(as_string=True, allow_none=True,
                                   metadata={"description": "Mean of every aspect scored in every answer, 1-5"})
    average_recommend = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "0-10"})
    by_aspect = fields.Nested(ByAspectSchema)
    last = fields.Nested(LastSurveySchema, allow_none=True, metadata={"description": "The latest answer"})
