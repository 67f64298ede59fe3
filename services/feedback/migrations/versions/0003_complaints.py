"""Feedback: complaints with their steps and clocks, the escalations of clocks that ran out (each
with the manager's follow-up to send), and the vouchers given as compensation.

Revision ID: feedback_0003
Revises: feedback_0002
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from services.common.db import Money, UtcDateTime


# revision identifiers, used by Alembic.
revision: str = 'feedback_0003'
down_revision: Union[str, Sequence[str], None] = 'feedback_0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('complaints',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.String(length=36), nullable=False),
    sa.Column('order_file_id', sa.String(length=36), nullable=True),
    sa.Column('order_number', sa.String(length=40), nullable=True),
    sa.Column('booking_locator', sa.String(length=40), nullable=True),
    sa.Column('supplier_id', sa.String(length=36), nullable=True),
    sa.Column('supplier_name', sa.String(length=200), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('handler', sa.String(length=120), nullable=False),
    sa.Column('team', sa.String(length=60), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('opened_at', UtcDateTime(), nullable=False),
    sa.Column('opened_by', sa.String(length=120), nullable=False),
    sa.Column('first_response_due_at', UtcDateTime(), nullable=False),
    sa.Column('first_responded_at', UtcDateTime(), nullable=True),
    sa.Column('resolution_due_at', UtcDateTime(), nullable=False),
    sa.Column('resolved_at', UtcDateTime(), nullable=True),
    sa.Column('resolved_by', sa.String(length=120), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('satisfaction', sa.Integer(), nullable=True),
    sa.Column('rated_at', UtcDateTime(), nullable=True),
    sa.Column('reopened', sa.Integer(), nullable=False),
    sa.Column('escalated_at', UtcDateTime(), nullable=True),
    sa.Column('breaches', sa.Integer(), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints'))
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index('ix_complaints_clocks', ['status', 'first_response_due_at', 'resolution_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_handler'), ['handler'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_order_file_id'), ['order_file_id'], unique=False)

    op.create_table('complaint_escalations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('clock', sa.String(length=20), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('due_at', UtcDateTime(), nullable=False),
    sa.Column('escalated_at', UtcDateTime(), nullable=False),
    sa.Column('escalated_to', sa.String(length=120), nullable=False),
    sa.Column('request_id', sa.String(length=200), nullable=False),
    sa.Column('follow_up', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('outcome', sa.JSON(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_complaint_escalations_complaint_id_complaints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_escalations')),
    sa.UniqueConstraint('complaint_id', 'clock', 'round', name=op.f('uq_complaint_escalations_complaint_id')),
    sa.UniqueConstraint('request_id', name=op.f('uq_complaint_escalations_request_id'))
    )
    with op.batch_alter_table('complaint_escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_escalations_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index('ix_complaint_escalations_pending', ['status'], unique=False)

    op.create_table('complaint_steps',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('at', UtcDateTime(), nullable=False),
    sa.Column('by', sa.String(length=120), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('compensation', sa.String(length=20), nullable=True),
    sa.Column('value', Money(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('voucher_code', sa.String(length=20), nullable=True),
    sa.Column('refund_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_complaint_steps_complaint_id_complaints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_steps'))
    )
    with op.batch_alter_table('complaint_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_steps_complaint_id'), ['complaint_id'], unique=False)

    op.create_table('vouchers',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('customer_id', sa.String(length=36), nullable=False),
    sa.Column('value', Money(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('issued_at', UtcDateTime(), nullable=False),
    sa.Column('issued_by', sa.String(length=120), nullable=False),
    sa.Column('quote_id', sa.String(length=36), nullable=True),
    sa.Column('redeemed_at', UtcDateTime(), nullable=True),
    sa.Column('redeemed_by', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_vouchers_complaint_id_complaints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vouchers')),
    sa.UniqueConstraint('code', name=op.f('uq_vouchers_code'))
    )
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vouchers_customer_id'), ['customer_id'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vouchers_customer_id'))

    op.drop_table('vouchers')
    with op.batch_alter_table('complaint_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_steps_complaint_id'))

    op.drop_table('complaint_steps')
    with op.batch_alter_table('complaint_escalations', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_escalations_pending')
        batch_op.drop_index(batch_op.f('ix_complaint_escalations_complaint_id'))

    op.drop_table('complaint_escalations')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_order_file_id'))
        batch_op.drop_index(batch_op.f('ix_complaints_handler'))
        batch_op.drop_index(batch_op.f('ix_complaints_customer_id'))
        batch_op.drop_index('ix_complaints_clocks')

    op.drop_table('complaints')
