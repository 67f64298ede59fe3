"""The KPI formulas (services/feedback/kpis.py) on tallies counted by hand: no broker, no database."""
from decimal import Decimal as D

import pytest

from services.feedback import kpis
from services.feedback.kpis import Tally


def by_name(rows):
    return {row["kpi"]: row for row in rows}


def test_every_kpi_of_a_hand_counted_month():
    tally = Tally(bookings=50, booking_errors=1,          # 1 / 50 = 2.00 %: at the limit, met
                  contracts=20, contract_errors=1,         # 1 / 20 = 5.00 %: not under 5, not met
                  opened=10, opened_resolved=9,            # 90.00 %: met
                  responded=4, response_minutes=4 * 1440 + 4, responded_in_time=3,  # 1441.00 min: over 24 h
                  resolved=3, resolution_minutes=3 * 2880, resolved_in_time=3,       # 2880.00: exactly 48 h, met
                  won=3, decided=8,                        # 37.50 %, tracked
                  scored=7, scored_4_5=6,                  # 85.71 %
                  answers=9, promoters=5, detractors=2)    # 55.56 - 22.22 = 33.34
    tally.sales["2027-03"]["EUR"] = D("1100.00")
    tally.sales["2027-02"]["EUR"] = D("1000.00")           # +10.00 %: met
    tally.targets["EUR"] = D("1200.00")                    # 1100 / 1200 = 91.67 %: not met
    got = by_name(kpis.figures(tally, "consultants", "2027-03"))
    shown = {name: (row["value"], row["met"]) for name, row in got.items()}
    assert shown == {
        "customer_satisfaction": (D("85.71"), True),
        "complaint_first_response": (D("1441.00"), False),
        "complaint_resolution_time": (D("2880.00"), True),
        "complaint_resolution_rate": (D("90.00"), True),
        "booking_error_rate": (D("2.00"), True),
        "contract_error_rate": (D("5.00"), False),
        "sales_growth": (D("10.00"), True),
        "sales_target_attainment": (D("91.67"), False),
        "inquiry_conversion": (D("37.50"), None),
        "net_promoter_score": (D("33.34"), None),
    }
    assert got["complaint_first_response"]["share_within_target"] == D("75.00")
    assert (got["sales_growth"]["numerator"], got["sales_growth"]["denominator"]) == (D("100.00"), D("1000.00"))
    assert got["sales_target_attainment"]["currency"] == "EUR"
    # The ticketing desk is held to 85 %: the same 85.71 meets it; 84.99 would not.
    desk = by_name(kpis.figures(Tally(scored=10000, scored_4_5=8499), "ticketing", "2027-03"))
    assert (desk["customer_satisfaction"]["value"], desk["customer_satisfaction"]["met"]) == (D("84.99"), False)
    assert desk["customer_satisfaction"]["target"] == ">= 85"


def test_no_data_is_no_figure_and_no_verdict():
    got = by_name(kpis.figures(Tally(), "consultants", "2027-01"))
    assert all(row["value"] is None and row["met"] is None for row in got.values())


def test_sales_in_two_currencies_without_a_target_name_none():
    tally = Tally()
    tally.sales["2027-03"]["EUR"] = D("10.00")
    tally.sales["2027-02"]["CNY"] = D("80.00")
    assert kpis.sales_currency(tally, "2027-03") is None
    tally.targets["CNY"] = D("100.00")  # the target's currency decides: nothing in CNY this month
    got = by_name(kpis.figures(tally, "consultants", "2027-03"))
    assert (got["sales_growth"]["value"], got["sales_target_attainment"]["value"]) == (D("-100.00"), D("0.00"))


@pytest.mark.parametrize("month, previous", [("2027-01", "2026-12"), ("2027-10", "2027-09")])
def test_the_previous_month(month, previous):
    assert kpis.previous_month(month) == previous


def test_a_staff_members_team():
    assert kpis.team_of("tina", {}, {"ticketing"}) == "ticketing"
    assert kpis.team_of("alice", {}, {"ticketing", "consultants"}) == "consultants"  # a consultant who booked
    assert kpis.team_of("alice", {"alice": "ticketing"}, {"consultants"}) == "ticketing"  # set_team decides
    assert kpis.staff_of("user:alice") == "alice" and kpis.staff_of(None) is None


def test_an_agency_sets_its_own_bounds_the_comparisons_stay():
    targets = kpis.targets_from("booking_error_rate=3, customer_satisfaction.ticketing=90")
    assert targets["booking_error_rate"] == ("<=", D(3)) and targets["contract_error_rate"] == ("<", D(5))
    assert targets["customer_satisfaction"] == {"consultants": (">=", D(80)), "ticketing": (">=", D(90))}
    assert kpis.TARGETS["booking_error_rate"] == ("<=", D(2))  # the documents' table is untouched
    got = by_name(kpis.figures(Tally(bookings=100, booking_errors=3), "ticketing", "2027-03", targets))
    assert (got["booking_error_rate"]["met"], got["booking_error_rate"]["target"]) == (True, "<= 3")
    assert kpis.targets_from("")["sales_growth"] == (">=", D(10))
    for bad in ("pilots=3", "net_promoter_score=50", "customer_satisfaction.pilots=1", "booking_error_rate=x"):
        with pytest.raises(Exception):
            kpis.targets_from(bad)


@pytest.mark.parametrize("setting", ["booking_error_rate=three", "booking_error_rate=NaN", "no_such_kpi=3",
                                     "customer_satisfaction.sales=90"])
def test_a_malformed_kpi_targets_setting_is_refused_with_its_reason(setting):
    """Read once when the service starts (services.feedback.kpi_entrypoints.KpiTargets): it does
    not start, saying which part is wrong, rather than failing every KPI query."""
    with pytest.raises(ValueError, match="KPI_TARGETS"):
        kpis.targets_from(setting)
