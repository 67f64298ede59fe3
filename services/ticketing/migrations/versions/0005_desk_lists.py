"""desk lists: booking travellers to search by name and phone, indexes for the lists

Revision ID: ticketing_0005
Revises: ticketing_0004

Bookings made before this revision get their traveller rows from their lines' travellers.
"""
import json
import re
import unicodedata
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'ticketing_0005'
down_revision: Union[str, Sequence[str], None] = 'ticketing_0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _fold(text):
    # As services.common.text.fold at the time of this revision (a migration never imports live rules).
    stripped = "".join(c for c in unicodedata.normalize("NFKD", text or "") if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", stripped).casefold()).strip()


def upgrade() -> None:
    op.create_table('booking_travellers',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('booking_id', sa.String(length=36), nullable=False),
    sa.Column('name_search', sa.String(length=200), nullable=False),
    sa.Column('phone_digits', sa.String(length=40), nullable=True),
    sa.Column('customer_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_travellers_booking_id_bookings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_travellers'))
    )
    with op.batch_alter_table('booking_travellers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_travellers_booking_id'), ['booking_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_travellers_name_search'), ['name_search'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_travellers_phone_digits'), ['phone_digits'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_travellers_customer_id'), ['customer_id'], unique=False)
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bookings_created_at'), ['created_at'], unique=False)
    with op.batch_alter_table('booking_lines', schema=None) as batch_op:
        batch_op.create_index('ix_booking_lines_day_product_id', ['day', 'product_id'], unique=False)
    with op.batch_alter_table('holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holds_created_at'), ['created_at'], unique=False)
    with op.batch_alter_table('hold_lines', schema=None) as batch_op:
        batch_op.create_index('ix_hold_lines_day_product_id', ['day', 'product_id'], unique=False)

    bind = op.get_bind()
    lines = bind.execute(sa.text("SELECT booking_id, travellers FROM booking_lines ORDER BY booking_id, id"))
    rows, seen = [], set()
    for booking_id, travellers in lines:
        if isinstance(travellers, str):
            travellers = json.loads(travellers)
        for traveller in travellers or ():
            digits = re.sub(r"\D", "", traveller.get("phone") or "") or None
            key = (booking_id, _fold(traveller.get("name")), digits, traveller.get("customer_id"))
            if key[1] and key not in seen:
                seen.add(key)
                rows.append({"booking_id": booking_id, "name_search": key[1][:200], "phone_digits": digits,
                             "customer_id": key[3]})
    if rows:
        bind.execute(sa.text("INSERT INTO booking_travellers (booking_id, name_search, phone_digits, customer_id) "
                             "VALUES (:booking_id, :name_search, :phone_digits, :customer_id)"), rows)


def downgrade() -> None:
    with op.batch_alter_table('hold_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_hold_lines_day_product_id')
    with op.batch_alter_table('holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holds_created_at'))
    with op.batch_alter_table('booking_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_booking_lines_day_product_id')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bookings_created_at'))
    with op.batch_alter_table('booking_travellers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_travellers_customer_id'))
        batch_op.drop_index(batch_op.f('ix_booking_travellers_phone_digits'))
        batch_op.drop_index(batch_op.f('ix_booking_travellers_name_search'))
        batch_op.drop_index(batch_op.f('ix_booking_travellers_booking_id'))
    op.drop_table('booking_travellers')
