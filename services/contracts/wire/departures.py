"""Group departures on the wire: the departure (a catalog product on a date, its capacity in
travellers), the order files travelling with it, its guide, its rooming list, its suppliers'
manifests and the notices they get when the group changes."""
from marshmallow import Schema, ValidationError, validate, validates_schema

from services.common import fields
from services.common.paging import PageQuerySchema, PageSchema
from services.common.validators import INT_MAX

from .order_files import NOT_BLANK

__all__ = [
    "DEPARTURE_STATUSES", "ROOM_TYPES", "MAX_CAPACITY", "DepartureCreateSchema", "DepartureUpdateSchema",
    "DepartureQuerySchema", "DepartureMemberCreateSchema", "GuideAssignSchema", "GuideCreateSchema",
    "GuideUpdateSchema", "GuideQuerySchema", "GuideSchema", "GuidePageSchema", "RoomingListSchema", "DepartureManifestQuerySchema",
    "DepartureManifestCsvQuerySchema", "DepartureSummarySchema", "DepartureSchema", "DeparturePageSchema",
    "RoomingSchema", "DepartureManifestSchema", "DepartureNoticeSchema",
]

DEPARTURE_STATUSES = ("open", "closed", "departed", "cancelled")
ROOM_TYPES = ("single", "double", "twin", "triple", "family")
MAX_CAPACITY = 1000
ID = validate.Length(min=1, max=36)


class _Dates:
    @validates_schema
    def _dates(self, data, **kwargs):
        start, end = data.get("departure_date"), data.get("return_date")
        if start and end and end < start:
            raise ValidationError("Must not be before departure_date.", "return_date")


class DepartureCreateSchema(_Dates, Schema):
    product_id = fields.String(load_default=None, allow_none=True, validate=ID, metadata={
        "description": "The itinerary catalog product the departure sells (its name is read from the catalog)"})
    product_name = fields.String(load_default=None, allow_none=True, validate=[validate.Length(min=1, max=200),
                                                                                NOT_BLANK],
                                 metadata={"description": "Required without product_id; else the catalog's name"})
    ticketing_product_ids = fields.List(fields.String(validate=ID), load_default=list,
                                        validate=validate.Length(max=50),
                                        metadata={"description": "The ticketing products (train, hotel) it uses"})
    departure_date = fields.Date(required=True)
    return_date = fields.Date(required=True)
    capacity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_CAPACITY),
                              metadata={"description": "Travellers, children included"})
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))

    @validates_schema
    def _product(self, data, **kwargs):
        if not data.get("product_id") and not data.get("product_name"):
            raise ValidationError("Name the product, or give its catalog product_id.", "product_name")


class DepartureUpdateSchema(_Dates, Schema):
    departure_date = fields.Date()
    return_date = fields.Date()
    capacity = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_CAPACITY))
    status = fields.String(validate=validate.OneOf(DEPARTURE_STATUSES), metadata={
        "description": "open (takes order files), closed, departed or cancelled"})
    notes = fields.String(allow_none=True, validate=validate.Length(max=5000))
    ticketing_product_ids = fields.List(fields.String(validate=ID), validate=validate.Length(max=50))


class DepartureQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(DEPARTURE_STATUSES))
    product_id = fields.String(validate=ID)
    date_from = fields.Date(metadata={"description": "Leaving on or after"})
    date_to = fields.Date(metadata={"description": "Leaving on or before"})


class DepartureMemberCreateSchema(Schema):
    order_file_id = fields.String(required=True, validate=ID)


class GuideAssignSchema(Schema):
    guide_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=INT_MAX))


class GuideCreateSchema(Schema):
    name = fields.String(required=True, validate=[validate.Length(min=1, max=200), NOT_BLANK])
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    languages = fields.List(fields.String(validate=validate.Length(min=2, max=20)), load_default=list,
                            validate=validate.Length(max=20), metadata={"description": "Language tags: zh, es, en..."})
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class GuideUpdateSchema(Schema):
    name = fields.String(validate=[validate.Length(min=1, max=200), NOT_BLANK])
    phone = fields.String(allow_none=True, validate=validate.Length(max=40))
    languages = fields.List(fields.String(validate=validate.Length(min=2, max=20)), validate=validate.Length(max=20))
    notes = fields.String(allow_none=True, validate=validate.Length(max=5000))


class GuideQuerySchema(PageQuerySchema):
    pass


class GuideSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    phone = fields.String(allow_none=True)
    languages = fields.List(fields.String())
    notes = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    updated_at = fields.AwareDateTime()
    updated_by = fields.String()


class GuidePageSchema(PageSchema):
    items = fields.List(fields.Nested(GuideSchema))


class _OccupantIn(Schema):
    customer_id = fields.String(required=True, validate=ID, metadata={
        "description": "A traveller of a member order file (the name is the order file's)"})


class _RoomIn(Schema):
    label = fields.String(required=True, validate=[validate.Length(min=1, max=40), NOT_BLANK],
                          metadata={"description": "The room's number or label, once per list"})
    room_type = fields.String(required=True, validate=validate.OneOf(ROOM_TYPES), metadata={
        "description": "single (sleeps 1), double or twin (2), triple (3), family (4)"})
    occupants = fields.List(fields.Nested(_OccupantIn), required=True, validate=validate.Length(min=1, max=4))
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class RoomingListSchema(Schema):
    """The whole rooming list, replacing the one before."""

    rooms = fields.List(fields.Nested(_RoomIn), required=True, validate=validate.Length(max=500))


class DepartureManifestQuerySchema(Schema):
    supplier = fields.String(required=True, validate=[validate.Length(min=1, max=200), NOT_BLANK], metadata={
        "description": "The supplier's id or name, as the departure's `suppliers` list them"})


class DepartureManifestCsvQuerySchema(DepartureManifestQuerySchema):
    bom = fields.Boolean(load_default=False, metadata={
        "description": "Start with a UTF-8 byte order mark, so Excel shows Chinese names without an import step"})


class _TravellerOut(Schema):
    customer_id = fields.String()
    full_name = fields.String()
    type = fields.String()


class _MemberOut(Schema):
    order_file_id = fields.String()
    order_number = fields.String()
    title = fields.String()
    customer_id = fields.String(allow_none=True)
    status = fields.String()
    travellers = fields.List(fields.Nested(_TravellerOut))


class _ServiceOut(Schema):
    service_date = fields.String(allow_none=True)
    kind = fields.String(allow_none=True)
    description = fields.String(allow_none=True)


class _SupplierOut(Schema):
    key = fields.String(metadata={"description": "What the manifest's ?supplier= takes"})
    supplier_id = fields.String(allow_none=True)
    supplier_name = fields.String(allow_none=True)
    kinds = fields.List(fields.String())
    services = fields.List(fields.Nested(_ServiceOut))


class _RoomingCounts(Schema):
    complete = fields.Boolean(metadata={"description": "Every traveller is roomed"})
    rooms = fields.Integer()
    not_roomed = fields.Integer()
    singles = fields.Integer()


class DepartureSummarySchema(Schema):
    id = fields.String()
    code = fields.String(metadata={"description": "GD-<year>-<n>, without gaps"})
    product_id = fields.String(allow_none=True)
    product_name = fields.String()
    departure_date = fields.Date()
    return_date = fields.Date()
    capacity = fields.Integer()
    travellers = fields.Integer(metadata={"description": "Travellers of the member order files"})
    places_left = fields.Integer()
    status = fields.String()
    guide = fields.Nested(GuideSchema, allow_none=True)


class DepartureSchema(DepartureSummarySchema):
    ticketing_product_ids = fields.List(fields.String())
    notes = fields.String(allow_none=True)
    announced_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "When the group was announced to its suppliers: each change after is a notice to them"})
    members = fields.List(fields.Nested(_MemberOut))
    suppliers = fields.List(fields.Nested(_SupplierOut), metadata={
        "description": "The suppliers of the member order files' quote lines"})
    rooming = fields.Nested(_RoomingCounts)
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    updated_at = fields.AwareDateTime()
    updated_by = fields.String()


class DeparturePageSchema(PageSchema):
    items = fields.List(fields.Nested(DepartureSummarySchema))


class _OccupantOut(Schema):
    customer_id = fields.String()
    full_name = fields.String()
    order_file_id = fields.String()


class _RoomOut(Schema):
    label = fields.String()
    room_type = fields.String()
    notes = fields.String(allow_none=True)
    occupants = fields.List(fields.Nested(_OccupantOut))


class _SingleOut(_OccupantOut):
    room = fields.String()
    room_type = fields.String()


class _UnroomedOut(_OccupantOut):
    order_number = fields.String()
    type = fields.String()


class _RoomTypeCount(Schema):
    room_type = fields.String()
    rooms = fields.Integer()


class RoomingSchema(Schema):
    departure_id = fields.String()
    code = fields.String()
    rooms = fields.List(fields.Nested(_RoomOut))
    complete = fields.Boolean(metadata={"description": "Every traveller of the departure is roomed"})
    not_roomed = fields.List(fields.Nested(_UnroomedOut), metadata={"description": "Travellers not yet in a room"})
    singles = fields.List(fields.Nested(_SingleOut), metadata={"description": "Travellers alone in their room"})
    rooms_by_type = fields.List(fields.Nested(_RoomTypeCount))


class _Counts(Schema):
    travellers = fields.Integer()
    adults = fields.Integer()
    children = fields.Integer()
    rooms = fields.Integer(metadata={"description": "Rooms these travellers sleep in"})


class _DocumentOut(Schema):
    type = fields.String(allow_none=True)
    number = fields.String(allow_none=True, metadata={"description": "Masked, as the order file keeps it"})
    country = fields.String(allow_none=True)
    expiry = fields.String(allow_none=True)


class _ManifestRow(Schema):
    order_number = fields.String()
    customer_id = fields.String()
    full_name = fields.String()
    type = fields.String(metadata={"description": "adult or child"})
    nationality = fields.String(allow_none=True)
    date_of_birth = fields.String(allow_none=True)
    document = fields.Nested(_DocumentOut, allow_none=True)
    room = fields.String(allow_none=True, metadata={"description": "For a hotel: the traveller's room"})
    room_type = fields.String(allow_none=True)


class DepartureManifestSchema(Schema):
    departure_id = fields.String()
    code = fields.String()
    product_name = fields.String()
    departure_date = fields.Date()
    return_date = fields.Date()
    supplier_id = fields.String(allow_none=True)
    supplier_name = fields.String(allow_none=True)
    kinds = fields.List(fields.String())
    services = fields.List(fields.Nested(_ServiceOut))
    guide = fields.Nested(GuideSchema, allow_none=True)
    counts = fields.Nested(_Counts)
    travellers = fields.List(fields.Nested(_ManifestRow))


class DepartureNoticeSchema(Schema):
    id = fields.Integer()
    departure_id = fields.String()
    supplier_id = fields.String(allow_none=True)
    supplier_name = fields.String()
    change = fields.String(metadata={"description": "announced, joined, left, rooming, guide, dates or cancelled"})
    summary = fields.String()
    counts = fields.Nested(_Counts)
    created_at = fields.AwareDateTime()
    created_by = fields.String()
