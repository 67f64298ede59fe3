from services.common.migrations import run_env
from services.itinerary.models import Base

run_env(Base.metadata)
