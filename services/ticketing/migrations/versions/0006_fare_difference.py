"""the fare difference of a change, kept on the line the change made

Revision ID: ticketing_0006
Revises: ticketing_0005

Lines changes made before this revision get theirs from the prices kept on both lines.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from services.common.db import Money


revision: str = 'ticketing_0006'
down_revision: Union[str, Sequence[str], None] = 'ticketing_0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('booking_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fare_difference', Money(), nullable=True))
    bind = op.get_bind()
    lines = sa.table('booking_lines', sa.column('id', sa.Integer), sa.column('sell_price', Money()),
                     sa.column('quantity', sa.Integer), sa.column('replaces_line_id', sa.Integer),
                     sa.column('fare_difference', Money()))
    old = lines.alias('old')
    # Computed in Python: SQLite keeps money as text, and arithmetic in SQL would go through floats.
    for line_id, new_price, old_price, quantity in bind.execute(
            sa.select(lines.c.id, lines.c.sell_price, old.c.sell_price, old.c.quantity)
            .join(old, old.c.id == lines.c.replaces_line_id)).all():
        bind.execute(lines.update().where(lines.c.id == line_id)
                     .values(fare_difference=(new_price - old_price) * quantity))


def downgrade() -> None:
    with op.batch_alter_table('booking_lines', schema=None) as batch_op:
        batch_op.drop_column('fare_difference')
