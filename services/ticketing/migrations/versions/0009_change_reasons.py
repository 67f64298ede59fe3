"""Ticketing: why a booking line was changed or cancelled (agency_error, customer_request, supplier),
for feedback's booking error rate. Lines changed or cancelled before keep no reason (null).

Revision ID: ticketing_0009
Revises: ticketing_0008
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'ticketing_0009'
down_revision: Union[str, Sequence[str], None] = 'ticketing_0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('booking_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change_reason', sa.String(length=20), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('booking_lines', schema=None) as batch_op:
        batch_op.drop_column('change_reason')
