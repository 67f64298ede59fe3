"""survey_results: the customer's post-trip survey answers, as feedback announced them

Revision ID: crm_0006
Revises: crm_0005
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from services.common.db import UtcDateTime


revision: str = 'crm_0006'
down_revision: Union[str, Sequence[str], None] = 'crm_0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('survey_results',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.String(length=36), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('order_number', sa.String(length=20), nullable=True),
    sa.Column('consultant', sa.String(length=120), nullable=True),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('recommend', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('answered_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_survey_results_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_results')),
    sa.UniqueConstraint('survey_id', name=op.f('uq_survey_results_survey_id'))
    )
    with op.batch_alter_table('survey_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_results_customer_id'), ['customer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('survey_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_results_customer_id'))
    op.drop_table('survey_results')
