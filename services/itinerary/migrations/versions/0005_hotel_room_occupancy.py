"""Hotel items have an occupancy (people per room): the rooms follow the party.

Revision ID: itinerary_0005
Revises: itinerary_0004
"""
import sqlalchemy as sa
from alembic import op

revision = "itinerary_0005"
down_revision = "itinerary_0004"


def upgrade():
    with op.batch_alter_table("itinerary_items") as batch:
        batch.add_column(sa.Column("occupancy", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("itinerary_items") as batch:
        batch.drop_column("occupancy")
