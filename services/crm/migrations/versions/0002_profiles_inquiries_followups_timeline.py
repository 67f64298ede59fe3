"""customer profiles, contacts, inquiries and transitions, follow-ups, timeline

Revision ID: crm_0002
Revises: crm_0001

Existing customers keep their email and phone as the first of their lists; their folded search
name and normalized contacts are filled in here (with a frozen copy of the folding rules).
"""
import re
import unicodedata
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from services.common.db import Money, UtcDateTime


# revision identifiers, used by Alembic.
revision: str = 'crm_0002'
down_revision: Union[str, Sequence[str], None] = 'crm_0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

EMPTY_LIST = sa.text("'[]'")
EMPTY_TEXT = sa.text("''")


def _fold(text):
    if not text:
        return ""
    stripped = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", stripped).casefold()).strip()


def _phone(value):
    value = (value or "").strip()
    digits = re.sub(r"\D", "", value)
    if not value.startswith("+") and digits.startswith("00"):
        digits = digits[2:]
    return "+" + digits if digits else ""


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_name', sa.String(length=400), nullable=False, server_default=EMPTY_TEXT))
        batch_op.add_column(sa.Column('emails', sa.JSON(), nullable=False, server_default=EMPTY_LIST))
        batch_op.add_column(sa.Column('phones', sa.JSON(), nullable=False, server_default=EMPTY_LIST))
        batch_op.add_column(sa.Column('date_of_birth', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('nationality', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('documents', sa.JSON(), nullable=False, server_default=EMPTY_LIST))
        batch_op.add_column(sa.Column('preferences', sa.JSON(), nullable=False, server_default=EMPTY_LIST))
        batch_op.add_column(sa.Column('interests', sa.JSON(), nullable=False, server_default=EMPTY_LIST))
        batch_op.add_column(sa.Column('interests_search', sa.Text(), nullable=False, server_default=EMPTY_TEXT))
        batch_op.add_column(sa.Column('dietary_needs', sa.JSON(), nullable=False, server_default=EMPTY_LIST))
        batch_op.add_column(sa.Column('accessibility_needs', sa.JSON(), nullable=False, server_default=EMPTY_LIST))
        batch_op.add_column(sa.Column('marketing_consent', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('marketing_consent_at', UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column('tags', sa.JSON(), nullable=False, server_default=EMPTY_LIST))
        batch_op.add_column(sa.Column('tags_search', sa.Text(), nullable=False, server_default=EMPTY_TEXT))
        batch_op.add_column(sa.Column('past_destinations', sa.JSON(), nullable=False, server_default=EMPTY_LIST))
        batch_op.add_column(sa.Column('destinations_search', sa.Text(), nullable=False, server_default=EMPTY_TEXT))
        batch_op.add_column(sa.Column('last_trip_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column('updated_by', sa.String(length=120), nullable=True))
        batch_op.create_index(batch_op.f('ix_customers_search_name'), ['search_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_customers_last_trip_date'), ['last_trip_date'], unique=False)

    op.create_table('customer_contacts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('value', sa.String(length=254), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_contacts_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_contacts'))
    )
    with op.batch_alter_table('customer_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_contacts_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_customer_contacts_kind_value', ['kind', 'value'], unique=False)

    op.create_table('inquiries',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('customer_id', sa.String(length=36), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('destinations', sa.JSON(), nullable=False),
    sa.Column('destinations_search', sa.Text(), nullable=False),
    sa.Column('travel_start', sa.Date(), nullable=True),
    sa.Column('travel_end', sa.Date(), nullable=True),
    sa.Column('travel_month', sa.String(length=7), nullable=True),
    sa.Column('nights', sa.Integer(), nullable=True),
    sa.Column('adults', sa.Integer(), nullable=True),
    sa.Column('children', sa.JSON(), nullable=False),
    sa.Column('budget_amount', Money(), nullable=True),
    sa.Column('budget_currency', sa.String(length=3), nullable=True),
    sa.Column('interests', sa.JSON(), nullable=False),
    sa.Column('special_requests', sa.Text(), nullable=True),
    sa.Column('consultant', sa.String(length=120), nullable=True),
    sa.Column('source_campaign', sa.String(length=120), nullable=True),
    sa.Column('lost_reason', sa.Text(), nullable=True),
    sa.Column('status_changed_at', UtcDateTime(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=True),
    sa.Column('updated_by', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_inquiries_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inquiries'))
    )
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inquiries_channel'), ['channel'], unique=False)
        batch_op.create_index(batch_op.f('ix_inquiries_consultant'), ['consultant'], unique=False)
        batch_op.create_index(batch_op.f('ix_inquiries_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_inquiries_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inquiries_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_inquiries_travel_month'), ['travel_month'], unique=False)

    op.create_table('inquiry_transitions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('inquiry_id', sa.String(length=36), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('changed_by', sa.String(length=120), nullable=False),
    sa.Column('changed_at', UtcDateTime(), nullable=False),
    sa.Column('source_event_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['inquiry_id'], ['inquiries.id'], name=op.f('fk_inquiry_transitions_inquiry_id_inquiries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inquiry_transitions'))
    )
    with op.batch_alter_table('inquiry_transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inquiry_transitions_inquiry_id'), ['inquiry_id'], unique=False)

    op.create_table('follow_ups',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('customer_id', sa.String(length=36), nullable=False),
    sa.Column('inquiry_id', sa.String(length=36), nullable=True),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('due_at', UtcDateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('done_at', UtcDateTime(), nullable=True),
    sa.Column('done_by', sa.String(length=120), nullable=True),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_follow_ups_customer_id_customers')),
    sa.ForeignKeyConstraint(['inquiry_id'], ['inquiries.id'], name=op.f('fk_follow_ups_inquiry_id_inquiries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups'))
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_ups_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_ups_inquiry_id'), ['inquiry_id'], unique=False)
        batch_op.create_index('ix_follow_ups_owner_done_due', ['owner', 'done', 'due_at'], unique=False)

    op.create_table('timeline_entries',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.String(length=36), nullable=False),
    sa.Column('occurred_at', UtcDateTime(), nullable=False),
    sa.Column('kind', sa.String(length=100), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('source_event_id', sa.String(length=36), nullable=True),
    sa.Column('ref_type', sa.String(length=40), nullable=True),
    sa.Column('ref_id', sa.String(length=64), nullable=True),
    sa.Column('actor', sa.String(length=120), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('recorded_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_timeline_entries_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timeline_entries')),
    sa.UniqueConstraint('source_event_id', 'customer_id', name='uq_timeline_entries_source_event_id')
    )
    with op.batch_alter_table('timeline_entries', schema=None) as batch_op:
        batch_op.create_index('ix_timeline_entries_customer_occurred', ['customer_id', 'occurred_at'], unique=False)

    _backfill_customers()


def _backfill_customers():
    """Customers from crm_0001: lists, folded name, normalized contacts, a first timeline entry."""
    bind = op.get_bind()
    customers = sa.table('customers', sa.column('id', sa.String), sa.column('full_name', sa.String),
                         sa.column('email', sa.String), sa.column('phone', sa.String),
                         sa.column('created_at', UtcDateTime()), sa.column('created_by', sa.String),
                         sa.column('search_name', sa.String), sa.column('emails', sa.JSON),
                         sa.column('phones', sa.JSON))
    contacts = sa.table('customer_contacts', sa.column('customer_id', sa.String), sa.column('kind', sa.String),
                        sa.column('value', sa.String))
    entries = sa.table('timeline_entries', sa.column('customer_id', sa.String),
                       sa.column('occurred_at', UtcDateTime()), sa.column('kind', sa.String),
                       sa.column('summary', sa.String), sa.column('source', sa.String),
                       sa.column('ref_type', sa.String), sa.column('ref_id', sa.String),
                       sa.column('actor', sa.String), sa.column('payload', sa.JSON),
                       sa.column('recorded_at', UtcDateTime()))
    rows = bind.execute(sa.select(customers.c.id, customers.c.full_name, customers.c.email, customers.c.phone,
                                  customers.c.created_at, customers.c.created_by)).all()
    for row in rows:
        emails = [row.email] if row.email else []
        phones = [row.phone] if row.phone else []
        bind.execute(customers.update().where(customers.c.id == row.id).values(
            search_name=_fold(row.full_name), emails=emails, phones=phones))
        for email in emails:
            bind.execute(contacts.insert().values(customer_id=row.id, kind='email', value=email.strip().lower()))
        for phone in phones:
            if _phone(phone):
                bind.execute(contacts.insert().values(customer_id=row.id, kind='phone', value=_phone(phone)))
        bind.execute(entries.insert().values(
            customer_id=row.id, occurred_at=row.created_at, kind='crm.customer_created',
            summary='Customer registered', source='crm', ref_type='customer', ref_id=row.id,
            actor=row.created_by, payload={}, recorded_at=row.created_at))


def downgrade() -> None:
    """Downgrade schema. Inquiries, follow-ups, the timeline and the profile fields are dropped;
    each customer keeps its primary email and phone."""
    with op.batch_alter_table('timeline_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_timeline_entries_customer_occurred')
    op.drop_table('timeline_entries')

    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_ups_owner_done_due')
        batch_op.drop_index(batch_op.f('ix_follow_ups_inquiry_id'))
        batch_op.drop_index(batch_op.f('ix_follow_ups_customer_id'))
    op.drop_table('follow_ups')

    with op.batch_alter_table('inquiry_transitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inquiry_transitions_inquiry_id'))
    op.drop_table('inquiry_transitions')

    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inquiries_travel_month'))
        batch_op.drop_index(batch_op.f('ix_inquiries_status'))
        batch_op.drop_index(batch_op.f('ix_inquiries_customer_id'))
        batch_op.drop_index(batch_op.f('ix_inquiries_created_at'))
        batch_op.drop_index(batch_op.f('ix_inquiries_consultant'))
        batch_op.drop_index(batch_op.f('ix_inquiries_channel'))
    op.drop_table('inquiries')

    with op.batch_alter_table('customer_contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_contacts_kind_value')
        batch_op.drop_index(batch_op.f('ix_customer_contacts_customer_id'))
    op.drop_table('customer_contacts')

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customers_last_trip_date'))
        batch_op.drop_index(batch_op.f('ix_customers_search_name'))
        for column in ('updated_by', 'updated_at', 'last_trip_date', 'destinations_search', 'past_destinations',
                       'tags_search', 'tags', 'marketing_consent_at', 'marketing_consent', 'accessibility_needs',
                       'dietary_needs', 'interests_search', 'interests', 'preferences', 'documents', 'nationality',
                       'date_of_birth', 'phones', 'emails', 'search_name'):
            batch_op.drop_column(column)
