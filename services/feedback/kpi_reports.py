"""The two reports the agencies' documents name as deliverables, from feedback's own KPI tables:

- customer feedback: the period's survey answers per aspect (average, share of 4 and 5), the
  lowest-scoring aspects, the comments, complaints by category, how customers rated the handling
  of their complaints, and the improvement actions decided for the period;
- supplier evaluation: per supplier, bookings, complaints, complaints per 100 bookings, satisfaction
  with their services (the answers' scores of the aspect they served), and how long they took to
  answer the desk about a complaint.

A period is of UTC dates, both ends included.
"""
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from services.common import csv_files
from services.common.errors import NotFound

from .kpis import ASPECTS, average, nps, percent, resolved
from .models import ImprovementAction, KpiFact, KpiSurveyAnswer, KpiSurveySupplier

LOWEST = 2  # aspects the report singles out
COMMENTS = 200
TITLES = {
    "customer_feedback": {"en": "Customer feedback report", "zh": "客户反馈报告", "es": "Informe de opinión de clientes"},
    "supplier_evaluation": {"en": "Supplier evaluation report", "zh": "供应商评估报告",
                            "es": "Informe de evaluación de proveedores"},
}
FEEDBACK_COLUMNS = ("section", "topic", "answers", "average", "share_4_5", "complaints", "resolved", "action",
                    "owner", "due_on", "status", "text")
SUPPLIER_COLUMNS = ("supplier", "supplier_name", "bookings", "complaints", "complaints_per_100_bookings",
                    "scored_answers", "satisfaction_average", "satisfaction_share_4_5", "supplier_answers",
                    "average_response_minutes")
_TEXT = {"topic", "action", "owner", "text", "supplier", "supplier_name", "section"}


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (datetime.combine(start, time(), timezone.utc),
            datetime.combine(end + timedelta(days=1), time(), timezone.utc))


def _scores(values) -> dict:
    values = [v for v in values if v is not None]
    return {"answers": len(values), "average": average(sum(values), len(values)),
            "share_4_5": percent(sum(1 for v in values if v >= 4), len(values))}


def customer_feedback(session, start: date, end: date) -> dict:
    since, until = _bounds(start, end)
    answers = list(session.scalars(select(KpiSurveyAnswer).where(
        KpiSurveyAnswer.answered_at >= since, KpiSurveyAnswer.answered_at < until)
        .order_by(KpiSurveyAnswer.answered_at.desc(), KpiSurveyAnswer.survey_id)))
    column = {"consultant": "consultant_score"}
    aspects = [{"aspect": aspect, **_scores(getattr(a, column.get(aspect, aspect)) for a in answers)}
               for aspect in ASPECTS]
    scored = sorted((a for a in aspects if a["average"] is not None), key=lambda a: (a["average"], a["aspect"]))
    categories: dict[str, dict] = {}
    for fact, done in session.execute(select(KpiFact, resolved()).where(
            KpiFact.kind == "complaint_opened", KpiFact.at >= since, KpiFact.at < until)):
        row = categories.setdefault(fact.category or "", {"category": fact.category or "", "complaints": 0,
                                                          "resolved": 0})
        row["complaints"] += 1
        row["resolved"] += 1 if done else 0
    ratings = session.scalars(select(KpiFact.score).where(KpiFact.kind == "complaint_rated", KpiFact.at >= since,
                                                          KpiFact.at < until)).all()
    return {
        "start": start, "end": end, "titles": TITLES["customer_feedback"], "answers": len(answers),
        "complaint_handling": _scores(ratings),
        "aspects": aspects, "lowest_aspects": [a["aspect"] for a in scored[:LOWEST]],
        "net_promoter_score": nps(sum(1 for a in answers if a.recommend >= 9),
                                  sum(1 for a in answers if a.recommend <= 6), len(answers)),
        "comments": [{"survey_id": a.survey_id, "order_number": a.order_number, "answered_at": a.answered_at,
                      "comment": a.comment} for a in answers if a.comment][:COMMENTS],
        "complaint_categories": sorted(categories.values(), key=lambda c: (-c["complaints"], c["category"])),
        "actions": [action_dict(a) for a in actions(session, start, end)],
    }


def customer_feedback_csv(report: dict, bom: bool = False) -> str:
    rows = [{"section": "aspect", "topic": a["aspect"], **a} for a in report["aspects"]]
    rows += [{"section": "complaint_category", "topic": c["category"], **c} for c in report["complaint_categories"]]
    rows.append({"section": "complaint_handling", "topic": "rating", **report["complaint_handling"]})
    rows += [{"section": "action", **a} for a in report["actions"]]
    rows += [{"section": "comment", "topic": c["order_number"], "text": c["comment"]} for c in report["comments"]]
    return csv_files.rows_csv(FEEDBACK_COLUMNS, rows, bom, _TEXT)


def supplier_evaluation(session, start: date, end: date) -> dict:
    since, until = _bounds(start, end)
    found: dict[str, dict] = defaultdict(lambda: {"bookings": 0, "complaints": 0, "scores": [], "minutes": [],
                                                  "supplier_name": None})
    for fact in session.scalars(select(KpiFact).where(
            KpiFact.kind.in_(("supplier_booking", "complaint_opened", "supplier_answer")),
            KpiFact.supplier.is_not(None), KpiFact.at >= since, KpiFact.at < until)):
        row = found[fact.supplier]
        row["supplier_name"] = row["supplier_name"] or fact.supplier_name
        if fact.kind == "supplier_booking":
            row["bookings"] += 1
        elif fact.kind == "complaint_opened":
            row["complaints"] += 1
        else:
            row["minutes"].append(fact.minutes)
    for supplier, name, score in session.execute(
            select(KpiSurveySupplier.supplier, KpiSurveySupplier.supplier_name, KpiSurveySupplier.score)
            .join(KpiSurveyAnswer, KpiSurveyAnswer.survey_id == KpiSurveySupplier.survey_id)
            .where(KpiSurveyAnswer.answered_at >= since, KpiSurveyAnswer.answered_at < until)):
        row = found[supplier]
        row["supplier_name"] = row["supplier_name"] or name
        if score is not None:
            row["scores"].append(score)
    rows = []
    for supplier, row in found.items():
        scores = _scores(row["scores"])
        rows.append({"supplier": supplier, "supplier_name": row["supplier_name"], "bookings": row["bookings"],
                     "complaints": row["complaints"],
                     "complaints_per_100_bookings": percent(row["complaints"], row["bookings"]),
                     "scored_answers": scores["answers"], "satisfaction_average": scores["average"],
                     "satisfaction_share_4_5": scores["share_4_5"], "supplier_answers": len(row["minutes"]),
                     "average_response_minutes": average(sum(row["minutes"]), len(row["minutes"]))})
    rows.sort(key=lambda r: (-(r["complaints_per_100_bookings"] or 0), -r["complaints"], r["supplier"]))
    return {"start": start, "end": end, "titles": TITLES["supplier_evaluation"], "suppliers": rows}


def supplier_evaluation_csv(report: dict, bom: bool = False) -> str:
    return csv_files.rows_csv(SUPPLIER_COLUMNS, report["suppliers"], bom, _TEXT)


def filename(name: str, report: dict) -> str:
    return f"{name}_{report['start'].isoformat()}_{report['end'].isoformat()}.csv"


# --- improvement actions ---------------------------------------------------------------------

def action_dict(action: ImprovementAction) -> dict:
    return {k: getattr(action, k) for k in ("id", "period_start", "period_end", "topic", "action", "owner", "due_on",
                                            "status", "created_at", "created_by", "updated_at", "updated_by")}


def add_action(session, fields: dict, *, actor: str, now: datetime) -> ImprovementAction:
    action = ImprovementAction(period_start=fields["period_start"], period_end=fields["period_end"],
                               topic=fields["topic"].strip(),
                               action=fields["action"].strip(), owner=fields["owner"], due_on=fields["due_on"],
                               status=fields["status"], created_at=now, created_by=actor)
    session.add(action)
    session.flush()
    return action


def update_action(session, action_id: int, fields: dict, *, actor: str, now: datetime) -> ImprovementAction:
    action = session.get(ImprovementAction, action_id, with_for_update=True)
    if action is None:
        raise NotFound(f"No improvement action {action_id}.", {"action_id": action_id})
    for key, value in fields.items():
        setattr(action, key, value)
    action.updated_at, action.updated_by = now, actor
    session.flush()
    return action


def actions(session, start: date, end: date) -> list[ImprovementAction]:
    """The actions whose period overlaps start..end."""
    return list(session.scalars(select(ImprovementAction).where(
        ImprovementAction.period_start <= end, ImprovementAction.period_end >= start)
        .order_by(ImprovementAction.due_on, ImprovementAction.id)))


def target_dict(target) -> dict:
    return {k: getattr(target, k) for k in ("staff", "month", "amount", "currency", "updated_at", "updated_by")}
