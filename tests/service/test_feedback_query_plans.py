"""A month's KPIs stay fast as the year's facts pile up: on both databases the KPI queries search
the (month, kind, staff) and (month, consultant) indexes and never read kpi_facts or the survey
answers whole (a regression fails here rather than in bench/kpis.py)."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import insert

from services.common.db import make_engine, refresh_statistics
from services.feedback import kpis
from services.feedback.models import Base, KpiFact, KpiSurveyAnswer
from tests.service.test_ticketing_query_plans import full_reads, plan

pytestmark = pytest.mark.service

GROWING = {"kpi_facts", "kpi_survey_answers"}
START = datetime(2027, 1, 1, tzinfo=timezone.utc)


def fact(n: int, kind: str, **extra) -> dict:
    at = START + timedelta(hours=n % (365 * 24))
    return {"kind": kind, "ref": f"{kind}-{n}", "subject": str(n), "month": kpis.month_of(at), "at": at,
            "staff": f"staff{n % 30}", "team": "ticketing", "reason": None, "flag": None, "minutes": None,
            "score": None, "amount": None, "currency": None, "supplier": None, "supplier_name": None,
            "category": None, **extra}


@pytest.fixture
def a_year(database_url):
    engine = make_engine(database_url("feedback"))
    Base.metadata.create_all(engine)
    rows = [fact(n, "booking") for n in range(30_000)]
    rows += [fact(n, kind, minutes=n % 3000) for n in range(3_000)
             for kind in ("complaint_opened", "complaint_responded", "complaint_resolved")]
    answers = [{"survey_id": f"s{n}", "month": kpis.month_of(START + timedelta(hours=n % 8760)),
                "answered_at": START + timedelta(hours=n % 8760), "consultant": f"staff{n % 30}",
                "consultant_score": n % 5 + 1, "transport": n % 5 + 1, "recommend": n % 11} for n in range(10_000)]
    with engine.begin() as connection:
        connection.execute(insert(KpiFact.__table__), rows)
        connection.execute(insert(KpiSurveyAnswer.__table__), answers)
        refresh_statistics(connection)
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("ANALYZE")
    yield engine
    engine.dispose()


def test_a_months_kpi_queries_read_only_that_month(a_year):
    for statement in (kpis.fact_counts_query("2027-06"), kpis.survey_counts_query("2027-06")):
        steps = plan(a_year, statement)
        assert full_reads(steps, GROWING) == [], steps
