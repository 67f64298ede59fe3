"""What feedback publishes for others to rely on: RPC argument and result schemas for complaints,
surveys and KPIs, the events feedback publishes (`EVENTS`), its remote errors. No models, no
database."""
from .complaints import *  # noqa: F401,F403
from .events import EVENTS  # noqa: F401
from .kpis import *  # noqa: F401,F403
from .surveys import *  # noqa: F401,F403
