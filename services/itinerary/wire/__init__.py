"""Itinerary's published contract: RPC arguments and results (also the gateway's bodies), event
payloads with their versions (EVENTS), and the remote errors it raises. Imports no models and no
database: importing it is all a caller needs (it also registers the remote errors).

Input schemas reject unknown fields, bound every length and number, and are used twice: by the
gateway (HTTP) and again by the service (RPC), which other callers use directly. Quote snapshots
and cost sheets are plain JSON (money as decimal strings, dates as ISO strings), exactly as they
are stored and sent in events, so their schemas use strings.
"""
from .catalog import *  # noqa: F401,F403
from .costing import *  # noqa: F401,F403
from .errors import *  # noqa: F401,F403
from .events import *  # noqa: F401,F403
from .items import *  # noqa: F401,F403
from .itineraries import *  # noqa: F401,F403
from .quotes import *  # noqa: F401,F403
from .settings import *  # noqa: F401,F403
from .vocabulary import *  # noqa: F401,F403
