"""The catalog: regular routes and packages with a template of days, seasons and base prices.

The published list (the counter folder and the website) shows featured products first, by
rank (lowest first), then everything else newest first (by when it was published).
"""
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import selectinload

from services.common.errors import NotFound, ValidationFailed, validated
from services.common.serialization import to_plain

from . import inventory as inv
from .models import CatalogProduct, CatalogSeason
from .plan import item_dates
from .wire import ItemCreateSchema

SCALARS = ("name", "kind", "destination", "summary", "duration_days", "included_services", "excluded_services",
           "featured", "rank")


def get(session, product_id: str, *, lock: bool = False) -> CatalogProduct:
    query = select(CatalogProduct).where(CatalogProduct.id == product_id).options(selectinload(CatalogProduct.seasons))
    product = session.scalars(query.with_for_update() if lock else query).first()
    if product is None:
        raise NotFound(f"No catalog product {product_id}.", {"catalog_product_id": product_id})
    return product


def _seasons(seasons: list[dict]) -> list[CatalogSeason]:
    return [CatalogSeason(name=s["name"], start=s["start"], end=s["end"], currency=s["currency"],
                          adult_price=s["adult_price"], child_price=s["child_price"]) for s in seasons]


def create(session, fields: dict, *, actor: str, now: datetime) -> CatalogProduct:
    existing = session.scalars(select(CatalogProduct.id).where(CatalogProduct.code == fields["code"])).first()
    if existing is not None:
        raise ValidationFailed("A catalog product already has this code.",
                               {"code": [f"Already used by catalog product {existing}."]})
    product = CatalogProduct(id=str(uuid.uuid4()), code=fields["code"], template=to_plain(fields["template"]),
                             published=fields["published"], published_at=now if fields["published"] else None,
                             created_at=now, created_by=actor, updated_at=now, updated_by=actor,
                             **{key: fields[key] for key in SCALARS})
    product.seasons = _seasons(fields["seasons"])
    session.add(product)
    session.flush()
    return product


def update(session, product: CatalogProduct, fields: dict, *, actor: str, now: datetime) -> CatalogProduct:
    duration = fields.get("duration_days", product.duration_days)
    template = fields.get("template", product.template)
    if any(day["day"] > duration for day in template):
        raise ValidationFailed("The template has days beyond duration_days.",
                               {"duration_days": [f"The template has days up to "
                                                  f"{max(d['day'] for d in template)}."]})
    for key in SCALARS:
        if key in fields:
            setattr(product, key, fields[key])
    if "template" in fields:
        product.template = to_plain(fields["template"])
    if "seasons" in fields:
        product.seasons = _seasons(fields["seasons"])
    if "published" in fields:
        if fields["published"] and not product.published:
            product.published_at = now
        product.published = fields["published"]
    product.updated_at, product.updated_by = now, actor
    session.flush()
    return product


def season_on(product: CatalogProduct, on: date) -> CatalogSeason | None:
    return next((s for s in product.seasons if s.start <= on <= s.end), None)


def package_price(product: CatalogProduct, on: date) -> dict | None:
    """The advertised price of a trip starting on `on`: the season covering that date (plain JSON,
    as an itinerary keeps it), or None when no season does (the lines' prices then apply)."""
    season = season_on(product, on)
    if season is None:
        return None
    return {"source": "catalog", "season": season.name, "currency": season.currency,
            "adult_price": str(season.adult_price), "child_price": str(season.child_price)}


def as_dict(product: CatalogProduct) -> dict:
    return {
        "id": product.id, "code": product.code, "name": product.name, "kind": product.kind,
        "destination": product.destination, "summary": product.summary, "duration_days": product.duration_days,
        "template": product.template or [], "included_services": product.included_services or [],
        "excluded_services": product.excluded_services or [], "featured": product.featured, "rank": product.rank,
        "published": product.published, "published_at": product.published_at,
        "seasons": [{"name": s.name, "start": s.start, "end": s.end, "currency": s.currency,
                     "adult_price": s.adult_price, "child_price": s.child_price} for s in product.seasons],
        "created_at": product.created_at, "created_by": product.created_by,
        "updated_at": product.updated_at, "updated_by": product.updated_by,
    }


def search(*, published_only: bool, destination=None, kind=None, featured=None) -> Select:
    """The products that match, in the folder's order (a statement, to page or to limit)."""
    query = select(CatalogProduct).options(selectinload(CatalogProduct.seasons))
    if published_only:
        query = query.where(CatalogProduct.published.is_(True))
    if destination:
        query = query.where(func.lower(CatalogProduct.destination).contains(destination.lower()))
    if kind:
        query = query.where(CatalogProduct.kind == kind)
    if featured is not None:
        query = query.where(CatalogProduct.featured.is_(featured))
    newest = func.coalesce(CatalogProduct.published_at, CatalogProduct.created_at)
    query = query.order_by(CatalogProduct.featured.desc(), case((CatalogProduct.featured.is_(True),
                                                                 CatalogProduct.rank), else_=0),
                           newest.desc(), CatalogProduct.id)
    return query


# --- an itinerary from a product's template ---------------------------------------------------------

@dataclass
class Expansion:
    """A catalog product's template laid out from a start date: what to add to the new itinerary,
    and what to ask ticketing first (prices of its inventory items on their dates)."""

    product_id: str
    days: int
    items: list[tuple[int, dict]] = field(default_factory=list)  # (day number, validated item fields)
    needs: dict[str, set[date]] = field(default_factory=dict)
    season_currency: str | None = None  # the season price's, when one covers the start date

    def currencies(self, fetched: inv.InventoryData) -> set[str]:
        """Every currency the itinerary's lines and package price will be in."""
        return ({f["currency"] for _, f in self.items if f.get("currency")}
                | {p["currency"] for p in fetched.products.values()}
                | ({self.season_currency} if self.season_currency else set()))


def expand(product: CatalogProduct, start: date, days: int | None) -> Expansion:
    """The template's items on their dates, for a trip of `days` days (default: the product's);
    template days beyond the trip are left out. Each item is checked as a new one."""
    days = days or product.duration_days
    season = package_price(product, start)
    expansion = Expansion(product.id, days, season_currency=season["currency"] if season else None)
    for day in product.template or []:
        if day["day"] > days:
            continue
        for raw in day.get("items") or []:
            fields = validated(ItemCreateSchema(), raw)
            on = start + timedelta(days=day["day"] - 1)
            inv.add_need(expansion.needs, fields.get("inventory_product_id"),
                         item_dates(fields["kind"], on, fields.get("nights")))
            expansion.items.append((day["day"], fields))
    return expansion
