"""Contracts' published contract: what the gateway and other services may import of contracts.

RPC arguments and results for the order file (opening, travellers, the document check, signing,
amendments, cancellation) and for its money (payments, invoices and credit notes, refunds, the
desk's day, bank statements); the incident log of each trip; the events contracts publishes (`EVENTS`); the remote errors only
contracts raises. Nothing of its models or database.
"""
from .attachments import *  # noqa: F401,F403
from .departures import *  # noqa: F401,F403
from .errors import *  # noqa: F401,F403
from .events import *  # noqa: F401,F403
from .incidents import *  # noqa: F401,F403
from .money import *  # noqa: F401,F403
from .order_files import *  # noqa: F401,F403
from .suppliers import *  # noqa: F401,F403
from .trip import *  # noqa: F401,F403
