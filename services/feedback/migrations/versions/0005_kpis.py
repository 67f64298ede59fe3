"""Feedback: the KPIs' facts taken in from events (bookings, contracts, inquiries, complaints,
survey answers), staff teams, sales targets and the feedback report's improvement actions.

Revision ID: feedback_0005
Revises: feedback_0004
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from services.common.db import Money, UtcDateTime


# revision identifiers, used by Alembic.
revision: str = 'feedback_0005'
down_revision: Union[str, Sequence[str], None] = 'feedback_0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('improvement_actions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('topic', sa.String(length=80), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=True),
    sa.Column('updated_by', sa.String(length=120), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_improvement_actions'))
    )
    with op.batch_alter_table('improvement_actions', schema=None) as batch_op:
        batch_op.create_index('ix_improvement_actions_period', ['period_start', 'period_end'], unique=False)

    op.create_table('kpi_facts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('ref', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=120), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('at', UtcDateTime(), nullable=False),
    sa.Column('staff', sa.String(length=120), nullable=True),
    sa.Column('team', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=True),
    sa.Column('flag', sa.Boolean(), nullable=True),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('amount', Money(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('supplier', sa.String(length=200), nullable=True),
    sa.Column('supplier_name', sa.String(length=200), nullable=True),
    sa.Column('category', sa.String(length=80), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_facts')),
    sa.UniqueConstraint('kind', 'ref', name=op.f('uq_kpi_facts_kind'))
    )
    with op.batch_alter_table('kpi_facts', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_facts_kind_subject', ['kind', 'subject'], unique=False)
        batch_op.create_index('ix_kpi_facts_kind_supplier_month', ['kind', 'supplier', 'month'], unique=False)
        batch_op.create_index('ix_kpi_facts_month_kind_staff', ['month', 'kind', 'staff'], unique=False)

    op.create_table('kpi_inquiry_owners',
    sa.Column('inquiry_id', sa.String(length=120), nullable=False),
    sa.Column('consultant', sa.String(length=120), nullable=True),
    sa.PrimaryKeyConstraint('inquiry_id', name=op.f('pk_kpi_inquiry_owners'))
    )
    op.create_table('kpi_products',
    sa.Column('product_id', sa.String(length=36), nullable=False),
    sa.Column('supplier_id', sa.String(length=36), nullable=False),
    sa.Column('supplier_name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('product_id', name=op.f('pk_kpi_products'))
    )
    op.create_table('kpi_survey_answers',
    sa.Column('survey_id', sa.String(length=120), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('answered_at', UtcDateTime(), nullable=False),
    sa.Column('customer_id', sa.String(length=120), nullable=True),
    sa.Column('order_number', sa.String(length=120), nullable=True),
    sa.Column('consultant', sa.String(length=120), nullable=True),
    sa.Column('itinerary', sa.Integer(), nullable=True),
    sa.Column('accommodation', sa.Integer(), nullable=True),
    sa.Column('transport', sa.Integer(), nullable=True),
    sa.Column('guide', sa.Integer(), nullable=True),
    sa.Column('consultant_score', sa.Integer(), nullable=True),
    sa.Column('recommend', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('survey_id', name=op.f('pk_kpi_survey_answers'))
    )
    with op.batch_alter_table('kpi_survey_answers', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_survey_answers_month_consultant', ['month', 'consultant'], unique=False)

    op.create_table('kpi_survey_suppliers',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('survey_id', sa.String(length=120), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('supplier', sa.String(length=200), nullable=False),
    sa.Column('supplier_name', sa.String(length=200), nullable=False),
    sa.Column('aspect', sa.String(length=20), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_survey_suppliers'))
    )
    with op.batch_alter_table('kpi_survey_suppliers', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_survey_suppliers_supplier_month', ['supplier', 'month'], unique=False)
        batch_op.create_index(batch_op.f('ix_kpi_survey_suppliers_survey_id'), ['survey_id'], unique=False)

    op.create_table('sales_targets',
    sa.Column('staff', sa.String(length=120), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('amount', Money(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('staff', 'month', name=op.f('pk_sales_targets'))
    )
    op.create_table('staff_teams',
    sa.Column('staff', sa.String(length=120), nullable=False),
    sa.Column('team', sa.String(length=40), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('staff', name=op.f('pk_staff_teams'))
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('staff_teams')
    op.drop_table('sales_targets')
    with op.batch_alter_table('kpi_survey_suppliers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_survey_suppliers_survey_id'))
        batch_op.drop_index('ix_kpi_survey_suppliers_supplier_month')

    op.drop_table('kpi_survey_suppliers')
    with op.batch_alter_table('kpi_survey_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_survey_answers_month_consultant')

    op.drop_table('kpi_survey_answers')
    op.drop_table('kpi_products')
    op.drop_table('kpi_inquiry_owners')
    with op.batch_alter_table('kpi_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_facts_month_kind_staff')
        batch_op.drop_index('ix_kpi_facts_kind_supplier_month')
        batch_op.drop_index('ix_kpi_facts_kind_subject')

    op.drop_table('kpi_facts')
    with op.batch_alter_table('improvement_actions', schema=None) as batch_op:
        batch_op.drop_index('ix_improvement_actions_period')

    op.drop_table('improvement_actions')
