"""Ticketing: the kernel's outbox and inbox.

Revision ID: ticketing_0001
Revises:
"""
from alembic import op

from services.common.migrations import create_kernel_tables_v1

revision = "ticketing_0001"
down_revision = None


def upgrade():
    create_kernel_tables_v1()


def downgrade():
    op.drop_table("inbox")
    op.drop_table("outbox")
