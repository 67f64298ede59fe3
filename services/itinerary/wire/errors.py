"""Remote errors specific to itinerary. Registered with nameko's registry when this module is
imported, so a caller that imports the wire re-raises them typed (the gateway answers 503)."""
from services.common.errors import Unavailable, remote_error

__all__ = ["TicketingUnavailable"]


@remote_error
class TicketingUnavailable(Unavailable):
    """Ticketing did not answer: prices and availability cannot be read now."""
