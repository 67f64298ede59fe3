"""Top and slow sellers: products ranked by what they sold in a period, with their allotment."""
from datetime import date

from sqlalchemy import and_, case, func, select

from ..models import BookingLine, DailyInventory, Product, Supplier
from .periods import check_period
from .tallies import Figures, events_of, lines_in_period


def allotments_of(session, start: date, end: date, product_ids=None) -> dict[str, dict]:
    """Per product, over travel dates in the period: capacity, units booked (confirmed lines)
    and available allotment = sum over dates not on stop-sell of max(0, capacity - booked).

    Units are integers, so summing them in SQL is exact.
    """
    booked = (select(BookingLine.product_id.label("product_id"), BookingLine.day.label("day"),
                     func.sum(BookingLine.quantity).label("units"))
              .where(BookingLine.status == "confirmed", BookingLine.day >= start, BookingLine.day <= end)
              .group_by(BookingLine.product_id, BookingLine.day).subquery())
    units = func.coalesce(booked.c.units, 0)
    free = case((DailyInventory.stop_sell.is_(True), 0),
                (DailyInventory.capacity > units, DailyInventory.capacity - units), else_=0)
    query = (select(DailyInventory.product_id, func.sum(DailyInventory.capacity), func.sum(units), func.sum(free))
             .outerjoin(booked, and_(booked.c.product_id == DailyInventory.product_id,
                                     booked.c.day == DailyInventory.day))
             .where(DailyInventory.day >= start, DailyInventory.day <= end)
             .group_by(DailyInventory.product_id))
    if product_ids is not None:
        query = query.where(DailyInventory.product_id.in_(list(product_ids)))
    return {pid: {"allotment": int(capacity or 0), "allotment_booked": int(taken or 0),
                  "available_allotment": int(available or 0)}
            for pid, capacity, taken, available in session.execute(query)}


NO_ALLOTMENT = {"allotment": 0, "allotment_booked": 0, "available_allotment": 0}


def product_figures(session, start: date, end: date) -> dict[tuple[str, str], Figures]:
    """Figures per (product, currency) over the whole period."""
    figures: dict[tuple[str, str], Figures] = {}
    for line in lines_in_period(session, start, end):
        for event, _ in events_of(line, start, end):
            figures.setdefault((line.product_id, line.currency), Figures(line.currency)).add(event, line)
    return figures


def _seller(rank: int, product: Product, supplier: Supplier, figures: Figures, allotment: dict) -> dict:
    numbers = figures.as_dict()
    return {"rank": rank, "product_id": product.id, "product_code": product.supplier_code,
            "product_name": product.name, "kind": product.kind, "destination": product.destination,
            "supplier_id": supplier.id, "supplier_name": supplier.name, "currency": figures.currency,
            **{k: numbers[k] for k in ("units_sold", "units_cancelled", "units_changed", "balance_units",
                                       "bookings", "sell_total", "net_total", "margin", "balance_sell_total")},
            **allotment}


def _products(session, ids) -> dict[str, tuple[Product, Supplier]]:
    if not ids:
        return {}
    rows = session.execute(select(Product, Supplier).join(Supplier, Supplier.id == Product.supplier_id)
                           .where(Product.id.in_(list(ids))))
    return {product.id: (product, supplier) for product, supplier in rows}


def top_sellers(session, *, start: date, end: date, limit: int = 10) -> dict:
    """The products that sold most in the period, by balance units (sold - cancelled - changed,
    see the package docstring), then by units sold, then by name. Only products with a sale in the period.
    Money is the product's own currency. Each entry also gives its allotment on travel dates in
    the period (see `allotments_of`)."""
    check_period(start, end)
    figures = {k: f for k, f in product_figures(session, start, end).items() if f.units_sold > 0}
    products = _products(session, {pid for pid, _ in figures})
    ranked = sorted(figures, key=lambda k: (-figures[k].balance_units, -figures[k].units_sold,
                                            products[k[0]][0].name, k))[:limit]
    allotments = allotments_of(session, start, end, {pid for pid, _ in ranked})
    return {"start": start, "end": end, "limit": limit, "products": [
        _seller(rank, *products[pid], figures[(pid, currency)], allotments.get(pid, NO_ALLOTMENT))
        for rank, (pid, currency) in enumerate(ranked, start=1)]}


def slow_sellers(session, *, start: date, end: date, limit: int = 10) -> dict:
    """The products that sold least in the period, among those with allotment on travel dates in
    the period or any sales activity in it: by balance units ascending, then by available
    allotment descending (lots of unsold allotment and few sales come first), then by name.
    A product with allotment and no sale at all shows with zeros."""
    check_period(start, end)
    figures = product_figures(session, start, end)
    allotments = allotments_of(session, start, end)
    products = _products(session, set(allotments) | {pid for pid, _ in figures})
    candidates = dict(figures)
    with_figures = {pid for pid, _ in figures}
    for pid in allotments:
        if pid not in with_figures:
            candidates[(pid, products[pid][0].currency)] = Figures(products[pid][0].currency)
    ranked = sorted(candidates, key=lambda k: (
        candidates[k].balance_units, -allotments.get(k[0], NO_ALLOTMENT)["available_allotment"],
        products[k[0]][0].name, k))[:limit]
    return {"start": start, "end": end, "limit": limit, "products": [
        _seller(rank, *products[pid], candidates[(pid, currency)], allotments.get(pid, NO_ALLOTMENT))
        for rank, (pid, currency) in enumerate(ranked, start=1)]}
