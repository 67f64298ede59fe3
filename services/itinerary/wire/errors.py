"""Remote errors specific to itinerary. Registered with nameko's registry when this module is
imported, so a caller that imports the wire re-raises them typed (the gateway answers 503)."""
from nameko.exceptions import registry

from services.common.errors import Unavailable

__all__ = ["TicketingUnavailable"]


class TicketingUnavailable(Unavailable):
    """Ticketing did not answer: prices and availability cannot be read now."""


registry[f"{TicketingUnavailable.__module__}.{TicketingUnavailable.__name__}"] = TicketingUnavailable
