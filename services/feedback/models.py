"""Feedback's own tables. No other service reads them."""
from sqlalchemy.orm import DeclarativeBase

from services.common.db import service_metadata


class Base(DeclarativeBase):
    metadata = service_metadata()
