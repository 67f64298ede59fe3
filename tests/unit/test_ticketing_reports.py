"""Sales reports on SQLite, no broker: buckets, grouping, currencies, cancellations and changes,
top and slow sellers, the supplier's booking list, and CSV. Every amount is checked to the cent."""
import csv
import io
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal as D

import pytest

from services.common.errors import NotFound, ValidationFailed
from services.ticketing import bookings, holds, inventory, reports, suppliers
from services.ticketing.models import Base

UTC = timezone.utc
SETUP = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
T1, T2 = date(2027, 5, 10), date(2027, 5, 11)   # travel dates, after every sale below
MARCH = dict(start=date(2027, 3, 1), end=date(2027, 3, 31))


def at(month, day, hour=12, minute=0, second=0, tz=UTC):
    return datetime(2027, month, day, hour, minute, second, tzinfo=tz)


def product(session, supplier, code, kind, name, location, currency, days, capacity, net, sell):
    p = inventory.create_product(session, {
        "supplier_id": supplier.id, "supplier_code": code, "kind": kind, "name": name, "location": location,
        "attributes": {}, "currency": currency}, actor="t", now=SETUP)
    inventory.apply_update(session, p, days, {"capacity": capacity, "net_price": D(net), "sell_price": D(sell)},
                           actor="t", source="staff")
    return p


def sell(session, lines, now):
    """Hold and confirm at `now`: lines are (product, day, quantity)."""
    hold = holds.place(session, {"channel": "consultant", "lines": [
        {"product_id": p.id, "day": day, "quantity": q} for p, day, q in lines]}, actor="t", now=now)
    return bookings.confirm(session, hold.id, actor="t", now=now)[0]


@pytest.fixture
def world(session):
    """Two suppliers, four products in EUR and CNY, sales spread over March and April 2027."""
    iberia = suppliers.create(session, {"name": "Iberia", "kind": "airline", "contacts": []}, actor="t", now=SETUP)
    beijing = suppliers.create(session, {"name": "北京文旅", "kind": "attraction", "contacts": []},
                               actor="t", now=SETUP)
    flight = product(session, iberia, "IB3250-Y", "flight", "IB3250 MAD-FCO", "MAD-FCO", "EUR", [T1], 20,
                     "80.00", "100.00")
    inventory.apply_update(session, flight, [T2], {"capacity": 20, "net_price": D("95.50"),
                                                   "sell_price": D("130.25")}, actor="t", source="staff")
    palace = product(session, beijing, "GUGONG-A", "attraction", "故宫博物院门票", "北京", "CNY", [T1], 100,
                     "40.10", "60.35")
    small = product(session, iberia, "VY6104-Y", "flight", "VY6104 BCN-FCO", "BCN-FCO", "EUR", [T1], 2,
                    "50.00", "75.99")
    hotel = product(session, iberia, "ROMA-DBL", "hotel", "Hotel Roma doppia", "ROM", "EUR",
                    [T1, T1 + timedelta(1), T1 + timedelta(2)], 50, "70.00", "90.00")
    spare = product(session, iberia, "ROMA-SGL", "hotel", "Hotel Roma singola", "ROM", "EUR", [T1], 5,
                    "60.00", "80.00")
    b1 = sell(session, [(flight, T1, 2)], at(3, 1, 9))
    # 07:30 in Beijing on 2 March is 23:30 UTC on 1 March: the report goes by the UTC date.
    b2 = sell(session, [(palace, T1, 3)], at(3, 2, 7, 30, tz=timezone(timedelta(hours=8))))
    b3 = sell(session, [(flight, T1, 1), (palace, T1, 1)], at(3, 2, 10))          # two currencies
    b7 = sell(session, [(small, T1, 1)], at(3, 3, 15))
    b4 = sell(session, [(flight, T1, 1)], at(3, 7, 23, 59, 59))                    # last second of W09
    b5 = sell(session, [(flight, T2, 1)], at(3, 8, 0, 0, 0))                       # first second of W10
    bookings.cancel(session, b1.locator, now=at(3, 9))
    old, replacement = bookings.change(session, b4.locator, b4.lines[0].id, {"day": T2}, now=at(3, 10))
    b6 = sell(session, [(palace, T1, 2)], at(4, 2))
    session.flush()
    return dict(iberia=iberia, beijing=beijing, flight=flight, palace=palace, small=small, hotel=hotel,
                spare=spare, b1=b1, b2=b2, b3=b3, b4=b4, b5=b5, b6=b6, b7=b7, old=old, replacement=replacement)


def rows_by(report, *fields):
    return {tuple(r[f] for f in fields): r for r in report["rows"]}


def test_daily_sales_by_product_count_sales_cancellations_and_changes_on_their_own_days(session, world):
    report = reports.sales(session, **MARCH, granularity="day", group_by="product")
    flight, palace = world["flight"].id, world["palace"].id
    rows = rows_by(report, "bucket", "group_key")
    assert list(rows) == [
        ("2027-03-01", flight), ("2027-03-01", palace), ("2027-03-02", flight), ("2027-03-02", palace),
        ("2027-03-03", world["small"].id), ("2027-03-07", flight), ("2027-03-08", flight),
        ("2027-03-09", flight), ("2027-03-10", flight)]
    first = rows[("2027-03-01", flight)]
    assert (first["units_sold"], first["bookings"], first["currency"], first["group_label"]) == \
        (2, 1, "EUR", "IB3250 MAD-FCO")
    assert (first["sell_total"], first["net_total"], first["margin"]) == (D("200.00"), D("160.00"), D("40.00"))
    beijing = rows[("2027-03-01", palace)]
    assert (beijing["units_sold"], beijing["currency"], beijing["group_label"]) == (3, "CNY", "故宫博物院门票")
    assert (beijing["sell_total"], beijing["net_total"], beijing["margin"]) == (D("181.05"), D("120.30"), D("60.75"))
    # The sale of 1 March stays a sale; its cancellation shows on 9 March, in its own columns.
    cancelled = rows[("2027-03-09", flight)]
    assert (cancelled["units_sold"], cancelled["units_cancelled"], cancelled["balance_units"]) == (0, 2, -2)
    assert (cancelled["cancelled_sell_total"], cancelled["cancelled_net_total"]) == (D("200.00"), D("160.00"))
    assert (cancelled["balance_sell_total"], cancelled["balance_margin"]) == (D("-200.00"), D("-40.00"))
    # A change: the replacement is a sale at T2's prices, the old line is "changed", same day.
    changed = rows[("2027-03-10", flight)]
    assert (changed["units_sold"], changed["units_changed"], changed["balance_units"]) == (1, 1, 0)
    assert (changed["sell_total"], changed["net_total"]) == (D("130.25"), D("95.50"))
    assert (changed["changed_sell_total"], changed["changed_net_total"]) == (D("100.00"), D("80.00"))
    assert changed["fare_difference_total"] == D("30.25")  # kept on the replacement line
    assert (changed["balance_sell_total"], changed["balance_net_total"], changed["balance_margin"]) == \
        (D("30.25"), D("15.50"), D("14.75"))
    assert len(report["buckets"]) == 31


def test_totals_are_per_currency_and_exact_to_the_cent(session, world):
    report = reports.sales(session, **MARCH, granularity="month", group_by="kind")
    eur, = [t for t in report["totals"] if t["currency"] == "EUR"]
    cny, = [t for t in report["totals"] if t["currency"] == "CNY"]
    assert [t["currency"] for t in report["totals"]] == ["CNY", "EUR"]
    assert (eur["units_sold"], eur["bookings"]) == (7, 5)          # b1, b3, b4 (twice: its change), b5, b7
    assert (eur["sell_total"], eur["net_total"], eur["margin"]) == (D("736.49"), D("561.00"), D("175.49"))
    assert (eur["units_cancelled"], eur["cancelled_sell_total"]) == (2, D("200.00"))
    assert (eur["units_changed"], eur["changed_sell_total"]) == (1, D("100.00"))
    assert (eur["balance_units"], eur["balance_sell_total"], eur["balance_net_total"], eur["balance_margin"]) == \
        (4, D("436.49"), D("321.00"), D("115.49"))
    assert str(eur["sell_total"]) == "736.49" and str(cny["sell_total"]) == "241.40"
    assert (cny["units_sold"], cny["bookings"], cny["net_total"], cny["margin"]) == (4, 2, D("160.40"), D("81.00"))
    # The balance is what is still booked: the lines of EUR confirmed in March and still confirmed.
    live = [l for b in ("b1", "b3", "b4", "b5", "b7") for l in world[b].lines
            if l.status == "confirmed" and l.currency == "EUR"]
    assert eur["balance_units"] == sum(l.quantity for l in live)
    assert eur["balance_sell_total"] == sum(l.sell_price * l.quantity for l in live)
    # Row sums match the totals, currency by currency.
    for total in report["totals"]:
        mine = [r for r in report["rows"] if r["currency"] == total["currency"]]
        for column in ("units_sold", "sell_total", "net_total", "balance_sell_total", "cancelled_net_total"):
            assert sum(r[column] for r in mine) == total[column]


def test_grouping_by_kind_supplier_and_destination(session, world):
    by_kind = rows_by(reports.sales(session, **MARCH, granularity="month", group_by="kind"),
                      "group_key", "currency")
    assert set(by_kind) == {("flight", "EUR"), ("attraction", "CNY")}
    assert by_kind[("flight", "EUR")]["units_sold"] == 7
    by_supplier = rows_by(reports.sales(session, **MARCH, granularity="month", group_by="supplier"),
                          "group_label", "currency")
    assert set(by_supplier) == {("Iberia", "EUR"), ("北京文旅", "CNY")}
    assert by_supplier[("Iberia", "EUR")]["group_key"] == world["iberia"].id
    report = reports.sales(session, start=date(2027, 3, 1), end=date(2027, 4, 30), granularity="month",
                           group_by="destination")
    assert [(r["bucket"], r["group_key"], r["currency"], r["units_sold"], r["sell_total"]) for r in report["rows"]] == [
        ("2027-03", "BCN-FCO", "EUR", 1, D("75.99")),
        ("2027-03", "MAD-FCO", "EUR", 6, D("660.50")),
        ("2027-03", "北京", "CNY", 4, D("241.40")),
        ("2027-04", "北京", "CNY", 2, D("120.70"))]
    assert [(b["bucket"], b["start"], b["end"]) for b in report["buckets"]] == [
        ("2027-03", date(2027, 3, 1), date(2027, 3, 31)), ("2027-04", date(2027, 4, 1), date(2027, 4, 30))]


def test_weekly_buckets_are_iso_weeks_monday_to_sunday(session, world):
    report = reports.sales(session, **MARCH, granularity="week", group_by="supplier")
    assert [(b["bucket"], b["start"], b["end"]) for b in report["buckets"]] == [
        ("2027-W09", date(2027, 3, 1), date(2027, 3, 7)), ("2027-W10", date(2027, 3, 8), date(2027, 3, 14)),
        ("2027-W11", date(2027, 3, 15), date(2027, 3, 21)), ("2027-W12", date(2027, 3, 22), date(2027, 3, 28)),
        ("2027-W13", date(2027, 3, 29), date(2027, 3, 31))]   # clipped to the period
    rows = rows_by(report, "bucket", "currency")
    assert set(rows) == {("2027-W09", "EUR"), ("2027-W09", "CNY"), ("2027-W10", "EUR")}
    w9, w10 = rows[("2027-W09", "EUR")], rows[("2027-W10", "EUR")]
    assert (w9["units_sold"], w9["bookings"], w9["sell_total"], w9["net_total"]) == (5, 4, D("475.99"), D("370.00"))
    assert (w10["units_sold"], w10["bookings"], w10["sell_total"], w10["net_total"]) == (2, 2, D("260.50"), D("191.00"))
    assert (w10["units_cancelled"], w10["units_changed"], w10["balance_units"]) == (2, 1, -1)
    assert (rows[("2027-W09", "CNY")]["units_sold"], rows[("2027-W09", "CNY")]["bookings"]) == (4, 2)


def test_iso_weeks_across_the_new_year():
    assert reports.bucket_of(date(2027, 1, 1), "week") == ("2026-W53", date(2026, 12, 28), date(2027, 1, 3))
    assert reports.bucket_of(date(2028, 2, 29), "month") == ("2028-02", date(2028, 2, 1), date(2028, 2, 29))
    assert [b["bucket"] for b in reports.buckets(date(2026, 12, 30), date(2027, 1, 5), "week")] == \
        ["2026-W53", "2027-W01"]


def test_a_period_that_only_sees_the_cancellation_and_the_change(session, world):
    report = reports.sales(session, start=date(2027, 3, 9), end=date(2027, 3, 10), granularity="day",
                           group_by="product")
    [total] = report["totals"]
    assert (total["units_sold"], total["units_cancelled"], total["units_changed"], total["bookings"]) == (1, 2, 1, 1)
    assert (total["balance_units"], total["balance_sell_total"]) == (-2, D("-169.75"))


def test_sales_of_later_periods_do_not_change_a_closed_one(session, world):
    before = reports.sales(session, **MARCH, granularity="month", group_by="product")
    bookings.cancel(session, world["b5"].locator, now=at(4, 5))
    assert reports.sales(session, **MARCH, granularity="month", group_by="product") == before


def test_period_and_options_are_checked(session):
    with pytest.raises(ValidationFailed) as bad:
        reports.sales(session, start=date(2027, 3, 2), end=date(2027, 3, 1))
    assert "end" in bad.value.details
    with pytest.raises(ValidationFailed):
        reports.top_sellers(session, start=date(2027, 1, 1), end=date(2028, 1, 2))   # 367 days
    reports.sales(session, start=date(2028, 1, 1), end=date(2028, 12, 31))           # 366 days is fine
    with pytest.raises(ValidationFailed) as bad:
        reports.sales(session, **MARCH, granularity="year")
    assert "granularity" in bad.value.details
    with pytest.raises(ValidationFailed) as bad:
        reports.sales(session, **MARCH, group_by="colour")
    assert "group_by" in bad.value.details


def test_top_sellers_by_units_net_of_cancellations_and_changes(session, world):
    top = reports.top_sellers(session, **MARCH, limit=2)["products"]
    assert [(p["rank"], p["product_code"], p["balance_units"]) for p in top] == [(1, "GUGONG-A", 4), (2, "IB3250-Y", 3)]
    flight = top[1]
    assert (flight["units_sold"], flight["units_cancelled"], flight["units_changed"]) == (6, 2, 1)
    assert (flight["currency"], flight["sell_total"], flight["margin"], flight["balance_sell_total"]) == \
        ("EUR", D("660.50"), D("149.50"), D("360.50"))
    assert (flight["supplier_name"], flight["destination"], flight["kind"]) == ("Iberia", "MAD-FCO", "flight")
    everything = reports.top_sellers(session, **MARCH, limit=10)["products"]
    assert [p["product_code"] for p in everything] == ["GUGONG-A", "IB3250-Y", "VY6104-Y"]  # no unsold product


def test_slow_sellers_put_unsold_allotment_first(session, world):
    slow = reports.slow_sellers(session, start=date(2027, 3, 1), end=date(2027, 5, 31), limit=10)["products"]
    assert [(p["product_code"], p["balance_units"], p["available_allotment"]) for p in slow] == [
        ("ROMA-DBL", 0, 150), ("ROMA-SGL", 0, 5), ("VY6104-Y", 1, 1), ("IB3250-Y", 3, 37), ("GUGONG-A", 6, 94)]
    hotel, flight = slow[0], slow[3]
    assert (hotel["allotment"], hotel["allotment_booked"], hotel["units_sold"], hotel["sell_total"]) == \
        (150, 0, 0, D("0.00"))
    assert hotel["currency"] == "EUR" and hotel["rank"] == 1
    assert (flight["allotment"], flight["allotment_booked"]) == (40, 3)   # b3 on T1; b5 and the change on T2
    assert len(reports.slow_sellers(session, start=date(2027, 3, 1), end=date(2027, 5, 31), limit=2)["products"]) == 2


def test_stop_sell_dates_have_no_available_allotment(session, world):
    inventory.apply_update(session, world["hotel"], [T1], {"stop_sell": True}, actor="t", source="staff")
    slow = reports.slow_sellers(session, start=T1, end=T1 + timedelta(2), limit=1)["products"]
    assert (slow[0]["product_code"], slow[0]["allotment"], slow[0]["available_allotment"]) == ("ROMA-DBL", 150, 100)


def test_supplier_booking_list_for_invoice_matching(session, world):
    report = reports.supplier_bookings(session, world["iberia"].id, start=date(2027, 3, 8), end=date(2027, 3, 10))
    b1, b4, b5 = world["b1"], world["b4"], world["b5"]
    assert [(l["ticket_number"], l["status"]) for l in report["lines"]] == [
        (f"{b1.locator}-01", "cancelled"),          # confirmed 1 March, cancelled in the period
        (f"{b4.locator}-01", "changed"),            # confirmed 7 March, changed in the period
        (f"{b5.locator}-01", "confirmed"),
        (f"{b4.locator}-02", "confirmed")]          # the replacement
    replacement = report["lines"][3]
    assert replacement == {
        "locator": b4.locator, "ticket_number": f"{b4.locator}-02", "product_id": world["flight"].id,
        "product_code": "IB3250-Y", "product_name": "IB3250 MAD-FCO", "travel_date": T2, "quantity": 1,
        "net_price": D("95.50"), "net_total": D("95.50"), "currency": "EUR", "status": "confirmed",
        "confirmed_at": at(3, 10), "cancelled_at": None, "replaces_ticket_number": f"{b4.locator}-01"}
    assert report["lines"][0]["net_total"] == D("160.00") and report["lines"][0]["cancelled_at"] == at(3, 9)
    assert report["totals"] == [
        {"currency": "EUR", "status": "cancelled", "lines": 1, "units": 2, "net_total": D("160.00")},
        {"currency": "EUR", "status": "changed", "lines": 1, "units": 1, "net_total": D("80.00")},
        {"currency": "EUR", "status": "confirmed", "lines": 2, "units": 2, "net_total": D("191.00")}]
    assert report["supplier_name"] == "Iberia"
    other = reports.supplier_bookings(session, world["beijing"].id, **MARCH)
    assert [l["product_name"] for l in other["lines"]] == ["故宫博物院门票", "故宫博物院门票"]
    assert other["totals"] == [{"currency": "CNY", "status": "confirmed", "lines": 2, "units": 4,
                                "net_total": D("160.40")}]
    with pytest.raises(NotFound):
        reports.supplier_bookings(session, "no-such-supplier", **MARCH)


def parse(text):
    return list(csv.reader(io.StringIO(text)))


def test_sales_csv_has_a_header_plain_decimals_and_chinese_names(session, world):
    report = reports.sales(session, start=date(2027, 3, 1), end=date(2027, 4, 30), granularity="month",
                           group_by="destination")
    text = reports.sales_csv(report)
    assert text.endswith("\r\n")
    header, *rows = parse(text)
    assert header == list(reports.SALES_COLUMNS)
    assert len(rows) == len(report["rows"]) == 4
    record = dict(zip(header, rows[1]))
    assert record == {
        "bucket": "2027-03", "bucket_start": "2027-03-01", "bucket_end": "2027-03-31", "group_key": "MAD-FCO",
        "group_label": "MAD-FCO", "currency": "EUR", "units_sold": "6", "bookings": "4", "sell_total": "660.50",
        "net_total": "511.00", "margin": "149.50", "units_cancelled": "2", "cancelled_sell_total": "200.00",
        "cancelled_net_total": "160.00", "units_changed": "1", "changed_sell_total": "100.00",
        "changed_net_total": "80.00", "balance_units": "3", "balance_sell_total": "360.50",
        "balance_net_total": "271.00", "balance_margin": "89.50", "fare_difference_total": "30.25"}
    assert dict(zip(header, rows[2]))["group_label"] == "北京"
    assert text.encode("utf-8").decode("utf-8") == text
    assert reports.sales_csv(report, bom=True).startswith("\ufeffbucket,")
    assert reports.sales_filename(report) == "sales_2027-03-01_2027-04-30_month_destination.csv"


def test_csv_cells(session):
    assert reports.csv_files.cell("sell_total", D("1.2505E+3")) == "1250.5"
    assert reports.csv_files.cell("sell_total", D("1250.50")) == "1250.50"
    assert reports.csv_files.cell("balance_sell_total", D("-200.00")) == "-200.00"   # numbers are never escaped
    assert reports.csv_files.cell("group_label", "=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert reports.csv_files.cell("cancelled_at", None) == ""


def test_supplier_bookings_csv(session, world):
    report = reports.supplier_bookings(session, world["beijing"].id, **MARCH)
    header, *rows = parse(reports.supplier_bookings_csv(report))
    assert header == ["locator", "ticket_number", "product_code", "product_name", "travel_date", "quantity",
                      "net_price", "net_total", "currency", "status", "confirmed_at", "cancelled_at",
                      "replaces_ticket_number"]
    assert rows[0] == [world["b2"].locator, f"{world['b2'].locator}-01", "GUGONG-A", "故宫博物院门票", "2027-05-10",
                       "3", "40.10", "120.30", "CNY", "confirmed", "2027-03-01T23:30:00+00:00", "", ""]
    assert reports.supplier_bookings_filename(report).startswith("supplier_bookings_")
