"""Ticketing's published contract: what the gateway and other services may import of ticketing.

RPC arguments and results, one module per concern (suppliers, products and inventory, holds and
bookings, supplier pushes, reports); the events ticketing publishes (`EVENTS`); the remote errors
only ticketing raises; and the OTA XML codec suppliers push inventory in (`ota`). Nothing of its
models or database.
"""
from . import ota  # noqa: F401 (the supplier-facing XML format: wire.ota.parse, wire.ota.answer...)
from .bookings import *  # noqa: F401,F403
from .errors import *  # noqa: F401,F403
from .events import *  # noqa: F401,F403
from .products import *  # noqa: F401,F403
from .pushes import *  # noqa: F401,F403
from .reports import *  # noqa: F401,F403
from .suppliers import *  # noqa: F401,F403
