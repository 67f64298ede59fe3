"""The complaints' entrypoints, mixed into FeedbackService (services/feedback/service.py)."""


class ComplaintEntrypoints:
    """Needs the service's uow, config, crm, contracts, itinerary and ticketing proxies."""
