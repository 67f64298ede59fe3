"""Ticketing: the kernel's command log (a command runs once) and the inbox's pruning index.

Revision ID: ticketing_0004
Revises: ticketing_0003
"""
from services.common.migrations import create_command_log_v1, drop_command_log_v1

revision = "ticketing_0004"
down_revision = "ticketing_0003"


def upgrade():
    create_command_log_v1()


def downgrade():
    drop_command_log_v1()
