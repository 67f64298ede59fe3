"""What crosses the wire for itinerary: RPC arguments, gateway bodies, results, event payloads.

Input schemas reject unknown fields, bound every length and number, and are used twice: by the
gateway (HTTP) and again by the service (RPC), which other callers use directly.

Results carry quote snapshots and cost sheets as plain JSON (money as decimal strings, dates
as ISO strings), exactly as they are stored and sent in events, so their schemas use strings.
"""
from datetime import date, datetime, timezone

from marshmallow import Schema, ValidationError, validate, validates_schema

from services.common import fields
from services.common.validators import CODE, CURRENCY

from .plan import BASES, KINDS, MAX_OCCUPANCY, TRANSPORT

NOT_BLANK = validate.Regexp(r"\S", error="Must not be blank.")
MAX_MONEY = 10_000_000
MAX_DAYS = 60
MAX_PARTY = 50
MAX_ITEMS_PER_DAY = 40
MAX_BROCHURE_PRODUCTS = 200  # a brochure is the whole published catalog, up to this many
CATALOG_KINDS = ("route", "package")
QUOTE_STATUSES = ("issued", "accepted", "rejected", "expired", "superseded")
ITINERARY_STATUSES = ("draft", "quoted", "accepted")


def not_past(value: date):
    if value < datetime.now(timezone.utc).date():
        raise ValidationError("Must not be in the past.")


def text(max_length: int, **kwargs):
    return fields.String(validate=[validate.Length(min=1, max=max_length), NOT_BLANK], **kwargs)


def amount(**kwargs):
    """Money: a decimal >= 0, as a string on the way out."""
    return fields.Decimal(as_string=True, validate=validate.Range(min=0, max=MAX_MONEY), **kwargs)


def percentage(max_value=100, **kwargs):
    return fields.Decimal(as_string=True, validate=validate.Range(min=0, max=max_value), **kwargs)


def location(**kwargs):
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=120), **kwargs)


# --- items ---------------------------------------------------------------------------------------

class ItemFieldsSchema(Schema):
    """An item of a day, without its dates (as in a catalog template)."""

    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    description = fields.String(load_default=None, validate=[validate.Length(min=1, max=200), NOT_BLANK],
                                metadata={"description": "Defaults to the inventory product's name"})
    inventory_product_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=36),
                                         metadata={"description": "A ticketing product: its price, currency "
                                                                  "and availability come from ticketing"})
    supplier_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200),
                                  metadata={"description": "Manual items: who supplies it"})
    unit_cost = amount(load_default=None, allow_none=True,
                       metadata={"description": "Manual items: net cost per unit (per person, unit, or room "
                                                "and night), in `currency`"})
    currency = fields.String(load_default=None, allow_none=True, validate=CURRENCY)
    basis = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(BASES),
                          metadata={"description": "per_person, per_unit or (hotels) per_night; by kind if omitted"})
    quantity = fields.Integer(load_default=None, allow_none=True, strict=True,
                              validate=validate.Range(min=1, max=MAX_PARTY),
                              metadata={"description": "Persons, units or rooms; omitted: follows the party "
                                                       "(hotels: rooms for the party at the room's occupancy)"})
    nights = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=MAX_DAYS))
    occupancy = fields.Integer(load_default=None, allow_none=True, strict=True,
                               validate=validate.Range(min=1, max=MAX_OCCUPANCY),
                               metadata={"description": "Hotels: people per room; the rooms are then "
                                                        "ceil(travellers / occupancy) unless `quantity` is given. "
                                                        "Omitted: the product's max_occupancy attribute, else 2"})
    from_location = location()
    to_location = location()
    location = location()
    single_supplement = fields.Boolean(load_default=None, allow_none=True,
                                       metadata={"description": "Hotels: omitted means when the adults are odd"})
    overnight = fields.Boolean(load_default=False, metadata={"description": "A night on board (sleeper, red-eye)"})
    position = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=1000))
    attributes = fields.Dict(keys=fields.String(validate=validate.Length(max=40)), values=fields.Raw(),
                             load_default=dict, validate=validate.Length(max=30))
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))

    @validates_schema
    def _consistent(self, data, partial=None, **kwargs):
        if partial:
            return  # an update is checked once merged with the item
        errors = {}
        if data.get("inventory_product_id"):
            for key in ("unit_cost", "currency", "supplier_name"):
                if data.get(key) is not None:
                    errors[key] = ["Comes from ticketing for an inventory item."]
        else:
            for key in ("supplier_name", "unit_cost", "currency"):
                if data.get(key) is None:
                    errors[key] = ["Required for a manual item (or give inventory_product_id)."]
            if not data.get("description"):
                errors["description"] = ["Required for a manual item."]
        kind, basis = data.get("kind"), data.get("basis")
        if kind == "hotel":
            if not data.get("nights"):
                errors["nights"] = ["A hotel stay needs its number of nights."]
            if basis not in (None, "per_night"):
                errors["basis"] = ["Hotels are priced per room and night."]
        else:
            if data.get("nights") is not None:
                errors["nights"] = ["Only hotel stays have nights."]
            if basis == "per_night":
                errors["basis"] = ["Only hotel stays are priced per night."]
            if data.get("occupancy") is not None:
                errors["occupancy"] = ["Only hotel rooms have an occupancy."]
        if kind in TRANSPORT and data.get("location"):
            errors["location"] = ["A transport has from_location and to_location."]
        if kind not in TRANSPORT and (data.get("from_location") or data.get("to_location")):
            errors["from_location"] = ["Only flights, trains and transfers go from one place to another."]
        if errors:
            raise ValidationError(errors)


class ItemCreateSchema(ItemFieldsSchema):
    service_date = fields.Date(load_default=None, allow_none=True,
                               metadata={"description": "Defaults to the day's date; for a hotel, the check-in"})
    check_in = fields.Date(load_default=None, allow_none=True, metadata={"description": "Hotels: same as service_date"})

    @validates_schema
    def _check_in(self, data, partial=None, **kwargs):
        if data.get("check_in") and data.get("kind") not in (None, "hotel"):
            raise ValidationError("Only hotel stays have a check-in.", "check_in")
        if data.get("check_in") and data.get("service_date") and data["check_in"] != data["service_date"]:
            raise ValidationError("Give service_date or check_in, not two different dates.", "check_in")


class ItemUpdateSchema(ItemCreateSchema):
    """Any item fields; the merged item is checked as a whole. day_number moves it to another day."""

    day_number = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_DAYS))


class ItemSchema(Schema):
    id = fields.Integer()
    day_number = fields.Integer()
    position = fields.Integer()
    kind = fields.String()
    description = fields.String()
    service_date = fields.Date()
    check_in = fields.Date(allow_none=True)
    check_out = fields.Date(allow_none=True)
    nights = fields.Integer(allow_none=True)
    basis = fields.String()
    quantity = fields.Integer(allow_none=True)
    resolved_quantity = fields.Integer(metadata={"description": "The quantity priced: hotels, rooms"})
    occupancy = fields.Integer(allow_none=True, metadata={"description": "Hotels: people per room as set"})
    room_occupancy = fields.Integer(allow_none=True, metadata={
        "description": "Hotels: people per room used (as set, else the product's max_occupancy, else 2)"})
    inventory_product_id = fields.String(allow_none=True)
    supplier_id = fields.String(allow_none=True)
    supplier_name = fields.String(allow_none=True)
    unit_cost = fields.Decimal(as_string=True, allow_none=True)
    currency = fields.String()
    costs = fields.List(fields.Dict(), allow_none=True,
                        metadata={"description": "Inventory items: ticketing's price on each date"})
    priced = fields.Boolean()
    priced_at = fields.AwareDateTime(allow_none=True)
    from_location = fields.String(allow_none=True)
    to_location = fields.String(allow_none=True)
    location = fields.String(allow_none=True)
    single_supplement = fields.Boolean(allow_none=True)
    overnight = fields.Boolean()
    attributes = fields.Dict()
    notes = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    updated_at = fields.AwareDateTime()
    updated_by = fields.String()


# --- itineraries ---------------------------------------------------------------------------------

class ChildSchema(Schema):
    age = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=17))
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200))


class TravelPartySchema(Schema):
    adults = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_PARTY))
    children = fields.List(fields.Nested(ChildSchema), load_default=list, validate=validate.Length(max=MAX_PARTY))

    @validates_schema
    def _size(self, data, **kwargs):
        if data.get("adults", 0) + len(data.get("children") or []) > MAX_PARTY:
            raise ValidationError(f"At most {MAX_PARTY} travellers; a larger group is a group contract.", "children")


class PricingFieldsMixin:
    child_factor = fields.Decimal(as_string=True, load_default=None, allow_none=True,
                                  validate=validate.Range(min=0, max=1),
                                  metadata={"description": "A child's share of an adult's price; default from "
                                                           "the pricing settings (0.75)"})
    discount_percent = percentage(load_default=None, allow_none=True)
    service_fee = amount(load_default=None, allow_none=True,
                         metadata={"description": "A fixed agency fee in the itinerary currency (replaces the %)"})
    service_fee_percent = percentage(load_default=None, allow_none=True)
    tax_percent = percentage(load_default=None, allow_none=True)


class ItineraryCreateSchema(PricingFieldsMixin, Schema):
    title = fields.String(load_default=None, validate=[validate.Length(min=1, max=200), NOT_BLANK])
    customer_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=36))
    inquiry_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=36),
                               metadata={"description": "The CRM inquiry this answers: its customer, party, "
                                                        "travel dates and destinations fill what is not given"})
    catalog_product_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=36),
                                       metadata={"description": "Start from this catalog product's template"})
    party = fields.Nested(TravelPartySchema, load_default=None, allow_none=True,
                          metadata={"description": "Required unless the inquiry has one"})
    start_date = fields.Date(load_default=None, allow_none=True, validate=not_past,
                             metadata={"description": "Required unless the inquiry has a start date"})
    days = fields.Integer(load_default=None, strict=True, validate=validate.Range(min=1, max=MAX_DAYS),
                          metadata={"description": "Number of days; defaults to the catalog product's, else the "
                                                   "inquiry's dates, else 1"})
    currency = fields.String(required=True, validate=CURRENCY)
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))

    @validates_schema
    def _party_and_start(self, data, **kwargs):
        if data.get("inquiry_id"):
            return  # the inquiry gives what is missing (checked once it is read)
        errors = {key: ["Missing data for required field (or give an inquiry_id that has it)."]
                  for key in ("party", "start_date") if data.get(key) is None}
        if errors:
            raise ValidationError(errors)


class PackagePriceSchema(Schema):
    adult_price = amount(required=True)
    child_price = amount(required=True)
    currency = fields.String(load_default=None, allow_none=True, validate=CURRENCY,
                             metadata={"description": "Defaults to the itinerary's currency"})


class ItineraryUpdateSchema(Schema):
    """Only what is sent changes; null clears an optional field (pricing fields: back to the settings)."""

    title = fields.String(validate=[validate.Length(min=1, max=200), NOT_BLANK])
    customer_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=36))
    inquiry_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=36))
    party = fields.Nested(TravelPartySchema)
    start_date = fields.Date(validate=not_past,
                             metadata={"description": "Moving it moves every item by the same number of days"})
    currency = fields.String(validate=CURRENCY)
    notes = fields.String(allow_none=True, validate=validate.Length(max=5000))
    child_factor = fields.Decimal(as_string=True, allow_none=True, validate=validate.Range(min=0, max=1))
    discount_percent = percentage(allow_none=True)
    service_fee = amount(allow_none=True)
    service_fee_percent = percentage(allow_none=True)
    tax_percent = percentage(allow_none=True)
    package_price = fields.Nested(PackagePriceSchema, allow_none=True, metadata={
        "description": "The price per adult and per child the customer is quoted, all included (a catalog "
                       "trip starts at its season's); null: price from the lines (net + markup, fee, taxes)"})


class DayFieldsSchema(Schema):
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class DayUpdateSchema(Schema):
    title = fields.String(allow_none=True, validate=validate.Length(max=200))
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))


class DaySchema(Schema):
    number = fields.Integer()
    date = fields.Date()
    title = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    items = fields.List(fields.Nested(ItemSchema))


class TravelPartyOutSchema(Schema):
    adults = fields.Integer()
    children = fields.List(fields.Dict())


class ItinerarySchema(Schema):
    id = fields.String()
    title = fields.String()
    status = fields.String(metadata={"description": "draft, quoted (a version is open), accepted"})
    origin = fields.String(metadata={"description": "blank, inquiry or catalog"})
    customer_id = fields.String(allow_none=True)
    inquiry_id = fields.String(allow_none=True)
    catalog_product_id = fields.String(allow_none=True)
    party = fields.Nested(TravelPartyOutSchema)
    start_date = fields.Date()
    end_date = fields.Date()
    currency = fields.String()
    child_factor = fields.Decimal(as_string=True)
    discount_percent = fields.Decimal(as_string=True)
    service_fee = fields.Decimal(as_string=True, allow_none=True)
    service_fee_percent = fields.Decimal(as_string=True, allow_none=True)
    tax_percent = fields.Decimal(as_string=True, allow_none=True)
    package_price = fields.Dict(allow_none=True, metadata={
        "description": "The advertised price quoted all included: source (catalog or consultant), season, "
                       "currency, adult_price, child_price; null: the lines' prices"})
    notes = fields.String(allow_none=True)
    revision = fields.Integer()
    days = fields.List(fields.Nested(DaySchema))
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    updated_at = fields.AwareDateTime()
    updated_by = fields.String()


class ItinerarySummarySchema(Schema):
    id = fields.String()
    title = fields.String()
    status = fields.String()
    customer_id = fields.String(allow_none=True)
    inquiry_id = fields.String(allow_none=True)
    start_date = fields.Date()
    end_date = fields.Date()
    currency = fields.String()
    revision = fields.Integer()
    updated_at = fields.AwareDateTime()


class ItineraryQuerySchema(Schema):
    customer_id = fields.String(load_default=None, validate=validate.Length(max=36))
    inquiry_id = fields.String(load_default=None, validate=validate.Length(max=36))
    status = fields.String(load_default=None, validate=validate.OneOf(ITINERARY_STATUSES))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class ProblemSchema(Schema):
    code = fields.String()
    message = fields.String()
    item_id = fields.Integer(allow_none=True)
    day = fields.Integer(allow_none=True)
    date = fields.String(allow_none=True)


class ChecksSchema(Schema):
    itinerary_id = fields.String()
    revision = fields.Integer()
    availability_checked = fields.Boolean()
    problems = fields.List(fields.Nested(ProblemSchema))


class RefreshResultSchema(Schema):
    itinerary = fields.Nested(ItinerarySchema)
    changed_items = fields.List(fields.Integer())


# --- cost sheets and quote snapshots (plain JSON: strings) -----------------------------------------

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


# --- terms, settings, rates, markups -------------------------------------------------------------

class CancellationTierSchema(Schema):
    days_before = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=365),
                                 metadata={"description": "Cancelling this many days or fewer before departure"})
    penalty_percent = percentage(required=True, metadata={"description": "... costs this % of the total"})


class PaymentTermsSchema(Schema):
    deposit_percent = percentage(required=True)
    deposit_due_days = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=90),
                                      metadata={"description": "Days after acceptance"})
    balance_due_days_before_departure = fields.Integer(required=True, strict=True,
                                                       validate=validate.Range(min=0, max=365))


class TermsSchema(Schema):
    cancellation = fields.List(fields.Nested(CancellationTierSchema), required=True,
                               validate=validate.Length(min=1, max=10))
    payment = fields.Nested(PaymentTermsSchema, required=True)
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))

    @validates_schema
    def _tiers(self, data, **kwargs):
        days = [t["days_before"] for t in data.get("cancellation") or []]
        if len(days) != len(set(days)):
            raise ValidationError("One tier per days_before.", "cancellation")


class PricingSettingsSchema(Schema):
    min_margin_percent = percentage(required=True)
    max_discount_percent = percentage(required=True)
    default_child_factor = fields.Decimal(as_string=True, required=True, validate=validate.Range(min=0, max=1))
    service_fee_percent = percentage(required=True)
    tax_percent = percentage(required=True)
    quote_validity_days = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=365))
    terms = fields.Nested(TermsSchema, required=True)


class PricingSettingsOutSchema(PricingSettingsSchema):
    updated_at = fields.AwareDateTime(allow_none=True)
    updated_by = fields.String(allow_none=True)


class ExchangeRateCreateSchema(Schema):
    base = fields.String(required=True, validate=CURRENCY)
    quote = fields.String(required=True, validate=CURRENCY)
    rate = fields.Decimal(as_string=True, required=True,
                          validate=validate.Range(min=0, min_inclusive=False, max=1_000_000),
                          metadata={"description": "1 base = rate quote"})
    valid_from = fields.Date(load_default=None, metadata={"description": "Defaults to today"})

    @validates_schema
    def _pair(self, data, **kwargs):
        if data.get("base") and data.get("base") == data.get("quote"):
            raise ValidationError("A rate converts between two different currencies.", "quote")


class ExchangeRateSchema(Schema):
    id = fields.Integer()
    base = fields.String()
    quote = fields.String()
    rate = fields.Decimal(as_string=True)
    valid_from = fields.Date()
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    current = fields.Boolean(metadata={"description": "False: superseded by a later correction"})
    replaces_id = fields.Integer(allow_none=True, metadata={"description": "The rate this one corrected"})
    superseded_at = fields.AwareDateTime(allow_none=True)
    superseded_by = fields.String(allow_none=True)


class ReplacedRateSchema(Schema):
    id = fields.Integer()
    rate = fields.Decimal(as_string=True)
    created_at = fields.AwareDateTime()
    created_by = fields.String()


class ExchangeRateSetSchema(ExchangeRateSchema):
    replaced = fields.Nested(ReplacedRateSchema, allow_none=True, metadata={
        "description": "The rate for the same pair and date that this one replaces (kept, marked superseded); "
                       "null when there was none"})


class ExchangeRateQuerySchema(Schema):
    base = fields.String(load_default=None, validate=CURRENCY)
    quote = fields.String(load_default=None, validate=CURRENCY)
    history = fields.Boolean(load_default=False,
                             metadata={"description": "Include superseded rates (corrections keep the old row)"})


class MarkupRuleCreateSchema(Schema):
    item_kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(KINDS))
    supplier = fields.String(load_default=None, allow_none=True, validate=[validate.Length(min=1, max=200), NOT_BLANK],
                             metadata={"description": "A ticketing supplier id or a supplier name"})
    method = fields.String(required=True, validate=validate.OneOf(("percent", "fixed")))
    value = fields.Decimal(as_string=True, required=True, validate=validate.Range(min=0, max=MAX_MONEY),
                           metadata={"description": "A percentage of net cost, or an amount per unit"})
    currency = fields.String(load_default=None, allow_none=True, validate=CURRENCY,
                             metadata={"description": "Fixed markups only"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))

    @validates_schema
    def _method(self, data, partial=None, **kwargs):
        if partial:
            return
        if data.get("method") == "fixed" and not data.get("currency"):
            raise ValidationError("A fixed markup needs its currency.", "currency")
        if data.get("method") == "percent":
            if data.get("currency"):
                raise ValidationError("A percentage has no currency.", "currency")
            if data.get("value") is not None and data["value"] > 1000:
                raise ValidationError("At most 1000 %.", "value")


class MarkupRuleUpdateSchema(MarkupRuleCreateSchema):
    """Any of the rule's fields (load with partial=True); the changed rule is checked as a whole."""


class MarkupRuleSchema(Schema):
    id = fields.Integer()
    item_kind = fields.String(allow_none=True)
    supplier = fields.String(allow_none=True)
    scope = fields.String(metadata={"description": "kind and supplier, supplier, kind or default"})
    method = fields.String()
    value = fields.Decimal(as_string=True)
    currency = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    updated_at = fields.AwareDateTime()
    updated_by = fields.String()


# --- approvals and quotes ------------------------------------------------------------------------

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


class QuoteIssueSchema(Schema):
    valid_until = fields.Date(load_default=None, metadata={"description": "Defaults to today + the settings' validity"})
    terms = fields.Nested(TermsSchema, load_default=None, allow_none=True,
                          metadata={"description": "Defaults to the pricing settings' terms"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                         metadata={"description": "A message to the customer on the quote sheet"})
    customer_name = fields.String(load_default=None, allow_none=True, validate=[validate.Length(min=1, max=200),
                                                                                NOT_BLANK],
                                  metadata={"description": "The customer's name as the quote sheet prints it; "
                                                           "omitted: CRM's name for the itinerary's customer. "
                                                           "The snapshot keeps the name as it was at issue"})


class QuoteSheetQuerySchema(Schema):
    costs = fields.Boolean(load_default=False,
                           metadata={"description": "The agency's copy: each line's net cost, rate and markup, "
                                                    "and the margin (default: the customer's copy)"})


class BrochureQuerySchema(Schema):
    destination = fields.String(load_default=None, validate=validate.Length(max=120))
    kind = fields.String(load_default=None, validate=validate.OneOf(CATALOG_KINDS))
    featured = fields.Boolean(load_default=None)


class QuoteDecisionSchema(Schema):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                         metadata={"description": "Why (a rejection's reason), or any remark"})


class QuoteSchema(Schema):
    id = fields.String()
    itinerary_id = fields.String()
    version = fields.Integer()
    status = fields.String(metadata={"description": "issued, accepted, rejected, expired or superseded"})
    currency = fields.String()
    total = fields.Decimal(as_string=True)
    valid_until = fields.Date()
    issued_at = fields.AwareDateTime()
    issued_by = fields.String()
    decided_at = fields.AwareDateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decision_note = fields.String(allow_none=True)
    snapshot = fields.Dict(metadata={"description": (
        "Everything the quote sheet shows, frozen at issue: itinerary (party, dates, customer), days with "
        "their lines, lines (net, markup, sell per line), totals, per-person prices, the exchange rates "
        "used, terms, approval and the problems known at issue. Money as decimal strings.")})


class QuoteSummarySchema(QuoteSchema):
    class Meta:
        exclude = ("snapshot",)


# --- catalog -------------------------------------------------------------------------------------

class TemplateDaySchema(Schema):
    day = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_DAYS))
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    items = fields.List(fields.Nested(ItemFieldsSchema), load_default=list,
                        validate=validate.Length(max=MAX_ITEMS_PER_DAY))


class SeasonSchema(Schema):
    name = text(120, required=True)
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    currency = fields.String(required=True, validate=CURRENCY)
    adult_price = amount(required=True)
    child_price = amount(required=True)

    @validates_schema
    def _range(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError("Must not be before start.", "end")


def _check_seasons(seasons):
    ordered = sorted(seasons, key=lambda s: s["start"])
    for a, b in zip(ordered, ordered[1:]):
        if b["start"] <= a["end"]:
            raise ValidationError(f"Seasons {a['name']} and {b['name']} overlap.", "seasons")


class CatalogFieldsMixin:
    @validates_schema
    def _template(self, data, partial=None, **kwargs):
        if data.get("seasons"):
            _check_seasons(data["seasons"])
        template = data.get("template") or []
        numbers = [d["day"] for d in template]
        if len(numbers) != len(set(numbers)):
            raise ValidationError("One entry per day.", "template")
        duration = data.get("duration_days")
        if duration and any(n > duration for n in numbers):
            raise ValidationError(f"Days run from 1 to duration_days ({duration}).", "template")


class CatalogProductCreateSchema(CatalogFieldsMixin, Schema):
    code = fields.String(required=True, validate=CODE)
    name = text(200, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(CATALOG_KINDS),
                         metadata={"description": "route (a regular route) or package"})
    destination = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    summary = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    duration_days = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_DAYS))
    template = fields.List(fields.Nested(TemplateDaySchema), load_default=list,
                           validate=validate.Length(max=MAX_DAYS))
    included_services = fields.List(text(200), load_default=list, validate=validate.Length(max=50))
    excluded_services = fields.List(text(200), load_default=list, validate=validate.Length(max=50))
    featured = fields.Boolean(load_default=False, metadata={"description": "On the first pages of the folder"})
    rank = fields.Integer(load_default=100, strict=True, validate=validate.Range(min=0, max=10_000),
                          metadata={"description": "Featured products are listed by rank, lowest first"})
    published = fields.Boolean(load_default=False)
    seasons = fields.List(fields.Nested(SeasonSchema), load_default=list, validate=validate.Length(max=50))


class CatalogProductUpdateSchema(CatalogFieldsMixin, Schema):
    name = text(200)
    kind = fields.String(validate=validate.OneOf(CATALOG_KINDS))
    destination = fields.String(allow_none=True, validate=validate.Length(max=120))
    summary = fields.String(allow_none=True, validate=validate.Length(max=5000))
    duration_days = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_DAYS))
    template = fields.List(fields.Nested(TemplateDaySchema), validate=validate.Length(max=MAX_DAYS))
    included_services = fields.List(text(200), validate=validate.Length(max=50))
    excluded_services = fields.List(text(200), validate=validate.Length(max=50))
    featured = fields.Boolean()
    rank = fields.Integer(strict=True, validate=validate.Range(min=0, max=10_000))
    published = fields.Boolean()
    seasons = fields.List(fields.Nested(SeasonSchema), validate=validate.Length(max=50))


class SeasonOutSchema(Schema):
    name = fields.String()
    start = fields.Date()
    end = fields.Date()
    currency = fields.String()
    adult_price = fields.Decimal(as_string=True)
    child_price = fields.Decimal(as_string=True)


class CatalogProductSchema(Schema):
    id = fields.String()
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    destination = fields.String(allow_none=True)
    summary = fields.String(allow_none=True)
    duration_days = fields.Integer()
    template = fields.List(fields.Dict())
    included_services = fields.List(fields.String())
    excluded_services = fields.List(fields.String())
    featured = fields.Boolean()
    rank = fields.Integer()
    published = fields.Boolean()
    published_at = fields.AwareDateTime(allow_none=True)
    seasons = fields.List(fields.Nested(SeasonOutSchema))
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    updated_at = fields.AwareDateTime()
    updated_by = fields.String()


class CatalogQuerySchema(Schema):
    destination = fields.String(load_default=None, validate=validate.Length(max=120))
    kind = fields.String(load_default=None, validate=validate.OneOf(CATALOG_KINDS))
    featured = fields.Boolean(load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100_000))
