"""Sales reports for the ticketing desk: sales by day, week or month, top and slow sellers,
the per-supplier booking list used to match supplier invoices, and the manifest of a travel
date, with their CSV files. Plain functions over a session, a module per report:

- periods: periods of UTC dates and their buckets (day, ISO week, month);
- tallies: which booking lines a period reads, and their figures per currency;
- sales_report, sellers, supplier_lines, manifests: the reports;
- csv_files: any report as a CSV download.

What counts, and when (event-dated, so a closed period never changes afterwards):

- A *sale* is a booking line, whatever its status today, counted on the UTC date of its
  `confirmed_at`. The replacement line a change creates is a sale on its own `confirmed_at`.
- A *cancellation* is a line whose status is `cancelled`, counted on the UTC date of its
  `cancelled_at` (units cancelled, sell and net value cancelled) -- not on its sale date, and
  it does not disappear from the sales it was part of.
- A *change* is a line whose status is `changed` (it was rebooked onto another product or
  date), counted on the UTC date of its `cancelled_at` in the `changed` columns; its
  replacement is a new sale on the same day. The old line is grouped under its own product.
- *Balance* = sold - cancelled - changed in the same bucket and group: what the bucket added
  to the book. A booking sold in March and cancelled in April is +1 in March, -1 in April; the
  balances of consecutive periods add up to the units and value still booked.
- A change's *fare difference* (kept on the line it made: new sell price - old, times the
  quantity) is summed in `fare_difference_total` with that line's sale: what changes brought in
  (+) or gave back (-).

Every amount is per currency, and amounts of different currencies are never added together:
each row and each total carries one currency. Money is Decimal, summed in Python line by line
(SQLite keeps it as text, so SQL SUM would go through floats): `sell_total` = sum of
sell_price x quantity, `net_total` = sum of net_price x quantity, `margin` = sell - net.
A period is from `start` to `end` inclusive (UTC dates), at most MAX_PERIOD_DAYS days.
Refunds are money matters of their own and are not part of these figures.
"""
from .csv_files import (MANIFEST_COLUMNS, SALES_COLUMNS, SUPPLIER_BOOKING_COLUMNS, csv_file, manifest_csv,
                        manifest_filename, sales_csv, sales_filename, supplier_bookings_csv,
                        supplier_bookings_filename)
from .manifests import manifest
from .periods import GRANULARITIES, MAX_PERIOD_DAYS, bucket_of, buckets, check_period
from .sales_report import GROUP_BY, sales
from .sellers import slow_sellers, top_sellers
from .supplier_lines import supplier_bookings
from .tallies import Figures

__all__ = [
    "Figures", "GRANULARITIES", "GROUP_BY", "MANIFEST_COLUMNS", "MAX_PERIOD_DAYS", "SALES_COLUMNS",
    "SUPPLIER_BOOKING_COLUMNS", "bucket_of", "buckets", "check_period", "csv_file", "manifest", "manifest_csv",
    "manifest_filename", "sales", "sales_csv", "sales_filename", "slow_sellers", "supplier_bookings",
    "supplier_bookings_csv", "supplier_bookings_filename", "top_sellers",
]
