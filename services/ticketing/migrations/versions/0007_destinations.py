"""destinations: where a product takes the traveller, kept on each booking line

Revision ID: ticketing_0007
Revises: ticketing_0006

Products made before this revision take their location as destination, and their booking lines
their product's destination.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'ticketing_0007'
down_revision: Union[str, Sequence[str], None] = 'ticketing_0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('destination', sa.String(length=120), nullable=True))
    with op.batch_alter_table('booking_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('destination', sa.String(length=120), nullable=True))
    op.execute("UPDATE products SET destination = location")
    op.execute("UPDATE booking_lines SET destination = "
               "(SELECT products.destination FROM products WHERE products.id = booking_lines.product_id)")
    op.execute("UPDATE booking_lines SET destination = '' WHERE destination IS NULL")  # a line of no known product
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.alter_column('destination', existing_type=sa.String(length=120), nullable=False)
    with op.batch_alter_table('booking_lines', schema=None) as batch_op:
        batch_op.alter_column('destination', existing_type=sa.String(length=120), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('booking_lines', schema=None) as batch_op:
        batch_op.drop_column('destination')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_column('destination')
