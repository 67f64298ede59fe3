"""CSV downloads as the desks open them: RFC 4180 with CRLF, a header row first, UTF-8 (a BOM on
request, so Excel shows Chinese names without an import step). Shared by ticketing's reports and
contracts' departure manifests."""
import csv
import io
from datetime import date, datetime
from decimal import Decimal

CONTENT_TYPE = "text/csv; charset=utf-8"


def cell(value, text: bool = True) -> str:
    """Decimals as plain digits (1250.50, never 1.2505E+3), dates and times in ISO 8601, nothing
    for None. In a `text` column, what a spreadsheet would run as a formula (=, +, -, @ first)
    gets a leading '; numbers are never escaped (-200.00 stays a number)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    shown = str(value)
    if text and shown[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + shown
    return shown


def rows_csv(columns, records, bom: bool = False, text_columns=None) -> str:
    """`records` (dicts) as CSV text under a header row of `columns`. `text_columns`: the columns a
    formula could hide in (None: every column)."""
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([cell(record.get(c), text_columns is None or c in text_columns) for c in columns])
    return out.getvalue()


def csv_file(filename: str, content: str) -> dict:
    """A CSV download as RPC answers it, for the gateway's csv_response."""
    return {"filename": filename, "content_type": CONTENT_TYPE, "content": content}
