"""Itinerary: the kernel's command log (a command runs once) and the inbox's pruning index.

Revision ID: itinerary_0003
Revises: itinerary_0002
"""
from services.common.migrations import create_command_log_v1, drop_command_log_v1

revision = "itinerary_0003"
down_revision = "itinerary_0002"


def upgrade():
    create_command_log_v1()


def downgrade():
    drop_command_log_v1()
