"""Feedback's surveys: RPC schemas and the events about them."""

__all__ = ["SURVEYS_EVENTS"]

SURVEYS_EVENTS: tuple = ()  # the Event objects declared here, gathered into wire.EVENTS
