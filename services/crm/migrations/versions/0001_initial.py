"""CRM: kernel tables and customers.

Revision ID: crm_0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from services.common.db import UtcDateTime
from services.common.migrations import create_kernel_tables_v1

revision = "crm_0001"
down_revision = None


def upgrade():
    create_kernel_tables_v1()
    op.create_table(
        "customers",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("phone", sa.String(40)),
        sa.Column("preferred_language", sa.String(8)),
        sa.Column("notes", sa.Text),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
    )
    op.create_index("ix_customers_email", "customers", ["email"])
    op.create_index("ix_customers_phone", "customers", ["phone"])


def downgrade():
    op.drop_table("customers")
    op.drop_table("inbox")
    op.drop_table("outbox")
