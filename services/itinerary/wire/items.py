"""Items of an itinerary day: what a planner sends, and what is answered."""
from marshmallow import Schema, ValidationError, validate, validates_schema

from services.common import fields
from services.common.validators import CURRENCY

from .vocabulary import BASES, KINDS, MAX_DAYS, MAX_OCCUPANCY, MAX_PARTY, NOT_BLANK, TRANSPORT, amount, location

__all__ = ["ItemFieldsSchema", "ItemCreateSchema", "ItemUpdateSchema", "ItemSchema"]


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
