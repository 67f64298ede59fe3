"""The agencies' KPIs, per staff member, team and month, each with its target and whether it is met.

Feedback never reads another service's tables: each event worth counting becomes one compact fact
(kpi_facts, kpi_survey_answers) in feedback's own database, unique per (kind, ref), so a redelivered
or replayed event counts once and the figures can be rebuilt by replaying the events. A month's KPIs
are then a few grouped counts over the (month, kind, staff) index.

What each KPI is, exactly (percentages to two decimals; null with nothing to divide by):
- customer_satisfaction: share of survey answers scoring 4 or 5, over the answers giving that score.
  A consultant (and the consultants' team) is judged on the `consultant` score of the answers about
  the trips they sold; the ticketing desk, which no answer names, on the `transport` score of every
  answer of the month. Target >= 80 (consultants), >= 85 (ticketing).
- complaint_first_response: the average minutes to first response of the complaints first answered
  in the month; met when that average is <= 24 h. `within_target` / `share_within_target`: how many
  were answered within 24 h.
- complaint_resolution_time: the same over the complaints resolved in the month, <= 48 h.
- complaint_resolution_rate: of the complaints opened in the month, the share resolved (by now), >= 90.
- booking_error_rate: booking changes and cancellations with reason agency_error in the month over the
  bookings confirmed in the month, <= 2. An error counts against whoever made the booking.
- contract_error_rate: amendments with reason agency_error over contracts signed (version 1) in the
  month, < 5.
- sales_growth: (sales this month - sales last month) / sales last month, >= 10. Sales are signed
  contracts' totals (version 1) per consultant and month, less, in the month a signed contract is
  cancelled, all of it but the fee kept; in one currency: the sales target's, else the only one the
  consultant sold in.
- sales_target_attainment: sales / the month's target, >= 100.
- inquiry_conversion: inquiries won / (won + lost) decided in the month; tracked.
- net_promoter_score: % promoters (recommend 9-10) - % detractors (0-6) of the month's answers; tracked.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from .models import KpiFact, KpiInquiryOwner, KpiProduct, KpiSurveyAnswer, KpiSurveySupplier, SalesTarget, StaffTeam

CENT = Decimal("0.01")
FIRST_RESPONSE_MINUTES = 24 * 60
RESOLUTION_MINUTES = 48 * 60
# (comparison, target); None: tracked only.
TARGETS = {
    "customer_satisfaction": {"consultants": (">=", Decimal(80)), "ticketing": (">=", Decimal(85))},
    "complaint_first_response": ("<=", Decimal(FIRST_RESPONSE_MINUTES)),
    "complaint_resolution_time": ("<=", Decimal(RESOLUTION_MINUTES)),
    "complaint_resolution_rate": (">=", Decimal(90)),
    "booking_error_rate": ("<=", Decimal(2)),
    "contract_error_rate": ("<", Decimal(5)),
    "sales_growth": (">=", Decimal(10)),
    "sales_target_attainment": (">=", Decimal(100)),
    "inquiry_conversion": None,
    "net_promoter_score": None,
}


def targets_from(text: str | None) -> dict:
    """TARGETS with the agency's own bounds: KPI_TARGETS is `name=number,...`, e.g.
    `booking_error_rate=3,customer_satisfaction.ticketing=90` (the comparison stays the documents')."""
    targets = {name: dict(t) if isinstance(t, dict) else t for name, t in TARGETS.items()}
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        name, _, number = item.partition("=")
        kpi, _, team = name.strip().partition(".")
        current = targets.get(kpi)
        if current is None or (team and not isinstance(current, dict)) or (team and team not in current):
            raise ValueError(f"KPI_TARGETS: no target {name.strip()!r} to set")
        try:
            bound = Decimal(number.strip())
        except ArithmeticError:
            raise ValueError(f"KPI_TARGETS: {item!r} is not name=number") from None
        if not bound.is_finite():
            raise ValueError(f"KPI_TARGETS: {item!r} is not name=number")
        if team:
            current[team] = (current[team][0], bound)
        elif isinstance(current, dict):
            targets[kpi] = {t: (comparison, bound) for t, (comparison, _) in current.items()}
        else:
            targets[kpi] = (current[0], bound)
    return targets


# Whose desk a fact's staff sits at, until set_team says otherwise.
DEFAULT_TEAMS = {"booking": "ticketing", "booking_change": "ticketing", "booking_cancel": "ticketing",
                 "supplier_booking": "ticketing"}
DEFAULT_TEAM = "consultants"
# Contracts says supplier_change where ticketing and the KPIs say supplier.
REASONS = {"agency_error": "agency_error", "customer_request": "customer_request", "supplier_change": "supplier",
           "supplier": "supplier"}
ASPECTS = ("itinerary", "accommodation", "transport", "guide", "consultant")


# --- the arithmetic (no database) ------------------------------------------------------------

def percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


def average(total, count) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(CENT, rounding=ROUND_HALF_UP)


def growth(this: Decimal, last: Decimal) -> Decimal | None:
    """(this - last) / last, percent; None without last month's sales to grow from."""
    if not last:
        return None
    return ((this - last) * 100 / last).quantize(CENT, rounding=ROUND_HALF_UP)


def nps(promoters: int, detractors: int, answers: int) -> Decimal | None:
    if not answers:
        return None
    return percent(promoters, answers) - percent(detractors, answers)


def met(value: Decimal | None, target) -> bool | None:
    if value is None or target is None:
        return None
    comparison, bound = target
    return {">=": value >= bound, "<=": value <= bound, "<": value < bound}[comparison]


def target_text(target) -> str | None:
    return None if target is None else f"{target[0]} {target[1]}"


def month_of(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m")


def previous_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


def moment(value) -> datetime:
    if isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def staff_of(actor: str | None) -> str | None:
    """The gateway's actor string is the username; a "user:" prefix (some callers) is dropped."""
    if not actor:
        return None
    return actor[5:] if actor.startswith("user:") else actor


@dataclass
class Tally:
    """What one staff member or team did in a month, counted."""

    bookings: int = 0
    booking_errors: int = 0
    contracts: int = 0
    contract_errors: int = 0
    opened: int = 0
    opened_resolved: int = 0
    responded: int = 0
    response_minutes: int = 0
    responded_in_time: int = 0
    resolved: int = 0
    resolution_minutes: int = 0
    resolved_in_time: int = 0
    won: int = 0
    decided: int = 0
    scored: int = 0
    scored_4_5: int = 0
    answers: int = 0
    promoters: int = 0
    detractors: int = 0
    sales: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(Decimal)))  # month -> cur -> sum
    targets: dict = field(default_factory=lambda: defaultdict(Decimal))  # currency -> target

    def add(self, other: "Tally"):
        for name in ("bookings", "booking_errors", "contracts", "contract_errors", "opened", "opened_resolved",
                     "responded", "response_minutes", "responded_in_time", "resolved", "resolution_minutes",
                     "resolved_in_time", "won", "decided", "scored", "scored_4_5", "answers", "promoters",
                     "detractors"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for month, amounts in other.sales.items():
            for currency, amount in amounts.items():
                self.sales[month][currency] += amount
        for currency, amount in other.targets.items():
            self.targets[currency] += amount


def _kpi(name, value, unit, numerator, denominator, target, **extra) -> dict:
    return {"kpi": name, "value": value, "unit": unit, "numerator": numerator, "denominator": denominator,
            "target": target_text(target), "met": met(value, target), "currency": None, "within_target": None,
            "share_within_target": None, **extra}


def sales_currency(tally: Tally, month: str) -> str | None:
    """The target's currency; else the only one sold in this month and the last; else none."""
    if len(tally.targets) == 1:
        return next(iter(tally.targets))
    sold = set(tally.sales[month]) | set(tally.sales[previous_month(month)])
    return next(iter(sold)) if len(sold) == 1 else None


def figures(tally: Tally, team: str, month: str, targets: dict = TARGETS) -> list[dict]:
    """Every KPI of the table from one tally."""
    satisfaction = targets["customer_satisfaction"].get(team, targets["customer_satisfaction"][DEFAULT_TEAM])
    currency = sales_currency(tally, month)
    this = tally.sales[month][currency] if currency else Decimal(0)
    last = tally.sales[previous_month(month)][currency] if currency else Decimal(0)
    target = tally.targets.get(currency) if currency else None
    return [
        _kpi("customer_satisfaction", percent(tally.scored_4_5, tally.scored), "percent", tally.scored_4_5,
             tally.scored, satisfaction),
        _kpi("complaint_first_response", average(tally.response_minutes, tally.responded), "minutes",
             tally.response_minutes, tally.responded, targets["complaint_first_response"],
             within_target=tally.responded_in_time,
             share_within_target=percent(tally.responded_in_time, tally.responded)),
        _kpi("complaint_resolution_time", average(tally.resolution_minutes, tally.resolved), "minutes",
             tally.resolution_minutes, tally.resolved, targets["complaint_resolution_time"],
             within_target=tally.resolved_in_time,
             share_within_target=percent(tally.resolved_in_time, tally.resolved)),
        _kpi("complaint_resolution_rate", percent(tally.opened_resolved, tally.opened), "percent",
             tally.opened_resolved, tally.opened, targets["complaint_resolution_rate"]),
        _kpi("booking_error_rate", percent(tally.booking_errors, tally.bookings), "percent", tally.booking_errors,
             tally.bookings, targets["booking_error_rate"]),
        _kpi("contract_error_rate", percent(tally.contract_errors, tally.contracts), "percent",
             tally.contract_errors, tally.contracts, targets["contract_error_rate"]),
        _kpi("sales_growth", growth(this, last) if currency else None, "percent", this - last if currency else None,
             last if currency else None, targets["sales_growth"], currency=currency),
        _kpi("sales_target_attainment", percent(this, target) if target else None, "percent",
             this if currency else None, target, targets["sales_target_attainment"], currency=currency),
        _kpi("inquiry_conversion", percent(tally.won, tally.decided), "percent", tally.won, tally.decided, None),
        _kpi("net_promoter_score", nps(tally.promoters, tally.detractors, tally.answers), "points",
             tally.promoters - tally.detractors, tally.answers, None),
    ]


# --- taking events in ------------------------------------------------------------------------

def _add(session, **values) -> KpiFact | None:
    """The fact, unless one of its (kind, ref) is there already (a replay, another queue's copy)."""
    found = session.scalar(select(KpiFact).where(KpiFact.kind == values["kind"], KpiFact.ref == values["ref"]))
    if found is not None:
        return None
    at = values["at"]
    fact = KpiFact(month=month_of(at), team=values.pop("team", None) or DEFAULT_TEAMS.get(values["kind"], DEFAULT_TEAM),
                   **values)
    try:
        with session.begin_nested():  # the same fact taken in at once from another worker (PostgreSQL)
            session.add(fact)
    except IntegrityError:
        return None
    return fact


def _booking_staff(session, booking_id: str, fallback: str | None) -> str | None:
    """Who made the booking: an error counts against them, whoever corrects it."""
    staff = session.scalar(select(KpiFact.staff).where(KpiFact.kind == "booking", KpiFact.ref == booking_id))
    return staff or staff_of(fallback)


def products_of(payload: dict) -> set[str]:
    return {line["product_id"] for line in payload.get("lines") or () if line.get("product_id")}


def known_products(session, product_ids: set[str]) -> dict[str, dict]:
    if not product_ids:
        return {}
    rows = session.scalars(select(KpiProduct).where(KpiProduct.product_id.in_(sorted(product_ids))))
    return {r.product_id: {"supplier_id": r.supplier_id, "supplier_name": r.supplier_name} for r in rows}


def remember_products(session, products: dict[str, dict]):
    known = known_products(session, set(products))
    for product_id, supplier in products.items():
        if product_id not in known:
            try:
                with session.begin_nested():  # another booking of the product taken in at once (PostgreSQL)
                    session.add(KpiProduct(product_id=product_id, **supplier))
            except IntegrityError:
                pass


def take_in(session, envelope: dict, products: dict[str, dict] | None = None) -> None:
    """Keep what an event says for the KPIs. `products`: each booked product's supplier."""
    kind, payload = envelope["type"], envelope["payload"]
    occurred = moment(envelope["occurred_at"])
    handler = _TAKERS.get(kind)
    if handler:
        handler(session, payload, occurred, products or {})


def _booking_confirmed(session, p, occurred, products):
    at = moment(p.get("created_at") or occurred)
    lines = p.get("lines") or []
    staff = staff_of(p.get("created_by"))
    booked = _add(session, kind="booking", ref=p["id"], subject=p["id"], at=at, staff=staff,
                  amount=Decimal(p["total_sell"]), currency=lines[0]["currency"] if lines else None)
    if booked is not None and staff:  # a change taken in before its booking was put on whoever changed it
        session.execute(update(KpiFact).where(KpiFact.kind.in_(("booking_change", "booking_cancel")),
                                              KpiFact.subject == p["id"]).values(staff=staff))
    for supplier in sorted({products[l["product_id"]]["supplier_id"] for l in lines if l["product_id"] in products}):
        name = next(v["supplier_name"] for v in products.values() if v["supplier_id"] == supplier)
        _add(session, kind="supplier_booking", ref=f"{p['id']}:{supplier}", subject=p["id"], at=at, staff=staff,
             supplier=supplier, supplier_name=name)


def _booking_changed(session, p, occurred, products):
    reason = p.get("reason")
    _add(session, kind="booking_change", ref=f"{p['booking_id']}:{p['old_line']['id']}", subject=p["booking_id"],
         at=occurred, staff=_booking_staff(session, p["booking_id"], p.get("changed_by")), reason=reason,
         flag=reason == "agency_error")


def _booking_cancelled(session, p, occurred, products):
    reason = p.get("reason")
    lines = ",".join(str(l["id"]) for l in sorted(p.get("cancelled_lines") or [], key=lambda l: l["id"]))
    _add(session, kind="booking_cancel", ref=f"{p['booking_id']}:{lines}", subject=p["booking_id"], at=occurred,
         staff=_booking_staff(session, p["booking_id"], p.get("cancelled_by")), reason=reason,
         flag=reason == "agency_error")


def _contract_signed(session, p, occurred, products):
    if p.get("version") != 1:  # a signed amendment is not a new sale
        return
    _add(session, kind="contract", ref=p["order_file_id"], subject=p["order_file_id"],
         at=moment(p.get("signed_at") or occurred), staff=staff_of(p.get("consultant")),
         amount=Decimal(p["total"]), currency=p["currency"])


def _contract_amended(session, p, occurred, products):
    reason = REASONS.get(p.get("reason"), p.get("reason"))
    _add(session, kind="contract_amendment", ref=f"{p['order_file_id']}:{p['version']}", subject=p["order_file_id"],
         at=occurred, staff=staff_of(p.get("consultant")), reason=reason, flag=reason == "agency_error")


def _contract_cancelled(session, p, occurred, products):
    # A sale cancelled gives back all but the fee the agency keeps, in the month it is cancelled; a
    # file never signed was never a sale.
    sold = session.scalar(select(KpiFact.amount).where(KpiFact.kind == "contract", KpiFact.ref == p["order_file_id"]))
    _add(session, kind="contract_cancel", ref=p["order_file_id"], subject=p["order_file_id"], at=occurred,
         staff=staff_of(p.get("consultant")), reason=(p.get("reason") or "")[:40] or None,
         amount=Decimal(p.get("fee") or 0) - sold if sold is not None else None,
         currency=p.get("currency") if sold is not None else None)


def _owner(session, inquiry_id: str, consultant: str | None):
    row = session.get(KpiInquiryOwner, inquiry_id)
    if row is None:
        session.add(KpiInquiryOwner(inquiry_id=inquiry_id, consultant=consultant))
    else:
        row.consultant = consultant
    if consultant:  # a decision taken in before its owner was known goes to them
        session.execute(update(KpiFact).where(KpiFact.kind == "inquiry_decision", KpiFact.subject == inquiry_id)
                        .values(staff=staff_of(consultant)))
    session.flush()


def _inquiry_created(session, p, occurred, products):
    if session.get(KpiInquiryOwner, p["id"]) is None:
        _owner(session, p["id"], p.get("consultant"))


def _inquiry_updated(session, p, occurred, products):
    if "consultant" in (p.get("changed_fields") or ()):
        _owner(session, p["id"], (p.get("changes") or {}).get("consultant"))


def _inquiry_status_changed(session, p, occurred, products):
    if p.get("to_status") not in ("won", "lost"):
        return
    owner = session.get(KpiInquiryOwner, p["inquiry_id"])
    staff = (owner.consultant if owner else None) or staff_of(p.get("changed_by"))
    _add(session, kind="inquiry_decision", ref=f"{p['inquiry_id']}:{p['to_status']}", subject=p["inquiry_id"],
         at=moment(p.get("changed_at") or occurred), staff=staff, reason=p["to_status"], flag=p["to_status"] == "won")


def _complaint_opened(session, p, occurred, products):
    cid = str(p["complaint_id"])
    _add(session, kind="complaint_opened", ref=cid, subject=cid, at=moment(p["opened_at"]),
         staff=staff_of(p.get("handler")), team=p.get("team"), category=p.get("category"),
         supplier=p.get("supplier_id") or p.get("supplier_name"), supplier_name=p.get("supplier_name"))


def _complaint_responded(session, p, occurred, products):
    cid = str(p["complaint_id"])
    _add(session, kind="complaint_responded", ref=cid, subject=cid, at=moment(p["responded_at"]),
         staff=staff_of(p.get("handler")), team=p.get("team"), minutes=int(p["minutes_to_first_response"]))


def _complaint_resolved(session, p, occurred, products):
    cid = str(p["complaint_id"])
    _add(session, kind="complaint_resolved", ref=f"{cid}:{p['resolved_at']}", subject=cid,
                 at=moment(p["resolved_at"]), staff=staff_of(p.get("handler")), team=p.get("team"),
                 minutes=int(p["minutes_to_resolution"]),
                 supplier=p.get("supplier_id") or p.get("supplier_name"), supplier_name=p.get("supplier_name"))


def _complaint_rated(session, p, occurred, products):
    cid = str(p["complaint_id"])
    _add(session, kind="complaint_rated", ref=cid, subject=cid, at=moment(p["rated_at"]),
         staff=staff_of(p.get("handler")), score=int(p["satisfaction"]))


def _supplier_answered(session, p, occurred, products):
    cid = str(p["complaint_id"])
    _add(session, kind="supplier_answer", ref=f"{cid}:{p['answered_at']}", subject=cid, at=moment(p["answered_at"]),
         minutes=int(p["minutes"]), supplier=p.get("supplier_id") or p.get("supplier_name"),
         supplier_name=p.get("supplier_name"))


def _survey_answered(session, p, occurred, products):
    sid = str(p["survey_id"])
    if session.get(KpiSurveyAnswer, sid) is not None:
        return
    at = moment(p["answered_at"])
    scores = p.get("scores") or {}
    session.add(KpiSurveyAnswer(
        survey_id=sid, month=month_of(at), answered_at=at, customer_id=p.get("customer_id"),
        order_number=p.get("order_number"), consultant=staff_of(p.get("consultant")),
        itinerary=scores.get("itinerary"), accommodation=scores.get("accommodation"),
        transport=scores.get("transport"), guide=scores.get("guide"), consultant_score=scores.get("consultant"),
        recommend=int(p["recommend"]), comment=p.get("comment") or None))
    for supplier in p.get("suppliers") or ():
        session.add(KpiSurveySupplier(
            survey_id=sid, month=month_of(at), supplier=supplier.get("supplier_id") or supplier["supplier_name"],
            supplier_name=supplier["supplier_name"], aspect=supplier["aspect"], score=scores.get(supplier["aspect"])))
    session.flush()


_TAKERS = {
    "ticketing.booking_confirmed": _booking_confirmed,
    "ticketing.booking_changed": _booking_changed,
    "ticketing.booking_cancelled": _booking_cancelled,
    "contracts.contract_signed": _contract_signed,
    "contracts.contract_amended": _contract_amended,
    "contracts.contract_cancelled": _contract_cancelled,
    "crm.inquiry_created": _inquiry_created,
    "crm.inquiry_updated": _inquiry_updated,
    "crm.inquiry_status_changed": _inquiry_status_changed,
    "feedback.complaint_opened": _complaint_opened,
    "feedback.complaint_responded": _complaint_responded,
    "feedback.complaint_resolved": _complaint_resolved,
    "feedback.complaint_rated": _complaint_rated,
    "feedback.complaint_supplier_answered": _supplier_answered,
    "feedback.survey_answered": _survey_answered,
}
TAKEN_IN = tuple(_TAKERS)


# --- the month's KPIs ------------------------------------------------------------------------

COUNTED = ("booking", "booking_change", "booking_cancel", "contract", "contract_amendment", "inquiry_decision",
           "complaint_opened", "complaint_responded", "complaint_resolved")


def resolved(opened=KpiFact):
    """Whether the opened complaint has been resolved (asked when read: the two events come on
    separate queues, in any order, even at once)."""
    done = aliased(KpiFact)
    return select(done.id).where(done.kind == "complaint_resolved", done.subject == opened.subject).exists()


def fact_counts_query(month: str):
    in_time = case((KpiFact.kind == "complaint_responded", KpiFact.minutes <= FIRST_RESPONSE_MINUTES),
                   else_=KpiFact.minutes <= RESOLUTION_MINUTES)
    return (select(KpiFact.kind, KpiFact.staff, KpiFact.team, func.count(),
                   func.sum(case((KpiFact.flag.is_(True), 1), (and_(KpiFact.kind == "complaint_opened", resolved()), 1),
                                 else_=0)), func.sum(KpiFact.minutes),
                   func.sum(case((in_time, 1), else_=0)))
            .where(KpiFact.month == month, KpiFact.kind.in_(COUNTED))
            .group_by(KpiFact.kind, KpiFact.staff, KpiFact.team))


def survey_counts_query(month: str):
    a = KpiSurveyAnswer
    good = lambda column: func.sum(case((column >= 4, 1), else_=0))  # noqa: E731
    return (select(a.consultant, func.count(a.consultant_score), good(a.consultant_score),
                   func.count(a.transport), good(a.transport), func.count(),
                   func.sum(case((a.recommend >= 9, 1), else_=0)), func.sum(case((a.recommend <= 6, 1), else_=0)))
            .where(a.month == month).group_by(a.consultant))


def _apply(tally: Tally, kind: str, count: int, flagged: int, minutes: int, in_time: int):
    if kind == "booking":
        tally.bookings += count
    elif kind in ("booking_change", "booking_cancel"):
        tally.booking_errors += flagged
    elif kind == "contract":
        tally.contracts += count
    elif kind == "contract_amendment":
        tally.contract_errors += flagged
    elif kind == "inquiry_decision":
        tally.decided, tally.won = tally.decided + count, tally.won + flagged
    elif kind == "complaint_opened":
        tally.opened, tally.opened_resolved = tally.opened + count, tally.opened_resolved + flagged
    elif kind == "complaint_responded":
        tally.responded += count
        tally.response_minutes += minutes
        tally.responded_in_time += in_time
    elif kind == "complaint_resolved":
        tally.resolved += count
        tally.resolution_minutes += minutes
        tally.resolved_in_time += in_time


def team_of(staff: str, set_teams: dict[str, str], default_teams: set[str]) -> str:
    """The team set_team gave; else the consultants' if any of their facts is a consultant's, else
    the one their facts say (a booker's: ticketing)."""
    if staff in set_teams:
        return set_teams[staff]
    if not default_teams or DEFAULT_TEAM in default_teams:
        return DEFAULT_TEAM
    return min(default_teams)


def month_kpis(session, month: str, staff: str | None = None, team: str | None = None,
               targets: dict = TARGETS) -> dict:
    people: dict[str, Tally] = defaultdict(Tally)
    defaults: dict[str, set] = defaultdict(set)
    for kind, who, fact_team, count, flagged, minutes, in_time in session.execute(fact_counts_query(month)):
        if who:
            _apply(people[who], kind, count, flagged or 0, minutes or 0, in_time or 0)
            defaults[who].add(fact_team)
    transport = Tally()  # the ticketing desk's satisfaction: every answer's transport score
    for who, scored, good, t_scored, t_good, answers, promoters, detractors in session.execute(
            survey_counts_query(month)):
        transport.scored, transport.scored_4_5 = transport.scored + t_scored, transport.scored_4_5 + (t_good or 0)
        if who:
            tally = people[who]
            tally.scored, tally.scored_4_5 = tally.scored + scored, tally.scored_4_5 + (good or 0)
            tally.answers += answers
            tally.promoters, tally.detractors = tally.promoters + promoters, tally.detractors + detractors
            defaults[who].add(DEFAULT_TEAM)
    for who, fact_month, amount, currency in session.execute(
            select(KpiFact.staff, KpiFact.month, KpiFact.amount, KpiFact.currency)
            .where(KpiFact.kind.in_(("contract", "contract_cancel")), KpiFact.amount.is_not(None),
                   KpiFact.month.in_((month, previous_month(month))))):
        if who:  # summed here: SQLite keeps money as text, and SUM over text would go through floats
            people[who].sales[fact_month][currency] += amount
            defaults[who].add(DEFAULT_TEAM)
    for target in session.scalars(select(SalesTarget).where(SalesTarget.month == month)):
        people[target.staff].targets[target.currency] += target.amount
        defaults[target.staff].add(DEFAULT_TEAM)
    set_teams = dict(session.execute(select(StaffTeam.staff, StaffTeam.team)).all())

    teams: dict[str, Tally] = defaultdict(Tally)
    staff_rows = []
    for who in sorted(people):
        their_team = team_of(who, set_teams, defaults[who])
        teams[their_team].add(people[who])
        if (staff is None or who == staff) and (team is None or their_team == team):
            staff_rows.append({"staff": who, "team": their_team,
                               "kpis": figures(people[who], their_team, month, targets)})
    if transport.scored or "ticketing" in teams:
        desk = teams["ticketing"]
        desk.scored, desk.scored_4_5 = transport.scored, transport.scored_4_5
    wanted = {row["team"] for row in staff_rows} if staff else None
    team_rows = [{"staff": None, "team": name, "kpis": figures(tally, name, month, targets)}
                 for name, tally in sorted(teams.items())
                 if (team is None or name == team) and (wanted is None or name in wanted)]
    return {"month": month, "staff": staff_rows, "teams": team_rows}


# --- teams and sales targets -----------------------------------------------------------------

def set_team(session, staff: str, team: str, *, actor: str, now: datetime) -> StaffTeam:
    row = session.get(StaffTeam, staff)
    if row is None:
        row = StaffTeam(staff=staff, team=team, updated_at=now, updated_by=actor)
        session.add(row)
    else:
        row.team, row.updated_at, row.updated_by = team, now, actor
    session.flush()
    return row


def set_sales_target(session, fields: dict, *, actor: str, now: datetime) -> SalesTarget:
    row = session.get(SalesTarget, (fields["staff"], fields["month"]))
    if row is None:
        row = SalesTarget(**fields, updated_at=now, updated_by=actor)
        session.add(row)
    else:
        row.amount, row.currency, row.updated_at, row.updated_by = fields["amount"], fields["currency"], now, actor
    session.flush()
    return row


def list_sales_targets(session, month: str) -> list[SalesTarget]:
    return list(session.scalars(select(SalesTarget).where(SalesTarget.month == month).order_by(SalesTarget.staff)))
