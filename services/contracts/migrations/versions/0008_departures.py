"""Contracts: group departures (the order files travelling with them, their guide, rooming list and
the notices to their suppliers) and guides.

Revision ID: contracts_0008
Revises: contracts_0007
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from services.common.db import UtcDateTime


# revision identifiers, used by Alembic.
revision: str = 'contracts_0008'
down_revision: Union[str, Sequence[str], None] = 'contracts_0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('guides',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guides'))
    )
    op.create_table('departures',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('product_id', sa.String(length=36), nullable=True),
    sa.Column('product_name', sa.String(length=200), nullable=False),
    sa.Column('ticketing_product_ids', sa.JSON(), nullable=False),
    sa.Column('departure_date', sa.Date(), nullable=False),
    sa.Column('return_date', sa.Date(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('guide_id', sa.Integer(), nullable=True),
    sa.Column('rooms', sa.JSON(), nullable=False),
    sa.Column('announced_at', UtcDateTime(), nullable=True),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['guide_id'], ['guides.id'], name=op.f('fk_departures_guide_id_guides')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departures')),
    sa.UniqueConstraint('code', name=op.f('uq_departures_code'))
    )
    with op.batch_alter_table('departures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_departures_departure_date'), ['departure_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_departures_guide_id'), ['guide_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_departures_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_departures_status'), ['status'], unique=False)

    op.create_table('departure_members',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('departure_id', sa.String(length=36), nullable=False),
    sa.Column('order_file_id', sa.String(length=36), nullable=False),
    sa.Column('joined_at', UtcDateTime(), nullable=False),
    sa.Column('joined_by', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['departure_id'], ['departures.id'],
                            name=op.f('fk_departure_members_departure_id_departures')),
    sa.ForeignKeyConstraint(['order_file_id'], ['order_files.id'],
                            name=op.f('fk_departure_members_order_file_id_order_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departure_members')),
    sa.UniqueConstraint('order_file_id', name=op.f('uq_departure_members_order_file_id'))
    )
    with op.batch_alter_table('departure_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_departure_members_departure_id'), ['departure_id'], unique=False)

    op.create_table('departure_notices',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('departure_id', sa.String(length=36), nullable=False),
    sa.Column('supplier_id', sa.String(length=36), nullable=True),
    sa.Column('supplier_name', sa.String(length=200), nullable=False),
    sa.Column('change', sa.String(length=30), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['departure_id'], ['departures.id'],
                            name=op.f('fk_departure_notices_departure_id_departures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departure_notices'))
    )
    with op.batch_alter_table('departure_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_departure_notices_departure_id'), ['departure_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('departure_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_departure_notices_departure_id'))
    op.drop_table('departure_notices')
    with op.batch_alter_table('departure_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_departure_members_departure_id'))
    op.drop_table('departure_members')
    with op.batch_alter_table('departures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_departures_status'))
        batch_op.drop_index(batch_op.f('ix_departures_product_id'))
        batch_op.drop_index(batch_op.f('ix_departures_guide_id'))
        batch_op.drop_index(batch_op.f('ix_departures_departure_date'))
    op.drop_table('departures')
    op.drop_table('guides')
