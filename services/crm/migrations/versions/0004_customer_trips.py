"""customer trips: the booking lines each customer travels on, for travel that happened

Revision ID: crm_0004
Revises: crm_0003

Past destinations and last trip dates already on customers stay until a trip of theirs is
counted; from then on they are derived from trips (services.crm.trips).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from services.common.db import UtcDateTime


revision: str = 'crm_0004'
down_revision: Union[str, Sequence[str], None] = 'crm_0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('customer_trips',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.String(length=36), nullable=False),
    sa.Column('booking_id', sa.String(length=36), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('destination', sa.String(length=120), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('counted', sa.Boolean(), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_trips_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_trips')),
    sa.UniqueConstraint('customer_id', 'booking_id', 'line_id', name='uq_customer_trips_customer_line')
    )
    with op.batch_alter_table('customer_trips', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_trips_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_customer_trips_due', ['counted', 'day'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('customer_trips', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_trips_due')
        batch_op.drop_index(batch_op.f('ix_customer_trips_customer_id'))
    op.drop_table('customer_trips')
