"""Cost sheet rules, no broker: rounding, conversion, markup precedence, per-person prices, approval."""
import random
from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from services.itinerary.costing import (
    MarkupRule, MissingRates, PackagePrice, Pricing, Rate, RateBook, cost_sheet, minor_unit, money, pick_rule,
)
from services.itinerary.plan import Party, Plan, PlanItem

START = date(2027, 5, 3)
TODAY = date(2027, 3, 1)
RATES = [
    Rate("USD", "EUR", D("0.9137"), date(2027, 1, 1), 1),
    Rate("USD", "EUR", D("0.9200"), date(2027, 6, 1), 2),   # not valid yet on TODAY
    Rate("EUR", "CNY", D("7.8125"), date(2026, 12, 1), 3),
    Rate("EUR", "JPY", D("161.37"), date(2027, 2, 1), 4),
]


def book(as_of=TODAY):
    return RateBook(RATES, as_of)


def item(id, kind, cost, currency="EUR", day=1, **kw):
    basis = {"hotel": "per_night", "transfer": "per_unit", "guide": "per_unit"}.get(kind, "per_person")
    nights = kw.pop("nights", 1 if kind == "hotel" else None)
    costs = (D(cost),) * (nights if kind == "hotel" else 1) if cost is not None else None
    return PlanItem(id=id, kind=kind, description=f"{kind} {id}", service_date=START + timedelta(days=day - 1),
                    day=day, position=id, nights=nights, basis=kw.pop("basis", basis), currency=currency,
                    unit_costs=costs, **kw)


def classic_plan(adults=2, children=()):
    return Plan(start=START, days=5, party=Party(adults, tuple(children)), currency="EUR", items=[
        item(1, "flight", "245.50", supplier_name="Air France"),
        item(2, "hotel", "180.00", nights=3, supplier_name="Hotel Lutetia"),
        item(3, "attraction", "33.33", currency="USD", day=2, supplier_name="Louvre"),
    ])


RULES = [MarkupRule(1, "percent", D("10")), MarkupRule(2, "percent", D("15"), item_kind="hotel")]


# --- rounding and conversion -----------------------------------------------------------------------

def test_money_rounds_half_up_to_the_currency_minor_unit():
    assert money(D("2.345"), "EUR") == D("2.35")
    assert money(D("2.344999"), "EUR") == D("2.34")
    assert money(D("-2.345"), "EUR") == D("-2.35")  # half away from zero
    assert money(D("1234.5"), "JPY") == D("1235") and minor_unit("JPY") == 0
    assert money(D("1.0005"), "KWD") == D("1.001") and minor_unit("KWD") == 3
    assert str(money(D("7"), "EUR")) == "7.00"


def test_the_rate_valid_on_the_costing_date_is_used_and_the_pair_works_both_ways():
    rates = book()
    assert rates.conversion("USD", "EUR").apply(D("100.00")) == D("91.37")
    assert book(date(2027, 6, 1)).conversion("USD", "EUR").apply(D("100.00")) == D("92.00")
    # EUR -> USD is only known as USD -> EUR: divided, not multiplied by a rounded inverse.
    assert rates.conversion("EUR", "USD").apply(D("91.37")) == D("100.00")
    assert rates.conversion("EUR", "EUR").apply(D("10.005")) == D("10.01")
    assert rates.conversion("EUR", "JPY").apply(D("10.00")) == D("1614")


def test_a_currency_without_a_rate_is_an_error_naming_every_missing_pair():
    with pytest.raises(MissingRates) as caught:
        book().require({("GBP", "EUR"), ("USD", "EUR"), ("CHF", "EUR")})
    assert caught.value.pairs == [("CHF", "EUR"), ("GBP", "EUR")]
    with pytest.raises(MissingRates):  # valid only from June
        RateBook(RATES[1:2], TODAY).conversion("USD", "EUR")
    plan = classic_plan()
    plan.items.append(item(9, "meal", "20.00", currency="GBP"))
    with pytest.raises(MissingRates, match="GBP to EUR"):
        cost_sheet(plan, Pricing(), RULES, book())


# --- markup precedence ---------------------------------------------------------------------------------

def test_the_most_specific_markup_rule_wins():
    rules = [
        MarkupRule(1, "percent", D("10")),                                              # default
        MarkupRule(2, "percent", D("12"), item_kind="hotel"),                           # kind
        MarkupRule(3, "percent", D("8"), supplier="Hotel Lutetia"),                     # supplier
        MarkupRule(4, "percent", D("5"), item_kind="hotel", supplier="hotel lutetia"),  # kind and supplier
    ]
    lutetia_room = item(1, "hotel", "100", supplier_name="Hotel Lutetia")
    lutetia_dinner = item(2, "meal", "40", supplier_name="HOTEL LUTETIA")
    other_room = item(3, "hotel", "100", supplier_name="Hotel Quirinale")
    flight = item(4, "flight", "100", supplier_name="Air France")
    assert pick_rule(rules, lutetia_room).id == 4
    assert pick_rule(rules, lutetia_dinner).id == 3
    assert pick_rule(rules, other_room).id == 2
    assert pick_rule(rules, flight).id == 1
    assert pick_rule(rules[1:], flight) is None


def test_a_supplier_rule_matches_the_ticketing_supplier_id_or_the_name_and_the_older_rule_breaks_ties():
    by_id = MarkupRule(7, "percent", D("6"), supplier="sup-123")
    by_name = MarkupRule(5, "percent", D("9"), supplier="Trenitalia")
    train = item(1, "train", "50", supplier_id="sup-123", supplier_name="Trenitalia")
    assert pick_rule([by_id, by_name], train).id == 5
    assert pick_rule([by_id], train).id == 7


def test_a_fixed_markup_is_per_unit_in_its_currency():
    plan = Plan(start=START, days=3, party=Party(2), currency="EUR", items=[
        item(1, "hotel", "100.00", nights=2, quantity=1),
        item(2, "flight", "200.00"),
    ])
    rules = [MarkupRule(1, "fixed", D("5.00"), item_kind="hotel", currency="EUR"),
             MarkupRule(2, "fixed", D("10.00"), item_kind="flight", currency="USD")]
    lines = cost_sheet(plan, Pricing(), rules, book())["lines"]
    assert lines[0]["markup_amount"] == D("10.00")  # 1 room x 2 nights x 5 EUR
    assert lines[1]["markup_amount"] == D("18.27")  # 2 persons x 10 USD = 20 USD = 18.274 EUR
    assert lines[1]["markup"] == {"rule_id": 2, "scope": "kind", "method": "fixed", "value": D("10.00"),
                                  "currency": "USD"}


# --- the sheet ---------------------------------------------------------------------------------------

def test_a_sheet_computed_by_hand():
    sheet = cost_sheet(classic_plan(), Pricing(discount_percent=D("3"), service_fee_percent=D("2"),
                                               tax_percent=D("10")), RULES, book())
    lines = [(l["net_cost"], l["markup_amount"], l["sell_amount"]) for l in sheet["lines"]]
    assert lines == [
        (D("491.00"), D("49.10"), D("540.10")),   # 2 x 245.50, 10 %
        (D("540.00"), D("81.00"), D("621.00")),   # 1 room x 3 nights x 180, hotel rule 15 %
        (D("60.91"), D("6.09"), D("67.00")),      # 2 x 33.33 USD = 66.66 x 0.9137 = 60.907..., 10 %
    ]
    assert sheet["lines"][2]["net_cost_in_cost_currency"] == D("66.66")
    assert sheet["lines"][2]["rate"] == {"base": "USD", "quote": "EUR", "rate": D("0.9137"),
                                         "valid_from": date(2027, 1, 1), "inverted": False}
    totals = sheet["totals"]
    assert totals["cost"] == D("1091.91")
    assert totals["sell"] == D("1228.10")
    assert totals["discount"] == D("36.84")        # 3 % of 1228.10 = 36.843
    assert totals["service_fee"] == D("23.83")     # 2 % of 1191.26 = 23.8252
    assert totals["revenue"] == D("1215.09")
    assert totals["tax"] == D("121.51")            # 10 % of 1215.09 = 121.509
    assert totals["total"] == D("1336.60")
    assert totals["margin"] == D("123.18")
    assert totals["margin_percent"] == D("10.14")  # 123.18 / 1215.09
    assert sheet["per_person"]["adult"] == D("668.30") and sheet["per_person"]["rounding_adjustment"] == 0
    assert sheet["approval"]["needed"] is False
    assert sheet["rates"] == [{"base": "USD", "quote": "EUR", "rate": D("0.9137"), "valid_from": date(2027, 1, 1)}]


def test_totals_are_sums_of_rounded_lines():
    sheet = cost_sheet(classic_plan(), Pricing(discount_percent=D("3"), service_fee_percent=D("2"),
                                               tax_percent=D("10")), RULES, book())
    totals = sheet["totals"]
    assert totals["cost"] == sum(l["net_cost"] for l in sheet["lines"])
    assert totals["sell"] == sum(l["sell_amount"] for l in sheet["lines"])
    assert totals["markup"] == sum(l["markup_amount"] for l in sheet["lines"])
    assert totals["total"] == totals["sell"] - totals["discount"] + totals["service_fee"] + totals["tax"]
    assert totals["margin"] == totals["revenue"] - totals["cost"]
    assert sum(t["price"] for t in sheet["per_person"]["travellers"]) == totals["total"]
    assert all(v.as_tuple().exponent == -2 for v in (totals["cost"], totals["total"], totals["tax"]))


def test_a_fixed_service_fee_replaces_the_percentage():
    sheet = cost_sheet(classic_plan(), Pricing(service_fee=D("35"), service_fee_percent=D("2")), RULES, book())
    assert sheet["totals"]["service_fee"] == D("35.00") and sheet["totals"]["service_fee_basis"] == "fixed"
    assert sheet["totals"]["total"] == D("1228.10") + D("35.00")


def test_a_quote_in_yen_rounds_every_line_to_whole_yen():
    plan = classic_plan()
    plan.currency = "JPY"
    sheet = cost_sheet(plan, Pricing(tax_percent=D("10")), RULES, RateBook(RATES + [
        Rate("USD", "JPY", D("147.3"), date(2027, 1, 1))], TODAY))
    assert [l["net_cost"] for l in sheet["lines"]] == [D("79233"), D("87140"), D("9819")]
    assert sheet["totals"]["total"].as_tuple().exponent == 0
    assert sheet["totals"]["total"] == sum(t["price"] for t in sheet["per_person"]["travellers"])


# --- per person: children and the single supplement ------------------------------------------------

def test_children_pay_the_child_factor_and_the_single_traveller_the_supplement():
    plan = Plan(start=START, days=3, party=Party(3, (8,)), currency="EUR", items=[
        item(1, "hotel", "100.00", nights=2),       # 2 rooms (3 adults), 2 nights: 400.00
        item(2, "flight", "200.00"),                # 4 persons: 800.00
    ])
    sheet = cost_sheet(plan, Pricing(child_factor=D("0.75")), [], book())
    hotel = sheet["lines"][0]
    assert (hotel["quantity"], hotel["units"], hotel["sell_amount"]) == (2, 4, D("400.00"))
    assert hotel["single_supplement"] == D("100.00")  # half of one room for the stay
    people = sheet["per_person"]
    assert people["single_supplement"] == D("100.00") and people["single_travellers"] == 1
    # 1200 - 100 shared by 3 adults + 0.75 child: 1100 / 3.75 = 293.33; child 0.75 x 293.33 = 220.00
    assert (people["adult"], people["child"]) == (D("293.33"), D("220.00"))
    assert [(t["type"], t["price"]) for t in people["travellers"]] == [
        ("adult", D("293.34")), ("adult", D("293.33")), ("adult", D("393.33")), ("child", D("220.00"))]
    assert people["rounding_adjustment"] == D("0.01")
    assert sum(t["price"] for t in people["travellers"]) == sheet["totals"]["total"] == D("1200.00")


def test_the_single_supplement_follows_the_flag_over_the_party():
    even = Plan(start=START, days=3, party=Party(2), currency="EUR", items=[
        item(1, "hotel", "90.00", nights=2, single_supplement=True), item(2, "hotel", "90.00", nights=2)])
    assert [l["single_supplement"] for l in cost_sheet(even, Pricing(), [], book())["lines"]] == [D("90.00"), 0]
    odd = Plan(start=START, days=3, party=Party(1), currency="EUR", items=[
        item(1, "hotel", "90.00", nights=2, single_supplement=False)])
    sheet = cost_sheet(odd, Pricing(), [], book())
    assert sheet["per_person"]["single_supplement"] == 0
    assert sheet["per_person"]["travellers"][0]["price"] == D("180.00")


def test_a_child_factor_of_one_prices_children_as_adults():
    plan = Plan(start=START, days=1, party=Party(1, (5, 12)), currency="EUR", items=[item(1, "attraction", "10.00")])
    people = cost_sheet(plan, Pricing(child_factor=D("1")), [], book())["per_person"]
    assert people["adult"] == people["child"] == D("10.00")


# --- margin and approval -------------------------------------------------------------------------------

@pytest.mark.parametrize("rule, discount, reasons", [
    (MarkupRule(1, "fixed", D("25"), currency="EUR"), "0", []),  # 50 / 500: exactly 10.00 %, not below
    (MarkupRule(1, "percent", D("9")), "0", ["margin"]),         # 40.50 / 490.50 = 8.26 %
    (MarkupRule(1, "percent", D("25")), "5", []),                # 5 % is the threshold itself
    (MarkupRule(1, "percent", D("25")), "5.01", ["discount"]),
    (MarkupRule(1, "percent", D("5")), "8", ["margin", "discount"]),
])
def test_a_low_margin_or_a_big_discount_needs_approval(rule, discount, reasons):
    plan = Plan(start=START, days=1, party=Party(2), currency="EUR", items=[item(1, "attraction", "225.00")])
    sheet = cost_sheet(plan, Pricing(discount_percent=D(discount)), [rule], book())
    assert [r.split()[0] for r in sheet["approval"]["reasons"]] == reasons
    assert sheet["approval"]["needed"] is bool(reasons)
    if rule.method == "fixed":
        assert sheet["totals"]["margin_percent"] == D("10.00")


def test_margin_is_on_revenue_before_tax():
    plan = Plan(start=START, days=1, party=Party(1), currency="EUR", items=[item(1, "attraction", "100.00")])
    sheet = cost_sheet(plan, Pricing(tax_percent=D("20")), [MarkupRule(1, "percent", D("25"))], book())
    totals = sheet["totals"]
    assert (totals["revenue"], totals["tax"], totals["total"]) == (D("125.00"), D("25.00"), D("150.00"))
    assert (totals["margin"], totals["margin_percent"]) == (D("25.00"), D("20.00"))


def test_unpriced_items_are_listed_and_left_out_of_the_totals():
    plan = classic_plan()
    plan.items.append(item(4, "train", None))
    sheet = cost_sheet(plan, Pricing(), RULES, book())
    assert sheet["unpriced_items"] == [4]
    [train] = [line for line in sheet["lines"] if line["item_id"] == 4]
    assert (train["priced"], train["sell_amount"]) == (False, None)
    assert sheet["totals"]["sell"] == D("1228.10")


def test_random_sheets_always_add_up_to_the_cent():
    generator = random.Random(20270503)
    kinds = ["flight", "train", "hotel", "transfer", "attraction", "meal", "guide"]
    for _ in range(200):
        adults = generator.randint(1, 5)
        children = tuple(generator.randint(0, 17) for _ in range(generator.randint(0, 3)))
        currency = generator.choice(["EUR", "CNY", "JPY"])
        items = []
        for n in range(1, generator.randint(1, 12)):
            kind = generator.choice(kinds)
            cost = D(generator.randint(0, 100_000)) / 100
            items.append(item(n, kind, cost, currency=generator.choice(["EUR", "USD"]),
                              day=generator.randint(1, 5), nights=generator.randint(1, 3) if kind == "hotel" else None,
                              supplier_name=generator.choice(["A", "B"])))
        plan = Plan(start=START, days=5, party=Party(adults, children), currency=currency, items=items)
        pricing = Pricing(child_factor=D(generator.choice(["0.5", "0.75", "0.8", "1"])),
                          discount_percent=D(generator.randint(0, 700)) / 100,
                          service_fee_percent=D(generator.randint(0, 300)) / 100,
                          tax_percent=D(generator.choice(["0", "6", "10", "21"])))
        rules = [MarkupRule(1, "percent", D(generator.randint(0, 3000)) / 100),
                 MarkupRule(2, "fixed", D("3.50"), item_kind="hotel", currency="EUR"),
                 MarkupRule(3, "percent", D("7.5"), supplier="B")]
        rates = RateBook(RATES + [Rate("USD", "CNY", D("7.1234"), date(2027, 1, 1)),
                                  Rate("USD", "JPY", D("147.3"), date(2027, 1, 1))], TODAY)
        sheet = cost_sheet(plan, pricing, rules, rates)
        totals, unit = sheet["totals"], D(1).scaleb(-minor_unit(currency))
        assert totals["cost"] == sum(l["net_cost"] for l in sheet["lines"])
        assert totals["sell"] == sum(l["sell_amount"] for l in sheet["lines"])
        assert totals["total"] == totals["sell"] - totals["discount"] + totals["service_fee"] + totals["tax"]
        assert sum(t["price"] for t in sheet["per_person"]["travellers"]) == totals["total"]
        assert abs(sheet["per_person"]["rounding_adjustment"]) <= unit * (adults + len(children))
        for value in [totals["total"], totals["tax"]] + [l["sell_amount"] for l in sheet["lines"]]:
            assert value == value.quantize(unit)


# --- a catalog package's advertised price ---------------------------------------------------------

def family_plan(adults=2, children=(8,)):
    return Plan(start=START, days=3, party=Party(adults, tuple(children)), currency="CNY", items=[
        item(1, "train", "1200.00", currency="CNY"),
        item(2, "hotel", "300.00", currency="CNY", nights=2),
        item(3, "attraction", "20.00", currency="EUR", day=2),
    ])


SPRING = PackagePrice(D("6980.00"), D("4980.00"), "CNY", season="Spring")


def test_a_package_is_quoted_at_its_advertised_price_with_fee_and_taxes_included():
    pricing = Pricing(package=SPRING, service_fee_percent=D("2"), tax_percent=D("6"))
    sheet = cost_sheet(family_plan(), pricing, RULES, book())
    totals, package = sheet["totals"], sheet["totals"]["package"]
    assert totals["total"] == D("18940.00") == totals["sell"]  # 2 x 6980 + 4980
    assert (totals["service_fee"], totals["service_fee_basis"], totals["service_fee_percent"]) == (0, "included", None)
    assert totals["tax"] == D("18940.00") - money(D("18940.00") / D("1.06"), "CNY") == D("1072.08")
    assert totals["revenue"] == totals["total"] - totals["tax"] and totals["margin"] == totals["revenue"] - totals["cost"]
    # both prices, and why they differ
    components = sum(line["sell_amount"] for line in sheet["lines"])
    assert (package["amount"], package["components_sell"]) == (D("18940.00"), components)
    assert package["difference"] == D("18940.00") - components and "Spring season price" in package["why"]
    people = sheet["per_person"]
    assert (people["basis"], people["adult"], people["child"], people["child_factor"]) == (
        "package", D("6980.00"), D("4980.00"), None)
    assert [t["price"] for t in people["travellers"]] == [D("6980.00"), D("6980.00"), D("4980.00")]


def test_a_package_price_in_another_currency_is_converted_and_its_rate_listed():
    sheet = cost_sheet(family_plan(), Pricing(package=PackagePrice(D("900"), D("640"), "EUR")), RULES, book())
    assert sheet["totals"]["package"]["adult_price"] == D("7031.25")  # 900 x 7.8125
    assert sheet["totals"]["total"] == D("7031.25") * 2 + D("5000.00")
    assert {"base": "EUR", "quote": "CNY", "rate": D("7.8125"), "valid_from": date(2026, 12, 1)} in sheet["rates"]


def test_a_solo_traveller_pays_the_single_supplement_on_top_and_a_discount_applies_to_the_price():
    sheet = cost_sheet(family_plan(adults=1, children=()), Pricing(package=SPRING, discount_percent=D("5")),
                       RULES, book())
    totals, people = sheet["totals"], sheet["per_person"]
    supplement = people["single_supplement"]
    assert supplement > 0 and totals["sell"] == D("6980.00") + supplement
    assert totals["discount"] == money(totals["sell"] * D("0.05"), "CNY")
    assert totals["total"] == totals["sell"] - totals["discount"] == people["travellers"][0]["price"]


def test_a_package_sold_below_its_costs_needs_a_managers_approval():
    cheap = PackagePrice(D("800"), D("500"), "CNY", source="consultant")
    sheet = cost_sheet(family_plan(), Pricing(package=cheap), RULES, book())
    assert sheet["totals"]["margin"] < 0 and sheet["approval"]["needed"]
    assert "the price the consultant set" in sheet["totals"]["package"]["why"]
