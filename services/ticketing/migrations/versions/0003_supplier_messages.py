"""supplier message log: answered OTA EchoTokens and AMQP message ids

Revision ID: ticketing_0003
Revises: ticketing_0002


"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from services.common.db import UtcDateTime


# revision identifiers, used by Alembic.
revision: str = 'ticketing_0003'
down_revision: Union[str, Sequence[str], None] = 'ticketing_0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('supplier_messages',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('supplier_id', sa.String(length=36), nullable=False),
    sa.Column('message_type', sa.String(length=60), nullable=False),
    sa.Column('message_id', sa.String(length=120), nullable=False),
    sa.Column('channel', sa.String(length=30), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('received_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_supplier_messages_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier_messages')),
    sa.UniqueConstraint('supplier_id', 'message_type', 'message_id', name=op.f('uq_supplier_messages_supplier_id'))
    )
    with op.batch_alter_table('supplier_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_messages_received_at'), ['received_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('supplier_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplier_messages_received_at'))

    op.drop_table('supplier_messages')
