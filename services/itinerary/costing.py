"""The cost sheet: from net costs to the price the customer pays, to the cent.

Plain rules, no database and no broker. The rules, in the order they apply:

1. Line net cost, in the item's own currency: unit cost x quantity (x each night for a hotel:
   a hotel's unit cost is per room and night, and ticketing may price each night differently),
   rounded ROUND_HALF_UP to the currency's minor unit (2 decimals; 0 for JPY, KRW...; 3 for
   BHD, KWD...). The quantity defaults to the whole party for per-person items, to
   ceil(travellers / occupancy) rooms for hotels (occupancy: the item's, else the ticketing
   product's max_occupancy attribute, else 2) and to 1 for per-unit items (vehicles, guides).
2. Conversion into the quote currency with the exchange rate valid on the costing date
   (the newest row of the pair with valid_from <= that date; a pair given the other way round
   is used by dividing), rounded again to the quote currency's minor unit. A currency without a
   rate is an error (MissingRates), never a silent 1:1. The rates used are listed, so a quote
   locks them.
3. Markup, by the most specific matching rule: kind and supplier > supplier > kind > a
   catch-all rule (neither) > none (0 %). A supplier rule matches the item's ticketing supplier
   id or its supplier name (case-insensitive); if two rules of the same specificity match (one
   by id, one by name) the older rule (lower id) wins. A percentage is of the line's net cost;
   a fixed markup is an amount per unit (per person, per room-night, per vehicle) in the rule's
   currency, converted like a cost. Each markup is rounded on its line.
4. Totals are sums of rounded lines: cost = sum of net costs; sell = sum of line sell prices.
   Then, each rounded once: discount = discount % of sell; the agency service fee (a fixed
   amount in the quote currency if the itinerary sets one, else service fee % of the sell
   after discount); revenue = sell - discount + fee; tax = tax % of revenue; total = revenue
   + tax. margin = revenue - cost (tax is collected for others, not margin); margin % = margin
   / revenue x 100, shown and compared with 2 decimals.
5. Approval: a margin % below the minimum (default 10 %) or a discount above the threshold
   (default 5 %) needs a manager's approval before the quote can be issued.
6. Per person: a single supplement is half a room's sell price for each hotel line that has
   one (double rooms when the adults are odd, unless the item says no; or items flagged yes) and is
   paid by one adult (the last). The rest of the total is shared in adult equivalents: each
   child counts as `child_factor` of an adult (default 0.75, set per itinerary, for every
   child 0-17). price per adult = round(rest / (adults + factor x children)); price per child
   = round(price per adult x factor); the lead adult's price takes the cent or two the
   rounding leaves, so the travellers' prices add up exactly to the total.
7. A package price (an itinerary built from a catalog product whose season covers the start
   date, or prices the consultant set): the customer is quoted the advertised price, all
   included. sell = adult price x adults + child price x children (converted and rounded like a
   cost) + the single supplements (a solo traveller pays them on top, as catalogs say); the
   discount applies as usual; the agency fee and the taxes are included in that price (tax =
   the included share, total - total / (1 + tax %)); revenue = total - tax; margin = revenue -
   cost, so a package sold below its components' cost asks for a manager's approval. The lines
   keep their component prices, and `totals.package` shows both sums and their difference.
"""
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from services.common.money import minor_unit

from .plan import Plan, PlanItem

HUNDRED = Decimal(100)
ZERO = Decimal(0)


def money(amount, currency: str) -> Decimal:
    """amount rounded ROUND_HALF_UP to the currency's minor unit."""
    return Decimal(amount).quantize(Decimal(1).scaleb(-minor_unit(currency)), rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal, currency: str) -> Decimal:
    return money(amount * Decimal(percent) / HUNDRED, currency)


def percent(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- exchange rates ------------------------------------------------------------------------------

class MissingRates(Exception):
    def __init__(self, pairs: set[tuple[str, str]], as_of: date):
        self.pairs = sorted(pairs)
        self.as_of = as_of
        super().__init__("; ".join(f"no exchange rate from {a} to {b} valid on {as_of}" for a, b in self.pairs))


@dataclass(frozen=True)
class Rate:
    base: str
    quote: str
    rate: Decimal  # 1 base = rate quote
    valid_from: date
    id: int | None = None

    def as_dict(self) -> dict:
        return {"base": self.base, "quote": self.quote, "rate": self.rate, "valid_from": self.valid_from}


@dataclass(frozen=True)
class Conversion:
    source: str
    target: str
    rate: Rate | None = None  # None: same currency
    inverted: bool = False    # the rate is target -> source: divide

    def apply(self, amount: Decimal) -> Decimal:
        """amount in the source currency, converted and rounded to the target's minor unit."""
        if self.rate is None:
            return money(amount, self.target)
        value = amount / self.rate.rate if self.inverted else amount * self.rate.rate
        return money(value, self.target)


class RateBook:
    """The rates valid on one date: per pair, the row with the latest valid_from on or before it."""

    def __init__(self, rates: list[Rate], as_of: date):
        self.as_of = as_of
        self._latest: dict[tuple[str, str], Rate] = {}
        for rate in rates:
            if rate.valid_from > as_of:
                continue
            current = self._latest.get((rate.base, rate.quote))
            if current is None or rate.valid_from > current.valid_from:
                self._latest[(rate.base, rate.quote)] = rate

    def conversion(self, source: str, target: str) -> Conversion:
        if source == target:
            return Conversion(source, target)
        if (source, target) in self._latest:
            return Conversion(source, target, self._latest[(source, target)])
        if (target, source) in self._latest:
            return Conversion(source, target, self._latest[(target, source)], inverted=True)
        raise MissingRates({(source, target)}, self.as_of)

    def require(self, pairs) -> None:
        """Raise MissingRates naming every (source, target) pair without a rate."""
        missing = set()
        for source, target in pairs:
            try:
                self.conversion(source, target)
            except MissingRates:
                missing.add((source, target))
        if missing:
            raise MissingRates(missing, self.as_of)


# --- markup ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MarkupRule:
    id: int
    method: str  # percent, fixed
    value: Decimal
    item_kind: str | None = None
    supplier: str | None = None
    currency: str | None = None  # fixed markups

    @property
    def specificity(self) -> int:
        return (2 if self.supplier is not None else 0) + (1 if self.item_kind is not None else 0)

    @property
    def scope(self) -> str:
        return {3: "kind and supplier", 2: "supplier", 1: "kind", 0: "default"}[self.specificity]

    def matches(self, item: PlanItem) -> bool:
        if self.item_kind is not None and self.item_kind != item.kind:
            return False
        if self.supplier is not None:
            wanted = self.supplier.casefold()
            keys = {k.casefold() for k in (item.supplier_id, item.supplier_name) if k}
            return wanted in keys
        return True


def pick_rule(rules: list[MarkupRule], item: PlanItem) -> MarkupRule | None:
    """The most specific matching rule; among equals, the oldest (lowest id)."""
    matching = [rule for rule in rules if rule.matches(item)]
    if not matching:
        return None
    return min(matching, key=lambda rule: (-rule.specificity, rule.id))


# --- the sheet -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PackagePrice:
    """The advertised price per adult and per child, in its currency (a catalog season's)."""

    adult_price: Decimal
    child_price: Decimal
    currency: str
    season: str | None = None   # None: set by the consultant
    source: str = "catalog"     # catalog, consultant


@dataclass(frozen=True)
class Pricing:
    package: PackagePrice | None = None
    child_factor: Decimal = Decimal("0.75")
    discount_percent: Decimal = ZERO
    service_fee: Decimal | None = None      # a fixed amount in the quote currency, or
    service_fee_percent: Decimal = ZERO     # a percentage of the sell price after discount
    tax_percent: Decimal = ZERO
    min_margin_percent: Decimal = Decimal(10)
    max_discount_percent: Decimal = Decimal(5)


def supplement_applies(item: PlanItem, adults: int) -> bool:
    """The item's flag, else: double rooms with an odd number of adults (one adult alone)."""
    if not item.is_hotel:
        return False
    if item.single_supplement is not None:
        return item.single_supplement
    return item.room_occupancy == 2 and adults % 2 == 1


def cost_line(number: int, item: PlanItem, plan: Plan, rules: list[MarkupRule], rates: RateBook) -> dict:
    """One priced line; raises MissingRates when a currency cannot be converted."""
    currency = plan.currency
    quantity = item.resolved_quantity(plan.party)
    units = item.units(plan.party)
    line = {
        "line": number, "item_id": item.id, "day": item.day, "kind": item.kind, "description": item.description,
        "inventory_product_id": item.inventory_product_id, "supplier_id": item.supplier_id,
        "supplier_name": item.supplier_name, "service_date": item.service_date, "nights": item.nights,
        "check_out": item.check_out, "from_location": item.from_location, "to_location": item.to_location,
        "location": item.location, "basis": item.basis, "quantity": quantity, "units": units,
        "occupancy": item.occupancy if item.is_hotel else None,
        "cost_currency": item.currency, "priced": item.unit_costs is not None,
        "unit_costs": list(item.unit_costs) if item.unit_costs is not None else None,
        "net_cost_in_cost_currency": None, "rate": None, "net_cost": None, "markup": None,
        "markup_amount": None, "sell_amount": None, "single_supplement": ZERO,
    }
    if item.unit_costs is None:
        return line
    per_unit = sum(item.unit_costs, ZERO) if item.basis == "per_night" else item.unit_costs[0]
    net_source = money(per_unit * quantity, item.currency)
    conversion = rates.conversion(item.currency, currency)
    net = conversion.apply(net_source)
    rule = pick_rule(rules, item)
    markup = ZERO
    if rule is not None:
        if rule.method == "percent":
            markup = percent_of(net, rule.value, currency)
        else:
            markup = rates.conversion(rule.currency or currency, currency).apply(rule.value * units)
    sell = net + markup
    line.update(
        net_cost_in_cost_currency=net_source,
        rate=None if conversion.rate is None else {**conversion.rate.as_dict(), "inverted": conversion.inverted},
        net_cost=net, markup_amount=markup, sell_amount=sell,
        markup=None if rule is None else {"rule_id": rule.id, "scope": rule.scope, "method": rule.method,
                                          "value": rule.value, "currency": rule.currency},
        single_supplement=money(sell / (2 * quantity), currency) if supplement_applies(item, plan.party.adults)
        else ZERO,
    )
    return line


def per_person(plan: Plan, total: Decimal, supplement: Decimal, factor: Decimal,
               weights: tuple[Decimal, Decimal] | None = None) -> dict:
    """weights: (adult price, child price) of a package, which share the rest in that proportion
    instead of the child factor's."""
    currency = plan.currency
    adults, children = plan.party.adults, plan.party.children
    shared = total - supplement
    if weights and (adults * weights[0] + len(children) * weights[1]):
        whole = adults * weights[0] + len(children) * weights[1]
        adult, child = money(shared * weights[0] / whole, currency), money(shared * weights[1] / whole, currency)
    else:
        weights = None
        adult = money(shared / (adults + factor * len(children)), currency)
        child = money(adult * factor, currency)
    lead = shared - (adults - 1) * adult - len(children) * child
    travellers = []
    for n in range(1, adults + 1):
        price = lead if n == 1 else adult
        single = bool(supplement) and n == adults
        travellers.append({"n": n, "type": "adult", "age": None, "price": price + (supplement if single else ZERO),
                           "single_supplement": supplement if single else ZERO})
    for i, age in enumerate(children):
        travellers.append({"n": adults + i + 1, "type": "child", "age": age, "price": child,
                           "single_supplement": ZERO})
    return {"basis": "package" if weights else "child_factor", "adult": adult,
            "child": child if children else None, "child_factor": None if weights else factor,
            "single_supplement": supplement, "single_travellers": 1 if supplement else 0,
            "rounding_adjustment": lead - adult, "travellers": travellers}


def package_totals(package: PackagePrice | None, plan: Plan, rates: RateBook, *, components: Decimal,
                   supplement: Decimal) -> dict | None:
    """The advertised price for the party, beside what the components would sell for, and why
    they differ: None without a package price."""
    if package is None:
        return None
    currency, party = plan.currency, plan.party
    conversion = rates.conversion(package.currency, currency)
    adult, child = conversion.apply(package.adult_price), conversion.apply(package.child_price)
    amount = adult * party.adults + child * len(party.children)
    where = f"the {package.season} season price" if package.season else "the price the consultant set"
    return {
        "source": package.source, "season": package.season, "currency": package.currency,
        "adult_price": adult, "child_price": child, "adults": party.adults, "children": len(party.children),
        "season_adult_price": package.adult_price, "season_child_price": package.child_price,
        "rate": None if conversion.rate is None else conversion.rate.as_dict(),
        "amount": amount, "single_supplement": supplement, "components_sell": components,
        "difference": amount - components,
        "why": f"The customer is quoted {where} (all included); the lines are priced from their net costs "
               f"and markups, which would come to {components} {currency} for the services alone.",
    }


def cost_sheet(plan: Plan, pricing: Pricing, rules: list[MarkupRule], rates: RateBook) -> dict:
    """The whole sheet. Every amount is a Decimal rounded to the quote currency's minor unit."""
    currency = plan.currency
    ordered = sorted(plan.items, key=lambda i: (i.day, i.position, i.id))
    rates.require({(i.currency, currency) for i in ordered if i.unit_costs is not None}
                  | {(r.currency, currency) for r in rules if r.method == "fixed" and r.currency}
                  | ({(pricing.package.currency, currency)} if pricing.package else set()))
    lines = [cost_line(n, item, plan, rules, rates) for n, item in enumerate(ordered, start=1)]
    priced = [line for line in lines if line["priced"]]

    cost = sum((line["net_cost"] for line in priced), ZERO)
    sell = sum((line["sell_amount"] for line in priced), ZERO)
    markup = sum((line["markup_amount"] for line in priced), ZERO)
    supplement = sum((line["single_supplement"] for line in priced), ZERO)
    package = package_totals(pricing.package, plan, rates, components=sell, supplement=supplement)
    if package is not None:
        sell = package["amount"] + supplement
    discount = percent_of(sell, pricing.discount_percent, currency)
    after_discount = sell - discount
    if package is not None:  # all included: the advertised price is what the customer pays
        fee, fee_basis, total = ZERO, "included", after_discount
        tax = total - money(total / (1 + Decimal(pricing.tax_percent) / HUNDRED), currency)
        revenue = total - tax
    else:
        if pricing.service_fee is not None:
            fee, fee_basis = money(pricing.service_fee, currency), "fixed"
        else:
            fee, fee_basis = percent_of(after_discount, pricing.service_fee_percent, currency), "percent"
        revenue = after_discount + fee
        tax = percent_of(revenue, pricing.tax_percent, currency)
        total = revenue + tax
    margin = revenue - cost
    margin_percent = percent(margin / revenue * HUNDRED) if revenue else percent(ZERO)

    reasons = []
    if priced and margin_percent < pricing.min_margin_percent:
        reasons.append(f"margin {margin_percent}% is below the minimum {percent(pricing.min_margin_percent)}%")
    if pricing.discount_percent > pricing.max_discount_percent:
        reasons.append(f"discount {percent(pricing.discount_percent)}% is above "
                       f"{percent(pricing.max_discount_percent)}%")

    used = {}
    for line in priced:
        if line["rate"]:
            key = (line["rate"]["base"], line["rate"]["quote"], line["rate"]["valid_from"])
            used[key] = {k: v for k, v in line["rate"].items() if k != "inverted"}
    if package and package["rate"]:
        rate = package["rate"]
        used[(rate["base"], rate["quote"], rate["valid_from"])] = rate
    return {
        "currency": currency,
        "as_of": rates.as_of,
        "lines": lines,
        "unpriced_items": [line["item_id"] for line in lines if not line["priced"]],
        "rates": [used[k] for k in sorted(used)],
        "totals": {
            "cost": cost, "markup": markup, "sell": sell, "discount_percent": percent(pricing.discount_percent),
            "discount": discount, "service_fee": fee, "service_fee_basis": fee_basis,
            "service_fee_percent": percent(pricing.service_fee_percent) if fee_basis == "percent" else None,
            "revenue": revenue, "tax_percent": percent(pricing.tax_percent), "tax": tax, "total": total,
            "margin": margin, "margin_percent": margin_percent, "package": package,
        },
        "per_person": per_person(plan, total, supplement, Decimal(pricing.child_factor),
                                 (package["adult_price"], package["child_price"]) if package else None)
        if plan.party.adults else None,
        "approval": {"needed": bool(reasons), "reasons": reasons,
                     "min_margin_percent": percent(pricing.min_margin_percent),
                     "max_discount_percent": percent(pricing.max_discount_percent)},
    }
