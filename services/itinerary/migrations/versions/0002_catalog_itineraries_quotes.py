"""Catalog products and seasons, itineraries with days and items, exchange rates, markup rules,
pricing settings, approvals, and versioned quotes.

Revision ID: itinerary_0002
Revises: itinerary_0001
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from services.common.db import Money, UtcDateTime

revision: str = "itinerary_0002"
down_revision: Union[str, Sequence[str], None] = "itinerary_0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('catalog_products',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('destination', sa.String(length=120), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('duration_days', sa.Integer(), nullable=False),
    sa.Column('template', sa.JSON(), nullable=False),
    sa.Column('included_services', sa.JSON(), nullable=False),
    sa.Column('excluded_services', sa.JSON(), nullable=False),
    sa.Column('featured', sa.Boolean(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('published_at', UtcDateTime(), nullable=True),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_products')),
    sa.UniqueConstraint('code', name=op.f('uq_catalog_products_code'))
    )
    with op.batch_alter_table('catalog_products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_products_published'), ['published'], unique=False)

    op.create_table('exchange_rates',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('base', sa.String(length=3), nullable=False),
    sa.Column('quote', sa.String(length=3), nullable=False),
    sa.Column('rate', Money(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_rates')),
    sa.UniqueConstraint('base', 'quote', 'valid_from', name=op.f('uq_exchange_rates_base'))
    )
    op.create_table('itineraries',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('customer_id', sa.String(length=36), nullable=True),
    sa.Column('inquiry_id', sa.String(length=36), nullable=True),
    sa.Column('catalog_product_id', sa.String(length=36), nullable=True),
    sa.Column('adults', sa.Integer(), nullable=False),
    sa.Column('children', sa.JSON(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('child_factor', Money(), nullable=False),
    sa.Column('discount_percent', Money(), nullable=False),
    sa.Column('service_fee', Money(), nullable=True),
    sa.Column('service_fee_percent', Money(), nullable=True),
    sa.Column('tax_percent', Money(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_itineraries'))
    )
    with op.batch_alter_table('itineraries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_itineraries_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_itineraries_inquiry_id'), ['inquiry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_itineraries_status'), ['status'], unique=False)

    op.create_table('markup_rules',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('scope', sa.String(length=240), nullable=False),
    sa.Column('item_kind', sa.String(length=20), nullable=True),
    sa.Column('supplier', sa.String(length=200), nullable=True),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('value', Money(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_markup_rules')),
    sa.UniqueConstraint('scope', name=op.f('uq_markup_rules_scope'))
    )
    op.create_table('pricing_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('min_margin_percent', Money(), nullable=False),
    sa.Column('max_discount_percent', Money(), nullable=False),
    sa.Column('default_child_factor', Money(), nullable=False),
    sa.Column('service_fee_percent', Money(), nullable=False),
    sa.Column('tax_percent', Money(), nullable=False),
    sa.Column('quote_validity_days', sa.Integer(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pricing_settings'))
    )
    op.create_table('approvals',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('itinerary_id', sa.String(length=36), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('total', Money(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('margin_percent', Money(), nullable=False),
    sa.Column('discount_percent', Money(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('approved_at', UtcDateTime(), nullable=False),
    sa.Column('approved_by', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['itinerary_id'], ['itineraries.id'], name=op.f('fk_approvals_itinerary_id_itineraries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approvals'))
    )
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approvals_itinerary_id'), ['itinerary_id'], unique=False)

    op.create_table('catalog_seasons',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('product_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('adult_price', Money(), nullable=False),
    sa.Column('child_price', Money(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['catalog_products.id'], name=op.f('fk_catalog_seasons_product_id_catalog_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_seasons'))
    )
    with op.batch_alter_table('catalog_seasons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_seasons_product_id'), ['product_id'], unique=False)

    op.create_table('itinerary_days',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('itinerary_id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['itinerary_id'], ['itineraries.id'], name=op.f('fk_itinerary_days_itinerary_id_itineraries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_itinerary_days')),
    sa.UniqueConstraint('itinerary_id', 'number', name=op.f('uq_itinerary_days_itinerary_id'))
    )
    with op.batch_alter_table('itinerary_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_itinerary_days_itinerary_id'), ['itinerary_id'], unique=False)

    op.create_table('itinerary_items',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('itinerary_id', sa.String(length=36), nullable=False),
    sa.Column('day_number', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('service_date', sa.Date(), nullable=False),
    sa.Column('nights', sa.Integer(), nullable=True),
    sa.Column('basis', sa.String(length=20), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=True),
    sa.Column('inventory_product_id', sa.String(length=36), nullable=True),
    sa.Column('supplier_id', sa.String(length=36), nullable=True),
    sa.Column('supplier_name', sa.String(length=200), nullable=True),
    sa.Column('unit_cost', Money(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('costs', sa.JSON(), nullable=True),
    sa.Column('priced_at', UtcDateTime(), nullable=True),
    sa.Column('from_location', sa.String(length=120), nullable=True),
    sa.Column('to_location', sa.String(length=120), nullable=True),
    sa.Column('location', sa.String(length=120), nullable=True),
    sa.Column('single_supplement', sa.Boolean(), nullable=True),
    sa.Column('overnight', sa.Boolean(), nullable=False),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['itinerary_id'], ['itineraries.id'], name=op.f('fk_itinerary_items_itinerary_id_itineraries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_itinerary_items'))
    )
    with op.batch_alter_table('itinerary_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_itinerary_items_inventory_product_id'), ['inventory_product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_itinerary_items_itinerary_id'), ['itinerary_id'], unique=False)

    op.create_table('quotes',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('itinerary_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('total', Money(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('issued_at', UtcDateTime(), nullable=False),
    sa.Column('issued_by', sa.String(length=120), nullable=False),
    sa.Column('decided_at', UtcDateTime(), nullable=True),
    sa.Column('decided_by', sa.String(length=120), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['itinerary_id'], ['itineraries.id'], name=op.f('fk_quotes_itinerary_id_itineraries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quotes')),
    sa.UniqueConstraint('itinerary_id', 'version', name=op.f('uq_quotes_itinerary_id'))
    )
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quotes_itinerary_id'), ['itinerary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quotes_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_quotes_valid_until'), ['valid_until'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quotes_valid_until'))
        batch_op.drop_index(batch_op.f('ix_quotes_status'))
        batch_op.drop_index(batch_op.f('ix_quotes_itinerary_id'))

    op.drop_table('quotes')
    with op.batch_alter_table('itinerary_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_itinerary_items_itinerary_id'))
        batch_op.drop_index(batch_op.f('ix_itinerary_items_inventory_product_id'))

    op.drop_table('itinerary_items')
    with op.batch_alter_table('itinerary_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_itinerary_days_itinerary_id'))

    op.drop_table('itinerary_days')
    with op.batch_alter_table('catalog_seasons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_seasons_product_id'))

    op.drop_table('catalog_seasons')
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approvals_itinerary_id'))

    op.drop_table('approvals')
    op.drop_table('pricing_settings')
    op.drop_table('markup_rules')
    with op.batch_alter_table('itineraries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_itineraries_status'))
        batch_op.drop_index(batch_op.f('ix_itineraries_inquiry_id'))
        batch_op.drop_index(batch_op.f('ix_itineraries_customer_id'))

    op.drop_table('itineraries')
    op.drop_table('exchange_rates')
    with op.batch_alter_table('catalog_products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_products_published'))

    op.drop_table('catalog_products')
