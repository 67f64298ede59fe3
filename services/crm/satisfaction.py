"""The customer's satisfaction: their post-trip survey answers as feedback announced them.

Kept in a table of its own and read through its own RPC rather than folded into get_customer:
the customer's ETag is a digest of get_customer's answer, and a survey arriving must not make a
clerk's edit of the address fail with 412.
"""
import logging
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from .customers import get_customer
from .models import Customer, SurveyResult

log = logging.getLogger(__name__)

ASPECTS = ("itinerary", "accommodation", "transport", "guide", "consultant")


def record(session, payload: dict) -> SurveyResult | None:
    """One row per survey (a second delivery of the same answer finds it); None when the payload
    is not a survey answer CRM can keep, or names a customer CRM does not know."""
    try:
        survey_id, recommend = int(payload["survey_id"]), int(payload["recommend"])
        answered_at = datetime.fromisoformat(payload["answered_at"])
        scores = {a: int(v) for a, v in (payload.get("scores") or {}).items() if a in ASPECTS and v is not None}
    except (KeyError, TypeError, ValueError):
        log.warning("feedback.survey_answered without a usable answer: %r", payload)
        return None
    customer_id = payload.get("customer_id")
    if session.get(Customer, customer_id) is None:
        return None
    if session.scalar(select(SurveyResult).where(SurveyResult.survey_id == survey_id)) is not None:
        return None
    row = SurveyResult(customer_id=customer_id, survey_id=survey_id, order_number=payload.get("order_number"),
                       consultant=payload.get("consultant"), scores=scores, recommend=recommend,
                       comment=payload.get("comment"), answered_at=answered_at)
    session.add(row)
    return row


def _mean(values) -> Decimal | None:
    values = list(values)
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def summary(session, customer_id: str) -> dict:
    """What a consultant wants to see: how many surveys, the averages, and the last answer."""
    get_customer(session, customer_id)   # NotFound for a customer CRM does not know
    rows = list(session.scalars(select(SurveyResult).where(SurveyResult.customer_id == customer_id)
                                .order_by(SurveyResult.answered_at.desc(), SurveyResult.id.desc())))
    last = rows[0] if rows else None
    return {
        "customer_id": customer_id,
        "surveys_answered": len(rows),
        "average_score": _mean(v for r in rows for v in r.scores.values()),
        "average_recommend": _mean(r.recommend for r in rows),
        "by_aspect": {a: _mean(r.scores[a] for r in rows if a in r.scores) for a in ASPECTS},
        "last": None if last is None else {
            "survey_id": last.survey_id, "order_number": last.order_number, "consultant": last.consultant,
            "scores": {a: last.scores.get(a) for a in ASPECTS}, "recommend": last.recommend,
            "comment": last.comment, "answered_at": last.answered_at},
    }
