"""Every event feedback publishes, by name (each module declares its own)."""
from services.common.contract import events_by_name

from .complaints import COMPLAINTS_EVENTS
from .kpis import KPIS_EVENTS
from .surveys import SURVEYS_EVENTS

EVENTS = events_by_name(*COMPLAINTS_EVENTS, *SURVEYS_EVENTS, *KPIS_EVENTS)
