"""The facts itinerary announces, each a payload schema with its version.

Every payload is dumped from the quote (services.itinerary.models.Quote, or anything with its
attributes): its own columns, and what its snapshot froze at issue (plain JSON, so dates there
are already ISO text).
"""
from datetime import date

from marshmallow import Schema

from services.common import fields
from services.common.contract import Event, events_by_name

from .costing import LineSchema, MoneyText, PerPersonSchema, RateOutSchema, TotalsSchema, TravellerPriceSchema
from .itineraries import TravelPartyOutSchema
from .settings import CancellationTierSchema, PaymentTermsSchema

__all__ = ["QuoteEventSchema", "QuoteIssuedSchema", "QuoteAcceptedSchema", "QuoteDecidedSchema",
           "SupersededQuoteSchema", "QuotedLineSchema", "FeeSchema", "QUOTE_ISSUED", "QUOTE_ACCEPTED",
           "QUOTE_REJECTED", "QUOTE_EXPIRED", "EVENTS"]


class SnapshotDate(fields.Date):
    """A date as the snapshot keeps it (ISO text), or a date."""

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return super()._serialize(value, attr, obj, **kwargs)


class SupersededQuoteSchema(Schema):
    quote_id = fields.String()
    version = fields.Integer()


class QuotedLineSchema(LineSchema):
    """A cost sheet line as the quote froze it, with what the quote sheet prints beside it."""

    check_in = fields.String(allow_none=True, metadata={"description": "Hotels: the service date"})
    attributes = fields.Dict()
    notes = fields.String(allow_none=True)


class FeeSchema(Schema):
    code = fields.String(metadata={"description": "services, discount, service_fee, tax, package, "
                                                  "single_supplement, tax_included or total"})
    label = fields.String(metadata={"description": "The words the quote sheet prints beside it"})
    amount = MoneyText()


class QuoteEventSchema(Schema):
    """What every quote event says: which quote of which itinerary, for whom, how much."""

    quote_id = fields.String(attribute="id")
    quote_number = fields.String(attribute="snapshot.quote.number",
                                 metadata={"description": "One number per itinerary, with versions"})
    itinerary_id = fields.String()
    version = fields.Integer()
    customer_id = fields.String(attribute="snapshot.itinerary.customer_id", allow_none=True)
    inquiry_id = fields.String(attribute="snapshot.itinerary.inquiry_id", allow_none=True,
                               metadata={"description": "The CRM inquiry the itinerary answers"})
    title = fields.String(attribute="snapshot.itinerary.title")
    currency = fields.String()
    total = fields.Decimal(as_string=True)
    valid_until = fields.Date()
    status = fields.String(metadata={"description": "issued, accepted, rejected or expired"})


class QuoteIssuedSchema(QuoteEventSchema):
    issued_at = fields.AwareDateTime()
    issued_by = fields.String()
    start_date = SnapshotDate(attribute="snapshot.itinerary.start_date")
    end_date = SnapshotDate(attribute="snapshot.itinerary.end_date")
    party = fields.Nested(TravelPartyOutSchema, attribute="snapshot.itinerary.party")
    supersedes = fields.Nested(SupersededQuoteSchema, attribute="snapshot.quote.supersedes", allow_none=True,
                               metadata={"description": "The open version this one replaced, if any"})


class QuoteAcceptedSchema(QuoteEventSchema):
    """What contracts and ticketing need to open the order and book: everything on the quote."""

    accepted_at = fields.AwareDateTime(attribute="decided_at")
    accepted_by = fields.String(attribute="decided_by")
    issued_by = fields.String(metadata={"description": "The consultant who issued the quote"})
    note = fields.String(attribute="decision_note", allow_none=True)
    start_date = SnapshotDate(attribute="snapshot.itinerary.start_date")
    end_date = SnapshotDate(attribute="snapshot.itinerary.end_date")
    party = fields.Nested(TravelPartyOutSchema, attribute="snapshot.itinerary.party")
    travellers = fields.List(fields.Nested(TravellerPriceSchema), attribute="snapshot.per_person.travellers")
    per_person = fields.Nested(PerPersonSchema, attribute="snapshot.per_person")
    lines = fields.List(fields.Nested(QuotedLineSchema), attribute="snapshot.lines")
    totals = fields.Nested(TotalsSchema, attribute="snapshot.totals")
    fees = fields.List(fields.Nested(FeeSchema), attribute="snapshot.fees")
    rates = fields.List(fields.Nested(RateOutSchema), attribute="snapshot.rates")
    cancellation_terms = fields.List(fields.Nested(CancellationTierSchema), attribute="snapshot.terms.cancellation")
    payment_terms = fields.Nested(PaymentTermsSchema, attribute="snapshot.terms.payment")
    terms_notes = fields.String(attribute="snapshot.terms.notes", allow_none=True)


class QuoteDecidedSchema(QuoteEventSchema):
    decided_at = fields.AwareDateTime()
    decided_by = fields.String()
    reason = fields.String(attribute="decision_note", allow_none=True)


QUOTE_ISSUED = Event("itinerary.quote_issued", QuoteIssuedSchema,
                     "A quote version was issued to the customer (an open earlier version is superseded).")
QUOTE_ACCEPTED = Event("itinerary.quote_accepted", QuoteAcceptedSchema,
                       "The customer accepted a quote version: the order can be opened and booked.")
QUOTE_REJECTED = Event("itinerary.quote_rejected", QuoteDecidedSchema, "The customer declined a quote version.")
QUOTE_EXPIRED = Event("itinerary.quote_expired", QuoteDecidedSchema,
                      "A quote version passed its valid_until date without a decision.")

EVENTS = events_by_name(QUOTE_ISSUED, QUOTE_ACCEPTED, QUOTE_REJECTED, QUOTE_EXPIRED)
