"""Feedback's KPIs, sales targets, staff teams and the two reports (customer feedback with its
improvement actions, supplier evaluation): RPC schemas. The KPIs are built from other services'
events and feedback's own; what each figure means is in services/feedback/kpis.py and docs/feedback.md."""
from marshmallow import Schema, ValidationError, validate, validates_schema

from services.common import fields
from services.common.validators import CURRENCY, MONTH, USERNAME

__all__ = [
    "KPIS_EVENTS", "TEAMS", "KPI_NAMES", "ERROR_REASONS", "ACTION_STATUSES", "MAX_REPORT_DAYS",
    "KpiQuerySchema", "KpiSchema", "KpiGroupSchema", "KpiReportSchema", "SalesTargetSetSchema", "SalesTargetSchema",
    "StaffTeamSetSchema", "StaffTeamSchema", "ReportQuerySchema", "ReportCsvQuerySchema",
    "ImprovementActionCreateSchema", "ImprovementActionUpdateSchema", "ImprovementActionSchema",
    "CustomerFeedbackReportSchema", "SupplierEvaluationReportSchema",
]

KPIS_EVENTS: tuple = ()  # the KPIs only take events in; they announce nothing

TEAMS = ("consultants", "ticketing")
KPI_NAMES = ("customer_satisfaction", "complaint_first_response", "complaint_resolution_time",
             "complaint_resolution_rate", "booking_error_rate", "contract_error_rate", "sales_growth",
             "sales_target_attainment", "inquiry_conversion", "net_promoter_score")
# Why a booking line was changed or cancelled, or a contract amended (the error rates count the first).
ERROR_REASONS = ("agency_error", "customer_request", "supplier")
ACTION_STATUSES = ("open", "in_progress", "done")
MAX_REPORT_DAYS = 366


class KpiQuerySchema(Schema):
    month = fields.String(required=True, validate=MONTH, metadata={"description": "YYYY-MM (UTC)"})
    staff = fields.String(load_default=None, validate=USERNAME, metadata={"description": "Only this staff member"})
    team = fields.String(load_default=None, validate=validate.OneOf(TEAMS), metadata={"description": "Only this team"})


class KpiSchema(Schema):
    kpi = fields.String(metadata={"description": "One of " + ", ".join(KPI_NAMES)})
    value = fields.Decimal(as_string=True, allow_none=True, metadata={
        "description": "Percent for rates and shares, minutes for times, points for NPS; null with no data"})
    unit = fields.String(metadata={"description": "percent, minutes or points"})
    numerator = fields.Decimal(as_string=True, allow_none=True)
    denominator = fields.Decimal(as_string=True, allow_none=True)
    target = fields.String(allow_none=True, metadata={"description": "e.g. >= 80, <= 1440, < 5; null: tracked only"})
    met = fields.Boolean(allow_none=True, metadata={"description": "null when tracked only or without data"})
    currency = fields.String(allow_none=True, metadata={"description": "Sales figures: the currency they are in"})
    within_target = fields.Integer(allow_none=True, metadata={
        "description": "Complaint times: how many were within the target's hours"})
    share_within_target = fields.Decimal(as_string=True, allow_none=True, metadata={
        "description": "Complaint times: within_target / denominator, percent"})


class KpiGroupSchema(Schema):
    staff = fields.String(allow_none=True)
    team = fields.String()
    kpis = fields.List(fields.Nested(KpiSchema))


class KpiReportSchema(Schema):
    month = fields.String()
    staff = fields.List(fields.Nested(KpiGroupSchema), metadata={"description": "Per staff member, by name"})
    teams = fields.List(fields.Nested(KpiGroupSchema), metadata={"description": "Per team"})


class SalesTargetSetSchema(Schema):
    staff = fields.String(required=True, validate=USERNAME)
    month = fields.String(required=True, validate=MONTH)
    amount = fields.Decimal(required=True, as_string=True, places=2,
                            validate=validate.Range(min=0, min_inclusive=False, max=1_000_000_000))
    currency = fields.String(required=True, validate=CURRENCY)


class SalesTargetSchema(SalesTargetSetSchema):
    updated_at = fields.AwareDateTime()
    updated_by = fields.String()


class StaffTeamSetSchema(Schema):
    team = fields.String(required=True, validate=validate.OneOf(TEAMS))


class StaffTeamSchema(Schema):
    staff = fields.String()
    team = fields.String()
    updated_at = fields.AwareDateTime()
    updated_by = fields.String()


class ReportQuerySchema(Schema):
    """A period of UTC dates, both ends included, at most MAX_REPORT_DAYS days."""

    start = fields.Date(required=True)
    end = fields.Date(required=True)

    @validates_schema
    def _period(self, data, **kwargs):
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise ValidationError("Must not be before start.", "end")
            if (end - start).days + 1 > MAX_REPORT_DAYS:
                raise ValidationError(f"A report covers at most {MAX_REPORT_DAYS} days.", "end")


class ReportCsvQuerySchema(ReportQuerySchema):
    bom = fields.Boolean(load_default=False, metadata={
        "description": "Start with a UTF-8 byte order mark, so Excel shows Chinese names without an import step"})


class ImprovementActionCreateSchema(Schema):
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    topic = fields.String(required=True, validate=validate.Length(min=1, max=80), metadata={
        "description": "The aspect (itinerary, accommodation, transport, guide, consultant) or complaint category"})
    action = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    owner = fields.String(required=True, validate=USERNAME)
    due_on = fields.Date(required=True)
    status = fields.String(load_default="open", validate=validate.OneOf(ACTION_STATUSES))

    @validates_schema(skip_on_field_errors=False)
    def _period(self, data, **kwargs):
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            raise ValidationError("Must not be before period_start.", "period_end")


class ImprovementActionUpdateSchema(Schema):
    action = fields.String(validate=validate.Length(min=1, max=4000))
    owner = fields.String(validate=USERNAME)
    due_on = fields.Date()
    status = fields.String(validate=validate.OneOf(ACTION_STATUSES))

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("Give at least one field to change.", "_schema")


class ImprovementActionSchema(Schema):
    id = fields.Integer()
    period_start = fields.Date()
    period_end = fields.Date()
    topic = fields.String()
    action = fields.String()
    owner = fields.String()
    due_on = fields.Date()
    status = fields.String()
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    updated_at = fields.AwareDateTime(allow_none=True)
    updated_by = fields.String(allow_none=True)


class _AspectSchema(Schema):
    aspect = fields.String()
    answers = fields.Integer()
    average = fields.Decimal(as_string=True, allow_none=True)
    share_4_5 = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "Percent of 4 and 5"})


class _CategorySchema(Schema):
    category = fields.String()
    complaints = fields.Integer()
    resolved = fields.Integer()


class _CommentSchema(Schema):
    survey_id = fields.String()
    order_number = fields.String(allow_none=True)
    answered_at = fields.AwareDateTime()
    comment = fields.String()


class CustomerFeedbackReportSchema(Schema):
    start = fields.Date()
    end = fields.Date()
    titles = fields.Dict(metadata={"description": "The report's heading in en, zh and es"})
    answers = fields.Integer()
    complaint_handling = fields.Nested(_AspectSchema(exclude=("aspect",)), metadata={
        "description": "How customers rated the handling of their complaints (1-5) in the period"})
    aspects = fields.List(fields.Nested(_AspectSchema))
    lowest_aspects = fields.List(fields.String(), metadata={"description": "The aspects with the lowest average"})
    net_promoter_score = fields.Decimal(as_string=True, allow_none=True)
    comments = fields.List(fields.Nested(_CommentSchema))
    complaint_categories = fields.List(fields.Nested(_CategorySchema))
    actions = fields.List(fields.Nested(ImprovementActionSchema))


class _SupplierRowSchema(Schema):
    supplier = fields.String(metadata={"description": "The supplier's id, else its name"})
    supplier_name = fields.String(allow_none=True)
    bookings = fields.Integer()
    complaints = fields.Integer()
    complaints_per_100_bookings = fields.Decimal(as_string=True, allow_none=True)
    scored_answers = fields.Integer()
    satisfaction_average = fields.Decimal(as_string=True, allow_none=True)
    satisfaction_share_4_5 = fields.Decimal(as_string=True, allow_none=True)
    supplier_answers = fields.Integer()
    average_response_minutes = fields.Decimal(as_string=True, allow_none=True)


class SupplierEvaluationReportSchema(Schema):
    start = fields.Date()
    end = fields.Date()
    titles = fields.Dict()
    suppliers = fields.List(fields.Nested(_SupplierRowSchema))
