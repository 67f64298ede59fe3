"""Cost sheets and approvals. Cost sheets are plain JSON as quote snapshots keep them: money as
decimal strings, dates as ISO strings, so their schemas use strings."""
from marshmallow import Schema, validate

from services.common import fields

__all__ = ["MoneyText", "RateOutSchema", "LineSchema", "TotalsSchema", "TravellerPriceSchema", "PerPersonSchema",
           "ApprovalStateSchema", "CostSheetSchema", "ApprovalCreateSchema", "ApprovalSchema"]

MoneyText = fields.String  # a decimal string such as "1234.50"


class RateOutSchema(Schema):
    base = fields.String()
    quote = fields.String()
    rate = MoneyText(metadata={"description": "1 base = rate quote"})
    valid_from = fields.String()


class LineSchema(Schema):
    line = fields.Integer()
    item_id = fields.Integer()
    day = fields.Integer()
    kind = fields.String()
    description = fields.String()
    inventory_product_id = fields.String(allow_none=True)
    supplier_id = fields.String(allow_none=True)
    supplier_name = fields.String(allow_none=True)
    service_date = fields.String()
    nights = fields.Integer(allow_none=True)
    check_out = fields.String(allow_none=True)
    from_location = fields.String(allow_none=True)
    to_location = fields.String(allow_none=True)
    location = fields.String(allow_none=True)
    basis = fields.String()
    quantity = fields.Integer()
    units = fields.Integer()
    occupancy = fields.Integer(allow_none=True, metadata={"description": "Hotels: people per room"})
    cost_currency = fields.String()
    priced = fields.Boolean()
    unit_costs = fields.List(MoneyText(), allow_none=True)
    net_cost_in_cost_currency = MoneyText(allow_none=True)
    rate = fields.Dict(allow_none=True)
    net_cost = MoneyText(allow_none=True, metadata={"description": "In the quote currency"})
    markup = fields.Dict(allow_none=True, metadata={"description": "The rule applied: id, scope, method, value"})
    markup_amount = MoneyText(allow_none=True)
    sell_amount = MoneyText(allow_none=True)
    single_supplement = MoneyText()


class TotalsSchema(Schema):
    cost = MoneyText()
    markup = MoneyText()
    sell = MoneyText(metadata={"description": "Sum of the lines' sell amounts (a package: its price for the "
                                              "party plus single supplements)"})
    discount_percent = MoneyText()
    discount = MoneyText()
    service_fee = MoneyText()
    service_fee_basis = fields.String()
    service_fee_percent = MoneyText(allow_none=True)
    revenue = MoneyText(metadata={"description": "sell - discount + service fee"})
    tax_percent = MoneyText()
    tax = MoneyText()
    total = MoneyText(metadata={"description": "What the customer pays: revenue + tax"})
    margin = MoneyText(metadata={"description": "revenue - cost"})
    margin_percent = MoneyText(metadata={"description": "margin / revenue x 100"})
    package = fields.Dict(allow_none=True, metadata={"description": (
        "A package price: the advertised adult and child prices (converted), the amount for the party, "
        "the components' sell sum, the difference and why; the total is then that price, fee and taxes "
        "included. null: priced from the lines")})


class TravellerPriceSchema(Schema):
    n = fields.Integer()
    type = fields.String()
    age = fields.Integer(allow_none=True)
    price = MoneyText()
    single_supplement = MoneyText()


class PerPersonSchema(Schema):
    basis = fields.String(metadata={"description": "child_factor, or package (the season's adult and child "
                                                   "prices share the total)"})
    adult = MoneyText()
    child = MoneyText(allow_none=True)
    child_factor = MoneyText(allow_none=True)
    single_supplement = MoneyText()
    single_travellers = fields.Integer()
    rounding_adjustment = MoneyText(metadata={"description": "Added to the lead adult so the prices add up"})
    travellers = fields.List(fields.Nested(TravellerPriceSchema))


class ApprovalStateSchema(Schema):
    needed = fields.Boolean()
    reasons = fields.List(fields.String())
    min_margin_percent = MoneyText()
    max_discount_percent = MoneyText()
    approved = fields.Dict(allow_none=True, metadata={"description": "The approval that covers this sheet, if any"})


class CostSheetSchema(Schema):
    itinerary_id = fields.String()
    revision = fields.Integer()
    currency = fields.String()
    as_of = fields.String(metadata={"description": "The date whose exchange rates were used"})
    lines = fields.List(fields.Nested(LineSchema))
    unpriced_items = fields.List(fields.Integer())
    rates = fields.List(fields.Nested(RateOutSchema))
    totals = fields.Nested(TotalsSchema)
    per_person = fields.Nested(PerPersonSchema, allow_none=True)
    approval = fields.Nested(ApprovalStateSchema)


class ApprovalCreateSchema(Schema):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ApprovalSchema(Schema):
    id = fields.Integer()
    itinerary_id = fields.String()
    revision = fields.Integer()
    total = fields.Decimal(as_string=True)
    currency = fields.String()
    margin_percent = fields.Decimal(as_string=True)
    discount_percent = fields.Decimal(as_string=True)
    reasons = fields.List(fields.String())
    note = fields.String(allow_none=True)
    approved_at = fields.AwareDateTime()
    approved_by = fields.String()
