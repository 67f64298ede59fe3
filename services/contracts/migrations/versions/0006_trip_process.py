"""Contracts: the trip process — its steps (commands to other services under their own request
ids), confirmations asked of non-inventory suppliers, the "needs attention" list, and where each
order file's trip stands.

Revision ID: contracts_0006
Revises: contracts_0005
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from services.common.db import UtcDateTime


# revision identifiers, used by Alembic.
revision: str = 'contracts_0006'
down_revision: Union[str, Sequence[str], None] = 'contracts_0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('attention',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('order_file_id', sa.String(length=36), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('raised_at', UtcDateTime(), nullable=False),
    sa.Column('resolved_at', UtcDateTime(), nullable=True),
    sa.Column('resolved_by', sa.String(length=120), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['order_file_id'], ['order_files.id'], name=op.f('fk_attention_order_file_id_order_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attention'))
    )
    with op.batch_alter_table('attention', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attention_order_file_id'), ['order_file_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attention_resolved_at'), ['resolved_at'], unique=False)

    op.create_table('service_requests',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('order_file_id', sa.String(length=36), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('supplier', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('service_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reference', sa.String(length=120), nullable=True),
    sa.Column('answered_by', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('requested_at', UtcDateTime(), nullable=False),
    sa.Column('reminders', sa.Integer(), nullable=False),
    sa.Column('last_reminded_at', UtcDateTime(), nullable=True),
    sa.Column('answered_at', UtcDateTime(), nullable=True),
    sa.Column('recorded_by', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['order_file_id'], ['order_files.id'], name=op.f('fk_service_requests_order_file_id_order_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_requests')),
    sa.UniqueConstraint('order_file_id', 'line', name=op.f('uq_service_requests_order_file_id'))
    )
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_requests_order_file_id'), ['order_file_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_requests_status'), ['status'], unique=False)

    op.create_table('trip_steps',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('order_file_id', sa.String(length=36), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('request_id', sa.String(length=200), nullable=False),
    sa.Column('args', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('outcome', sa.JSON(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('due_at', UtcDateTime(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('done_at', UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['order_file_id'], ['order_files.id'], name=op.f('fk_trip_steps_order_file_id_order_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trip_steps')),
    sa.UniqueConstraint('request_id', name=op.f('uq_trip_steps_request_id'))
    )
    with op.batch_alter_table('trip_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trip_steps_order_file_id'), ['order_file_id'], unique=False)
        batch_op.create_index('ix_trip_steps_pending', ['status', 'due_at'], unique=False)

    with op.batch_alter_table('order_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consultant', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('trip', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('hold_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('hold_expires_at', UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column('booking', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('meeting', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('trip_documents_sent_at', UtcDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_order_files_trip'), ['trip'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('order_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_files_trip'))
        batch_op.drop_column('trip_documents_sent_at')
        batch_op.drop_column('meeting')
        batch_op.drop_column('booking')
        batch_op.drop_column('hold_expires_at')
        batch_op.drop_column('hold_id')
        batch_op.drop_column('trip')
        batch_op.drop_column('consultant')

    with op.batch_alter_table('trip_steps', schema=None) as batch_op:
        batch_op.drop_index('ix_trip_steps_pending')
        batch_op.drop_index(batch_op.f('ix_trip_steps_order_file_id'))

    op.drop_table('trip_steps')
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_requests_status'))
        batch_op.drop_index(batch_op.f('ix_service_requests_order_file_id'))

    op.drop_table('service_requests')
    with op.batch_alter_table('attention', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attention_resolved_at'))
        batch_op.drop_index(batch_op.f('ix_attention_order_file_id'))

    op.drop_table('attention')
