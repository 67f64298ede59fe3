"""CRM's published contract: what other services and the gateway may import of CRM.

RPC arguments and results (one module per concern), the events CRM publishes (`EVENTS`), and
nothing of its models or database. Input schemas reject unknown fields (marshmallow's default),
bound every length and check every enumeration, so a bad request gets one message per field and
writes nothing; the same schemas validate at the gateway (HTTP) and again in the service (RPC).

CRM raises only the kernel's remote errors (services.common.errors): NotFound; Conflict for a
duplicate customer (`duplicates`, `existing_customer_ids`) or a move the pipeline does not allow
(`current_status`, `requested_status`, `allowed`); ValidationFailed with per-field messages; and
PreconditionFailed when an If-Match names a version that is no longer current.
"""
from .customers import (
    CustomerCreateSchema, CustomerGetQuerySchema, CustomerPageSchema, CustomerQuerySchema, CustomerSchema,
    CustomerUpdateSchema, DuplicateQuerySchema, TravelDocumentOutSchema, TravelDocumentSchema)
from .inquiries import (
    BudgetSchema, InquiryCreateSchema, InquiryPageSchema, InquiryQuerySchema, InquirySchema,
    InquiryUpdateSchema, PartySchema, TransitionCreateSchema, TransitionSchema, TravelWindowOutSchema,
    TravelWindowSchema)
from .followups import FollowUpCreateSchema, FollowUpPageSchema, FollowUpQuerySchema, FollowUpSchema
from .timeline import TimelineEntrySchema, TimelinePageSchema, TimelineQuerySchema
from .segments import SegmentCustomerSchema, SegmentPageSchema, SegmentQuerySchema
from .communications import (
    MAX_ATTACHMENT_BYTES, MESSAGE_KINDS, MESSAGE_STATUSES, AttachmentOutSchema, AttachmentSchema,
    CustomerMessageQuerySchema, MessageCreateSchema, MessagePageSchema, MessageQuerySchema, MessageRequestSchema,
    MessageSchema)
from .events import (
    CUSTOMER_CREATED, CUSTOMER_UPDATED, EVENTS, INQUIRY_CREATED, INQUIRY_STATUS_CHANGED, INQUIRY_UPDATED,
    MESSAGE_FAILED, MESSAGE_QUEUED, MESSAGE_SENT, CustomerCreatedPayload, CustomerUpdatedPayload,
    InquiryCreatedPayload, InquiryStatusChangedPayload, InquiryUpdatedPayload, MessagePayload)
from .satisfaction import LastSurveySchema, SatisfactionSchema
from .values import (
    CHANNELS, CONSENT, COUNTRY, DOCUMENT_TYPES, LANGUAGE, NOT_BLANK, PHONE, STATUSES, check_birth_date,
    labels)
