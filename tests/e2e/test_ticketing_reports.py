"""Sales reports at the gateway, through RPC over the real RabbitMQ, to a real ticketing container
(its database on SQLite, and on PostgreSQL when it answers)."""
import csv
import io
from datetime import timedelta

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from services.common.db import utcnow
from services.common.errors import ValidationFailed
from services.ticketing.service import TicketingService

pytestmark = pytest.mark.e2e


@pytest.fixture
def suite_config(nameko_config, database_url):
    """Reports read money back from the database: run them on SQLite and on PostgreSQL."""
    return dict(nameko_config, DATABASE_URLS={"ticketing": database_url("ticketing")})


@pytest.fixture
def config(suite_config, run_services):
    run_services(TicketingService)
    return suite_config


@pytest.fixture
def gateway(client):
    """The gateway alone: what it refuses never reaches a service."""
    return client


def created(response):
    assert response.status_code in (200, 201), response.json
    return response.json


def open_product(client, supplier, code, name, location, currency, day, net, sell, kind="flight"):
    product = created(client.post("/api/v1/products", json={
        "supplier_id": supplier["id"], "supplier_code": code, "kind": kind, "name": name, "location": location,
        "currency": currency}))
    created(client.put(f"/api/v1/products/{product['id']}/inventory", json={
        "start": day.isoformat(), "end": day.isoformat(), "capacity": 10, "net_price": net, "sell_price": sell}))
    return product


def book(client, product, day, quantity):
    hold = created(client.post("/api/v1/holds", json={"lines": [
        {"product_id": product["id"], "day": day.isoformat(), "quantity": quantity}]}))
    return created(client.post(f"/api/v1/holds/{hold['id']}/confirm"))


def test_sales_reports_as_json_and_csv(client, config):
    today = utcnow().date()
    travel = today + timedelta(days=30)
    # Yesterday to tomorrow, so a run across midnight UTC still sees every sale.
    period = {"start": (today - timedelta(days=1)).isoformat(), "end": (today + timedelta(days=1)).isoformat()}
    beijing = created(client.post("/api/v1/suppliers", json={"name": "北京文旅", "kind": "attraction"}))
    iberia = created(client.post("/api/v1/suppliers", json={"name": "Iberia", "kind": "airline"}))
    palace = open_product(client, beijing, "GUGONG-A", "故宫博物院门票", "北京", "CNY", travel, "40.10", "60.35",
                          kind="attraction")
    flight = open_product(client, iberia, "IB3250-Y", "IB3250 MAD-FCO", "MAD-FCO", "EUR", travel, "80.00", "100.00")
    sold = book(client, palace, travel, 3)
    cancelled = book(client, flight, travel, 2)
    created(client.post(f"/api/v1/bookings/{cancelled['locator']}/cancel", json={"reason": "customer_request"}))

    response = client.get("/api/v1/reports/sales", query_string=period | {"granularity": "month",
                                                                          "group_by": "supplier"})
    assert response.status_code == 200, response.json
    report = response.json
    totals = {t["currency"]: t for t in report["totals"]}
    assert set(totals) == {"CNY", "EUR"}
    assert (totals["CNY"]["units_sold"], totals["CNY"]["bookings"], totals["CNY"]["sell_total"],
            totals["CNY"]["net_total"], totals["CNY"]["margin"]) == (3, 1, "181.05", "120.30", "60.75")
    eur = totals["EUR"]
    assert (eur["units_sold"], eur["units_cancelled"], eur["balance_units"]) == (2, 2, 0)
    assert (eur["sell_total"], eur["cancelled_sell_total"], eur["balance_sell_total"]) == ("200.00", "200.00", "0.00")
    assert {(r["group_label"], r["currency"]) for r in report["rows"]} == {("北京文旅", "CNY"), ("Iberia", "EUR")}

    exported = client.get("/api/v1/reports/sales.csv", query_string=period | {"group_by": "product"})
    assert exported.status_code == 200
    assert exported.mimetype == "text/csv" and exported.mimetype_params.get("charset") == "utf-8"
    assert exported.headers["Content-Disposition"].startswith('attachment; filename="sales_')
    header, *rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8"))))
    assert header[:6] == ["bucket", "bucket_start", "bucket_end", "group_key", "group_label", "currency"]
    palace_row = [dict(zip(header, r)) for r in rows if r[header.index("group_key")] == palace["id"]]
    assert palace_row and palace_row[0]["group_label"] == "故宫博物院门票"
    assert palace_row[0]["sell_total"] == "181.05"
    with_bom = client.get("/api/v1/reports/sales.csv", query_string=period | {"bom": "true"})
    assert with_bom.data.startswith("\ufeffbucket,".encode("utf-8"))

    top = client.get("/api/v1/reports/top-sellers", query_string=period | {"limit": 1}).json
    assert [(p["product_code"], p["balance_units"]) for p in top["products"]] == [("GUGONG-A", 3)]
    slow = client.get("/api/v1/reports/slow-sellers",
                      query_string={"start": period["start"], "end": travel.isoformat()}).json
    assert [(p["product_code"], p["balance_units"], p["available_allotment"]) for p in slow["products"]] == [
        ("IB3250-Y", 0, 10), ("GUGONG-A", 3, 7)]

    listed = client.get(f"/api/v1/reports/suppliers/{beijing['id']}/bookings", query_string=period).json
    [line] = listed["lines"]
    assert (line["locator"], line["ticket_number"], line["product_code"], line["travel_date"], line["quantity"],
            line["net_price"], line["net_total"], line["status"]) == (
        sold["locator"], f"{sold['locator']}-01", "GUGONG-A", travel.isoformat(), 3, "40.10", "120.30", "confirmed")
    assert listed["totals"] == [{"currency": "CNY", "status": "confirmed", "lines": 1, "units": 3,
                                 "net_total": "120.30"}]
    listed_csv = client.get(f"/api/v1/reports/suppliers/{beijing['id']}/bookings.csv", query_string=period)
    assert listed_csv.mimetype == "text/csv"
    assert "attachment" in listed_csv.headers["Content-Disposition"]
    header, row = list(csv.reader(io.StringIO(listed_csv.data.decode("utf-8"))))
    assert dict(zip(header, row))["product_name"] == "故宫博物院门票"
    assert dict(zip(header, row))["net_total"] == "120.30"


@pytest.mark.parametrize("query, field", [
    ({"start": "2027-03-02", "end": "2027-03-01"}, "end"),                     # ends before it starts
    ({"start": "2027-01-01", "end": "2028-01-02"}, "end"),                     # 367 days
    ({"start": "2027-03-01"}, "end"),                                          # no end
    ({"start": "2027-03-01", "end": "2027-03-31", "granularity": "year"}, "granularity"),
    ({"start": "2027-03-01", "end": "2027-03-31", "group_by": "colour"}, "group_by"),
    ({"start": "March", "end": "2027-03-31"}, "start"),
])
def test_a_bad_period_or_option_is_a_422_problem(gateway, query, field):
    for path in ("/api/v1/reports/sales", "/api/v1/reports/sales.csv"):
        response = gateway.get(path, query_string=query)
        assert response.status_code == 422, response.data
        assert response.mimetype == "application/problem+json"
        assert field in response.json["errors"]


def test_reports_check_their_input_behind_the_gateway_too(client, config):
    with ClusterRpcProxy(config, timeout=10) as rpc:
        with pytest.raises(ValidationFailed) as refused:
            rpc.ticketing.sales_report({"start": "2027-03-02", "end": "2027-03-01"})
        assert "end" in refused.value.details
        with pytest.raises(ValidationFailed):
            rpc.ticketing.top_sellers({"start": "2027-03-01", "end": "2027-03-31", "limit": 0})
    unknown = client.get("/api/v1/reports/suppliers/no-such-supplier/bookings",
                         query_string={"start": "2027-03-01", "end": "2027-03-31"})
    assert unknown.status_code == 404 and unknown.mimetype == "application/problem+json"
    limit = client.get("/api/v1/reports/top-sellers", query_string={"start": "2027-03-01", "end": "2027-03-31",
                                                                    "limit": 1000})
    assert limit.status_code == 422 and "limit" in limit.json["errors"]


def test_openapi_documents_the_reports(gateway):
    paths = gateway.get("/api/v1/openapi.json").json["paths"]
    assert "application/json" in paths["/api/v1/reports/sales"]["get"]["responses"]["200"]["content"]
    for path in ("/api/v1/reports/sales.csv", "/api/v1/reports/suppliers/{supplier_id}/bookings.csv"):
        ok = paths[path]["get"]["responses"]["200"]
        assert "text/csv" in ok["content"] and "Content-Disposition" in ok["headers"]
    assert {"/api/v1/reports/top-sellers", "/api/v1/reports/slow-sellers",
            "/api/v1/reports/suppliers/{supplier_id}/bookings"} <= set(paths)
