"""Itineraries from a catalog product keep the season's advertised price, quoted all included.

Revision ID: itinerary_0006
Revises: itinerary_0005
"""
import sqlalchemy as sa
from alembic import op

revision = "itinerary_0006"
down_revision = "itinerary_0005"


def upgrade():
    with op.batch_alter_table("itineraries") as batch:
        batch.add_column(sa.Column("package_price", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("itineraries") as batch:
        batch.drop_column("package_price")
