"""Itinerary's own tables. No other service reads them.

- catalog: the agency's regular routes and packages, with a template of days and seasons.
- itineraries: a trip being designed for a customer, its days and priced items.
- pricing: exchange rates, markup rules, the agency's pricing settings, managers' approvals.
- quotes: issued versions, each an immutable snapshot (JSON, plain strings for money and dates)
  from which a quote sheet can be rendered without reading anything else.
"""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.common.db import Money, UtcDateTime, service_metadata


class Base(DeclarativeBase):
    metadata = service_metadata()


class CatalogProduct(Base):
    """A regular route or package: "7 days Yunnan by special train", "Charter to Cancun"."""

    __tablename__ = "catalog_products"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # route, package
    destination: Mapped[str | None] = mapped_column(String(120))
    summary: Mapped[str | None] = mapped_column(Text)
    duration_days: Mapped[int] = mapped_column(Integer)
    # [{"day": 1, "title": ..., "description": ..., "items": [item fields without dates]}]
    template: Mapped[list] = mapped_column(JSON, default=list)
    included_services: Mapped[list] = mapped_column(JSON, default=list)
    excluded_services: Mapped[list] = mapped_column(JSON, default=list)
    featured: Mapped[bool] = mapped_column(Boolean, default=False)
    rank: Mapped[int] = mapped_column(Integer, default=100)  # featured products: lower rank first
    published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))

    seasons: Mapped[list["CatalogSeason"]] = relationship(
        back_populates="product", order_by="CatalogSeason.start", cascade="all, delete-orphan")


class CatalogSeason(Base):
    """A season of a catalog product with its base prices per adult and per child."""

    __tablename__ = "catalog_seasons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("catalog_products.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    adult_price: Mapped[Decimal] = mapped_column(Money)
    child_price: Mapped[Decimal] = mapped_column(Money)

    product: Mapped[CatalogProduct] = relationship(back_populates="seasons")


class Itinerary(Base):
    __tablename__ = "itineraries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), index=True)  # draft, quoted, accepted
    origin: Mapped[str] = mapped_column(String(20))  # blank, inquiry, catalog
    customer_id: Mapped[str | None] = mapped_column(String(36), index=True)
    inquiry_id: Mapped[str | None] = mapped_column(String(36), index=True)
    catalog_product_id: Mapped[str | None] = mapped_column(String(36))
    adults: Mapped[int] = mapped_column(Integer)
    children: Mapped[list] = mapped_column(JSON, default=list)  # [{"age": 8, "name": "..."}]
    start_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    child_factor: Mapped[Decimal] = mapped_column(Money)
    discount_percent: Mapped[Decimal] = mapped_column(Money)
    service_fee: Mapped[Decimal | None] = mapped_column(Money)        # fixed, in the itinerary currency
    service_fee_percent: Mapped[Decimal | None] = mapped_column(Money)  # else this, else the settings'
    tax_percent: Mapped[Decimal | None] = mapped_column(Money)          # else the settings'
    # The advertised price the customer is quoted, all included (None: the lines' prices):
    # {"source": "catalog" | "consultant", "season", "currency", "adult_price", "child_price"}
    package_price: Mapped[dict | None] = mapped_column(JSON)
    notes: Mapped[str | None] = mapped_column(Text)
    # Bumped by every change that can move a price: an approval holds for one revision only.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))

    days: Mapped[list["ItineraryDay"]] = relationship(
        back_populates="itinerary", order_by="ItineraryDay.number", cascade="all, delete-orphan")
    items: Mapped[list["ItineraryItem"]] = relationship(
        back_populates="itinerary", order_by="ItineraryItem.id", cascade="all, delete-orphan")


class ItineraryDay(Base):
    __tablename__ = "itinerary_days"
    __table_args__ = (UniqueConstraint("itinerary_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    itinerary_id: Mapped[str] = mapped_column(ForeignKey("itineraries.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1 is the start date
    title: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)

    itinerary: Mapped[Itinerary] = relationship(back_populates="days")


class ItineraryItem(Base):
    """A flight, train, hotel stay, transfer, ticket... either from ticketing or a manual component.

    An inventory item keeps the prices ticketing gave when it was added or last refreshed
    (`costs`, one entry per date it uses): a quote is priced from these, without a call.
    A manual item has a supplier name, a net unit cost and a currency.
    """

    __tablename__ = "itinerary_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    itinerary_id: Mapped[str] = mapped_column(ForeignKey("itineraries.id"), index=True)
    day_number: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(200))
    service_date: Mapped[date] = mapped_column(Date)  # hotels: the check-in date
    nights: Mapped[int | None] = mapped_column(Integer)  # hotels only
    basis: Mapped[str] = mapped_column(String(20))  # per_person, per_unit, per_night
    quantity: Mapped[int | None] = mapped_column(Integer)  # None: follows the party
    inventory_product_id: Mapped[str | None] = mapped_column(String(36), index=True)
    supplier_id: Mapped[str | None] = mapped_column(String(36))
    supplier_name: Mapped[str | None] = mapped_column(String(200))
    unit_cost: Mapped[Decimal | None] = mapped_column(Money)  # manual items: net per unit (per night)
    currency: Mapped[str] = mapped_column(String(3))
    # Inventory items: [{"date": "2027-05-01", "net_price": "150.00", "sell_price": "189.00"}]
    costs: Mapped[list | None] = mapped_column(JSON)
    priced_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    from_location: Mapped[str | None] = mapped_column(String(120))
    to_location: Mapped[str | None] = mapped_column(String(120))
    location: Mapped[str | None] = mapped_column(String(120))
    single_supplement: Mapped[bool | None] = mapped_column(Boolean)  # None: when the adults are odd
    overnight: Mapped[bool] = mapped_column(Boolean, default=False)  # a night on board (sleeper, red-eye)
    # Hotels: people per room, set by the planner; None: the product's max_occupancy, else 2.
    occupancy: Mapped[int | None] = mapped_column(Integer)
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))

    itinerary: Mapped[Itinerary] = relationship(back_populates="items")


class ExchangeRate(Base):
    """1 base = rate quote, from valid_from on (until a newer row for the pair).

    Rows are never overwritten: posting the same pair and date again adds a row that replaces
    the current one, which is kept, marked superseded (history for audits and disputes). Only
    current rows (superseded_at NULL) price anything; one current row per pair and date.
    """

    __tablename__ = "exchange_rates"
    __table_args__ = (Index("uq_exchange_rates_current", "base", "quote", "valid_from", unique=True,
                            sqlite_where=text("superseded_at IS NULL"),
                            postgresql_where=text("superseded_at IS NULL")),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    base: Mapped[str] = mapped_column(String(3))
    quote: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(Money)
    valid_from: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    replaces_id: Mapped[int | None] = mapped_column(Integer)  # the row this one superseded
    superseded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    superseded_by: Mapped[str | None] = mapped_column(String(120))


class MarkupRule(Base):
    """A markup by item kind, by supplier, or both; the most specific matching rule wins."""

    __tablename__ = "markup_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # "<kind or *>|<supplier casefolded or *>": one rule per scope.
    scope: Mapped[str] = mapped_column(String(240), unique=True)
    item_kind: Mapped[str | None] = mapped_column(String(20))
    supplier: Mapped[str | None] = mapped_column(String(200))  # a ticketing supplier id or a supplier name
    method: Mapped[str] = mapped_column(String(10))  # percent, fixed
    value: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))  # fixed markups only
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))


class PricingSettings(Base):
    """The agency's pricing policy: one row (id 1); code defaults apply until it is first saved."""

    __tablename__ = "pricing_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    min_margin_percent: Mapped[Decimal] = mapped_column(Money)
    max_discount_percent: Mapped[Decimal] = mapped_column(Money)
    default_child_factor: Mapped[Decimal] = mapped_column(Money)
    service_fee_percent: Mapped[Decimal] = mapped_column(Money)
    tax_percent: Mapped[Decimal] = mapped_column(Money)
    quote_validity_days: Mapped[int] = mapped_column(Integer)
    terms: Mapped[dict] = mapped_column(JSON)  # default cancellation and payment terms
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))


class Approval(Base):
    """A manager's approval of one revision of an itinerary at one price."""

    __tablename__ = "approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    itinerary_id: Mapped[str] = mapped_column(ForeignKey("itineraries.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    total: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    margin_percent: Mapped[Decimal] = mapped_column(Money)
    discount_percent: Mapped[Decimal] = mapped_column(Money)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    approved_at: Mapped[datetime] = mapped_column(UtcDateTime)
    approved_by: Mapped[str] = mapped_column(String(120))


class Quote(Base):
    """An issued version. The snapshot never changes; status moves issued -> accepted, rejected,
    expired or superseded (by a newer version)."""

    __tablename__ = "quotes"
    __table_args__ = (UniqueConstraint("itinerary_id", "version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    itinerary_id: Mapped[str] = mapped_column(ForeignKey("itineraries.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(Money)
    valid_until: Mapped[date] = mapped_column(Date, index=True)
    snapshot: Mapped[dict] = mapped_column(JSON)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    issued_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # accepted, rejected, expired, superseded
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decision_note: Mapped[str | None] = mapped_column(Text)
