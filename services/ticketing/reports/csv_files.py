"""Reports as CSV downloads: RFC 4180 with CRLF, a header row first, UTF-8 (a BOM on request)."""
from services.common import csv_files
from services.common.csv_files import csv_file  # noqa: F401 (reports re-exports it)

SALES_COLUMNS = (
    "bucket", "bucket_start", "bucket_end", "group_key", "group_label", "currency", "units_sold", "bookings",
    "sell_total", "net_total", "margin", "units_cancelled", "cancelled_sell_total", "cancelled_net_total",
    "units_changed", "changed_sell_total", "changed_net_total", "balance_units", "balance_sell_total",
    "balance_net_total", "balance_margin", "fare_difference_total",
)
SUPPLIER_BOOKING_COLUMNS = (
    "locator", "ticket_number", "product_code", "product_name", "travel_date", "quantity", "net_price",
    "net_total", "currency", "status", "confirmed_at", "cancelled_at", "replaces_ticket_number",
)
MANIFEST_COLUMNS = (
    "travel_date", "product_code", "product_name", "locator", "ticket_number", "reference", "quantity",
    "travellers", "documents",
)
_TEXT_COLUMNS = {"group_key", "group_label", "product_code", "product_name", "reference", "travellers",
                 "documents"}


def cell(column: str, value) -> str:
    return csv_files.cell(value, column in _TEXT_COLUMNS)


def rows_csv(columns, records, bom: bool) -> str:
    return csv_files.rows_csv(columns, records, bom, _TEXT_COLUMNS)


def sales_csv(report: dict, bom: bool = False) -> str:
    """The rows of a `sales` report as CSV text (RFC 4180, CRLF), a header row first. Totals are
    not written as rows, so every line is one (bucket, group, currency)."""
    return rows_csv(SALES_COLUMNS, report["rows"], bom)


def supplier_bookings_csv(report: dict, bom: bool = False) -> str:
    """The lines of a `supplier_bookings` report as CSV text, a header row first."""
    return rows_csv(SUPPLIER_BOOKING_COLUMNS, report["lines"], bom)


def manifest_csv(report: dict, bom: bool = False) -> str:
    """The manifest as CSV text, one row per booking line: its travellers' names, and their
    document numbers, joined with '; ' in the same order."""
    return rows_csv(MANIFEST_COLUMNS, ({
        **line, "travel_date": report["travel_date"],
        "travellers": "; ".join(t["name"] or "" for t in line["travellers"]),
        "documents": "; ".join(t["document"] or "" for t in line["travellers"])} for line in report["lines"]), bom)


def manifest_filename(report: dict) -> str:
    return f"manifest_{report['travel_date']}_{(report['product_id'] or report['supplier_id'])[:8]}.csv"


def sales_filename(report: dict) -> str:
    return f"sales_{report['start']}_{report['end']}_{report['granularity']}_{report['group_by']}.csv"


def supplier_bookings_filename(report: dict) -> str:
    return f"supplier_bookings_{report['supplier_id'][:8]}_{report['start']}_{report['end']}.csv"
