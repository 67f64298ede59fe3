"""Feedback's kpis: RPC schemas and the events about them."""

__all__ = ["KPIS_EVENTS"]

KPIS_EVENTS: tuple = ()  # the Event objects declared here, gathered into wire.EVENTS
