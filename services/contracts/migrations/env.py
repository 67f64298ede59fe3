from services.common.migrations import run_env
from services.contracts.models import Base

run_env(Base.metadata)
