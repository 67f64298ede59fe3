"""What feedback publishes for others to rely on (RPC schemas, event payloads, remote errors).

No event yet: declare each one here as an `Event` with its payload schema when the service
starts emitting it, and the AsyncAPI document (gateway/asyncapi.py) lists it.
"""
from services.common.contract import events_by_name

EVENTS = events_by_name()
