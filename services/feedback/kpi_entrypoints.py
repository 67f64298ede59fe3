"""The kpis' entrypoints, mixed into FeedbackService (services/feedback/service.py)."""


class KpiEntrypoints:
    """Needs the service's uow, config, crm, contracts, itinerary and ticketing proxies."""
