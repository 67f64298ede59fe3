"""Contracts: the kernel's command log (a command runs once) and the inbox's pruning index.

Revision ID: contracts_0002
Revises: contracts_0001
"""
from services.common.migrations import create_command_log_v1, drop_command_log_v1

revision = "contracts_0002"
down_revision = "contracts_0001"


def upgrade():
    create_command_log_v1()


def downgrade():
    drop_command_log_v1()
