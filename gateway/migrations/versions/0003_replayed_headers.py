"""idempotency records keep the headers a repeat must see (Location, ETag)

Revision ID: gateway_0003
Revises: gateway_0002
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'gateway_0003'
down_revision: Union[str, Sequence[str], None] = 'gateway_0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('idempotency_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_headers', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('idempotency_records', schema=None) as batch_op:
        batch_op.drop_column('response_headers')
