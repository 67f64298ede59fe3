"""Exchange rates keep their history: a rate posted again for the same pair and date adds a row
and marks the one it replaces superseded, instead of overwriting it.

Revision ID: itinerary_0004
Revises: itinerary_0003
"""
import sqlalchemy as sa
from alembic import op

from services.common.db import UtcDateTime

revision = "itinerary_0004"
down_revision = "itinerary_0003"

CURRENT = sa.text("superseded_at IS NULL")


def upgrade():
    with op.batch_alter_table("exchange_rates") as batch:
        batch.drop_constraint("uq_exchange_rates_base", type_="unique")
        batch.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("superseded_at", UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("superseded_by", sa.String(length=120), nullable=True))
    op.create_index("uq_exchange_rates_current", "exchange_rates", ["base", "quote", "valid_from"], unique=True,
                    sqlite_where=CURRENT, postgresql_where=CURRENT)


def downgrade():
    op.execute("DELETE FROM exchange_rates WHERE superseded_at IS NOT NULL")  # the history goes with the columns
    op.drop_index("uq_exchange_rates_current", table_name="exchange_rates")
    with op.batch_alter_table("exchange_rates") as batch:
        batch.drop_column("superseded_by")
        batch.drop_column("superseded_at")
        batch.drop_column("replaces_id")
        batch.create_unique_constraint("uq_exchange_rates_base", ["base", "quote", "valid_from"])
