from services.common.migrations import run_env
from services.ticketing.models import Base

run_env(Base.metadata)
