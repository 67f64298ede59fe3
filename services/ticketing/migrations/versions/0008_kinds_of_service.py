"""kinds of service: the itinerary's words, hotel and attraction, for hotel_room and attraction_ticket

Revision ID: ticketing_0008
Revises: ticketing_0007

Products are the only rows that keep a kind (reports and events read it from them), so renaming
them renames it everywhere ticketing answers from now on.
"""
from typing import Sequence, Union

from alembic import op


revision: str = 'ticketing_0008'
down_revision: Union[str, Sequence[str], None] = 'ticketing_0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

RENAMED = {'hotel_room': 'hotel', 'attraction_ticket': 'attraction'}


def upgrade() -> None:
    for old, new in RENAMED.items():
        op.execute(f"UPDATE products SET kind = '{new}' WHERE kind = '{old}'")


def downgrade() -> None:
    for old, new in RENAMED.items():
        op.execute(f"UPDATE products SET kind = '{old}' WHERE kind = '{new}'")
