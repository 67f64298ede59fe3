"""The surveys' entrypoints, mixed into FeedbackService (services/feedback/service.py)."""


class SurveyEntrypoints:
    """Needs the service's uow, config, crm, contracts, itinerary and ticketing proxies."""
