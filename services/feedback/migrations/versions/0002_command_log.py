"""Feedback: the kernel's command log (a command runs once) and the inbox's pruning index.

Revision ID: feedback_0002
Revises: feedback_0001
"""
from services.common.migrations import create_command_log_v1, drop_command_log_v1

revision = "feedback_0002"
down_revision = "feedback_0001"


def upgrade():
    create_command_log_v1()


def downgrade():
    drop_command_log_v1()
