"""The sales report: per bucket, group and currency, with totals per currency."""
from datetime import date

from services.common.errors import ValidationFailed

from ..wire import REPORT_GROUP_BY as GROUP_BY
from .periods import GRANULARITIES, bucket_of, buckets, check_period
from .tallies import Figures, events_of, lines_in_period


def group_of(line, group_by: str) -> tuple[str, str]:
    """(key, label) of the line's group."""
    if group_by == "product":
        return line.product_id, line.product_name
    if group_by == "kind":
        return line.kind, line.kind
    if group_by == "supplier":
        return line.supplier_id, line.supplier_name
    if group_by == "destination":
        return line.destination, line.destination  # kept on the line: where that sale took the traveller
    raise ValidationFailed("Unknown grouping.", {"group_by": [f"One of {', '.join(GROUP_BY)}."]})


# --- the sales report ------------------------------------------------------------------------

def sales(session, *, start: date, end: date, granularity: str = "day", group_by: str = "product") -> dict:
    """Sales per bucket (day, ISO week or month), group and currency, with totals per currency.

    rows: one per (bucket, group, currency) with any activity, ordered by bucket, group label,
    group key, currency. totals: one per currency over the whole period; its `bookings` counts
    distinct bookings with a sale in the period (a booking with lines in several groups is
    one booking), so it is not the sum of the rows' `bookings`. The rules are in the package docstring.
    """
    check_period(start, end)
    if granularity not in GRANULARITIES:
        raise ValidationFailed("Unknown granularity.", {"granularity": [f"One of {', '.join(GRANULARITIES)}."]})
    if group_by not in GROUP_BY:
        raise ValidationFailed("Unknown grouping.", {"group_by": [f"One of {', '.join(GROUP_BY)}."]})
    cells: dict[tuple, Figures] = {}
    labels: dict[tuple, tuple] = {}
    totals: dict[str, Figures] = {}
    for line in lines_in_period(session, start, end):
        key, label = group_of(line, group_by)
        for event, day in events_of(line, start, end):
            bucket = bucket_of(day, granularity)[0]
            cell = (bucket, key, line.currency)
            if cell not in cells:
                cells[cell] = Figures(line.currency)
                labels[cell] = (bucket, label)
            cells[cell].add(event, line)
            totals.setdefault(line.currency, Figures(line.currency)).add(event, line)
    periods = buckets(start, end, granularity)
    by_label = {b["bucket"]: b for b in periods}
    rows = []
    for cell in sorted(cells, key=lambda c: (by_label[c[0]]["start"], labels[c][1], c[1], c[2])):
        bucket, key, _ = cell
        rows.append({"bucket": bucket, "bucket_start": by_label[bucket]["start"],
                     "bucket_end": by_label[bucket]["end"], "group_key": key, "group_label": labels[cell][1],
                     **cells[cell].as_dict()})
    return {"start": start, "end": end, "granularity": granularity, "group_by": group_by, "buckets": periods,
            "rows": rows, "totals": [totals[c].as_dict() for c in sorted(totals)]}
