"""CRM: the kernel's command log (a command runs once) and the inbox's pruning index.

Revision ID: crm_0003
Revises: crm_0002
"""
from services.common.migrations import create_command_log_v1, drop_command_log_v1

revision = "crm_0003"
down_revision = "crm_0002"


def upgrade():
    create_command_log_v1()


def downgrade():
    drop_command_log_v1()
