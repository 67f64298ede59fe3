"""Feedback's complaints: RPC schemas and the events about them."""

__all__ = ["COMPLAINTS_EVENTS"]

COMPLAINTS_EVENTS: tuple = ()  # the Event objects declared here, gathered into wire.EVENTS
