"""The agency's pricing policy: settings, exchange rates, markup rules, managers' approvals."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from services.common.db import as_dict
from services.common.errors import Conflict, NotFound, ValidationFailed
from services.common.serialization import to_plain

from . import costing, itineraries
from .models import Approval, ExchangeRate, Itinerary, MarkupRule, PricingSettings

DEFAULT_TERMS = {
    # Cancelling this many days or fewer before departure costs this % of the total.
    "cancellation": [{"days_before": 45, "penalty_percent": "10"}, {"days_before": 30, "penalty_percent": "25"},
                     {"days_before": 14, "penalty_percent": "50"}, {"days_before": 3, "penalty_percent": "100"}],
    "payment": {"deposit_percent": "30", "deposit_due_days": 3, "balance_due_days_before_departure": 30},
    "notes": None,
}

DEFAULTS = {
    "min_margin_percent": Decimal("10"),
    "max_discount_percent": Decimal("5"),
    "default_child_factor": Decimal("0.75"),
    "service_fee_percent": Decimal("0"),
    "tax_percent": Decimal("0"),
    "quote_validity_days": 14,
    "terms": DEFAULT_TERMS,
    "updated_at": None,
    "updated_by": None,
}


# --- settings ------------------------------------------------------------------------------------

def settings(session) -> dict:
    row = session.get(PricingSettings, 1)
    if row is None:
        return dict(DEFAULTS)
    return {key: getattr(row, key) for key in DEFAULTS}


def save_settings(session, fields: dict, *, actor: str, now: datetime) -> dict:
    row = session.get(PricingSettings, 1)
    if row is None:
        row = PricingSettings(id=1)
        session.add(row)
    for key, value in fields.items():
        setattr(row, key, to_plain(value) if key == "terms" else value)
    row.updated_at, row.updated_by = now, actor
    session.flush()
    return settings(session)


def pricing_for(itinerary: Itinerary, policy: dict) -> costing.Pricing:
    """The itinerary's own pricing fields, the settings' where it has none."""
    return costing.Pricing(
        package=itineraries.package_of(itinerary),
        child_factor=itinerary.child_factor,
        discount_percent=itinerary.discount_percent or Decimal(0),
        service_fee=itinerary.service_fee,
        service_fee_percent=itinerary.service_fee_percent if itinerary.service_fee_percent is not None
        else Decimal(policy["service_fee_percent"]),
        tax_percent=itinerary.tax_percent if itinerary.tax_percent is not None else Decimal(policy["tax_percent"]),
        min_margin_percent=Decimal(policy["min_margin_percent"]),
        max_discount_percent=Decimal(policy["max_discount_percent"]),
    )


# --- exchange rates ------------------------------------------------------------------------------

def set_rate(session, fields: dict, *, actor: str, now: datetime, today: date) -> tuple[ExchangeRate,
                                                                                     ExchangeRate | None]:
    """Add a rate from valid_from on: (the new row, the row it replaced or None).

    The same pair and date again is a correction: a new row; the current one is kept, marked
    superseded, so what was in force when is never lost. Quotes already issued keep the rate they
    locked in their snapshot."""
    valid_from = fields.get("valid_from") or today
    current = session.scalars(select(ExchangeRate).where(
        ExchangeRate.base == fields["base"], ExchangeRate.quote == fields["quote"],
        ExchangeRate.valid_from == valid_from, ExchangeRate.superseded_at.is_(None)).with_for_update()).first()
    if current is not None:
        current.superseded_at, current.superseded_by = now, actor
        session.flush()  # out of the one-current-row index before the new row goes in
    row = ExchangeRate(base=fields["base"], quote=fields["quote"], valid_from=valid_from, rate=fields["rate"],
                       created_at=now, created_by=actor, replaces_id=None if current is None else current.id)
    session.add(row)
    session.flush()
    return row, current


def rate_dict(row: ExchangeRate) -> dict:
    record = {key: getattr(row, key) for key in ("id", "base", "quote", "rate", "valid_from", "created_at",
                                                 "created_by", "replaces_id", "superseded_at", "superseded_by")}
    return record | {"current": row.superseded_at is None}


def set_rate_answer(row: ExchangeRate, replaced: ExchangeRate | None) -> dict:
    """The new rate, and what it replaced (null when the pair had no rate from that date)."""
    return rate_dict(row) | {"replaced": None if replaced is None else {
        key: getattr(replaced, key) for key in ("id", "rate", "created_at", "created_by")}}


def list_rates(session, *, base=None, quote=None, history=False) -> list[ExchangeRate]:
    """Current rates, newest valid_from first per pair; history=True adds the superseded rows."""
    query = select(ExchangeRate)
    if not history:
        query = query.where(ExchangeRate.superseded_at.is_(None))
    if base:
        query = query.where(ExchangeRate.base == base)
    if quote:
        query = query.where(ExchangeRate.quote == quote)
    return list(session.scalars(query.order_by(ExchangeRate.base, ExchangeRate.quote, ExchangeRate.valid_from.desc(),
                                               ExchangeRate.id.desc())))


def rate_book(session, as_of: date) -> costing.RateBook:
    rows = session.execute(select(ExchangeRate.id, ExchangeRate.base, ExchangeRate.quote, ExchangeRate.rate,
                                  ExchangeRate.valid_from).where(ExchangeRate.valid_from <= as_of,
                                                                 ExchangeRate.superseded_at.is_(None)))
    return costing.RateBook([costing.Rate(r.base, r.quote, r.rate, r.valid_from, r.id) for r in rows], as_of)


def missing_rate_error(error: costing.MissingRates, field_name: str = "currency") -> ValidationFailed:
    return ValidationFailed(
        f"No exchange rate: {error}. Add one with POST /api/v1/exchange-rates.",
        {field_name: [f"No exchange rate from {a} to {b} valid on {error.as_of}." for a, b in error.pairs]})


def require_rates(session, itinerary_currency: str, currencies: set[str], today: date) -> None:
    """Refuse (422 on currency) a change that brings in a currency with no rate to the itinerary's."""
    try:
        rate_book(session, today).require({(c, itinerary_currency) for c in currencies})
    except costing.MissingRates as exc:
        raise missing_rate_error(exc) from None


def cost_sheet(session, itinerary: Itinerary, today: date, policy: dict | None = None) -> dict:
    """The itinerary's cost sheet under the current policy, markup rules and today's rates."""
    policy = policy or settings(session)
    rules = [costing_rule(r) for r in list_rules(session)]
    try:
        return costing.cost_sheet(itineraries.plan_of(itinerary), pricing_for(itinerary, policy), rules,
                                  rate_book(session, today))
    except costing.MissingRates as exc:
        raise missing_rate_error(exc) from None


# --- markup rules --------------------------------------------------------------------------------

def _scope(kind: str | None, supplier: str | None) -> str:
    return f"{kind or '*'}|{supplier.strip().casefold() if supplier else '*'}"


def _unique_scope(session, scope: str, exclude_id: int | None = None) -> None:
    existing = session.scalars(select(MarkupRule).where(MarkupRule.scope == scope)).first()
    if existing is not None and existing.id != exclude_id:
        raise Conflict(f"Markup rule {existing.id} already covers this kind and supplier; change that one.",
                       {"rule_id": existing.id})


def create_rule(session, fields: dict, *, actor: str, now: datetime) -> MarkupRule:
    scope = _scope(fields.get("item_kind"), fields.get("supplier"))
    _unique_scope(session, scope)
    rule = MarkupRule(scope=scope, item_kind=fields.get("item_kind"),
                      supplier=fields["supplier"].strip() if fields.get("supplier") else None,
                      method=fields["method"], value=fields["value"], currency=fields.get("currency"),
                      note=fields.get("note"), created_at=now, created_by=actor, updated_at=now, updated_by=actor)
    session.add(rule)
    session.flush()
    return rule


def get_rule(session, rule_id: int) -> MarkupRule:
    rule = session.get(MarkupRule, rule_id)
    if rule is None:
        raise NotFound(f"No markup rule {rule_id}.", {"rule_id": rule_id})
    return rule


def rule_fields(rule: MarkupRule) -> dict:
    return {"item_kind": rule.item_kind, "supplier": rule.supplier, "method": rule.method, "value": rule.value,
            "currency": rule.currency, "note": rule.note}


def update_rule(session, rule: MarkupRule, fields: dict, *, actor: str, now: datetime) -> MarkupRule:
    scope = _scope(fields.get("item_kind"), fields.get("supplier"))
    _unique_scope(session, scope, exclude_id=rule.id)
    rule.scope, rule.item_kind = scope, fields.get("item_kind")
    rule.supplier = fields["supplier"].strip() if fields.get("supplier") else None
    rule.method, rule.value, rule.currency, rule.note = (fields["method"], fields["value"], fields.get("currency"),
                                                         fields.get("note"))
    rule.updated_at, rule.updated_by = now, actor
    session.flush()
    return rule


def rule_dict(rule: MarkupRule) -> dict:
    return as_dict(rule) | {"scope": costing_rule(rule).scope}


def costing_rule(rule: MarkupRule) -> costing.MarkupRule:
    return costing.MarkupRule(id=rule.id, method=rule.method, value=rule.value, item_kind=rule.item_kind,
                              supplier=rule.supplier, currency=rule.currency)


def list_rules(session) -> list[MarkupRule]:
    return list(session.scalars(select(MarkupRule).order_by(MarkupRule.id)))


# --- approvals -----------------------------------------------------------------------------------

def record_approval(session, itinerary: Itinerary, sheet: dict, note: str | None, *, actor: str,
                    now: datetime) -> Approval:
    if sheet["unpriced_items"]:
        raise ValidationFailed("Some items have no price yet.", {"unpriced_items": sheet["unpriced_items"]})
    approval = Approval(itinerary_id=itinerary.id, revision=itinerary.revision, total=sheet["totals"]["total"],
                        currency=sheet["currency"], margin_percent=sheet["totals"]["margin_percent"],
                        discount_percent=sheet["totals"]["discount_percent"],
                        reasons=list(sheet["approval"]["reasons"]), note=note, approved_at=now, approved_by=actor)
    session.add(approval)
    session.flush()
    return approval


def approval_for(session, itinerary: Itinerary, sheet: dict) -> Approval | None:
    """The latest approval of this very revision at this very price, if any."""
    return session.scalars(select(Approval).where(
        Approval.itinerary_id == itinerary.id, Approval.revision == itinerary.revision,
        Approval.currency == sheet["currency"], Approval.total == sheet["totals"]["total"])
        .order_by(Approval.id.desc())).first()
