"""Field rules every service's wire schemas share, so a code means the same thing everywhere."""
from datetime import date, datetime, timezone

from marshmallow import ValidationError, validate

CURRENCY = validate.Regexp(r"^[A-Z]{3}$", error="An ISO 4217 code such as EUR or CNY.")
# A supplier's or the agency's own product code.
CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,59}$", error="Letters, digits and . _ - / only.")
USERNAME = validate.Regexp(r"^[A-Za-z0-9._\-]{3,60}$", error="A staff username: 3 to 60 letters, digits, . _ -")

# Every date the suite accepts lies in these years: far enough for birth dates and long contracts,
# near enough that date arithmetic (a day after the end, a week's Monday) cannot overflow and every
# database stores it.
MIN_YEAR, MAX_YEAR = 1900, 2199
DATE_RANGE = validate.Range(min=date(MIN_YEAR, 1, 1), max=date(MAX_YEAR, 12, 31),
                            error=f"A date from {MIN_YEAR}-01-01 to {MAX_YEAR}-12-31.")


def moment_in_range(value: datetime):
    """DATE_RANGE for datetimes, aware or naive (naive ones are read as UTC)."""
    moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if not datetime(MIN_YEAR, 1, 1, tzinfo=timezone.utc) <= moment < datetime(MAX_YEAR + 1, 1, 1, tzinfo=timezone.utc):
        raise ValidationError(f"A moment from {MIN_YEAR}-01-01 to {MAX_YEAR}-12-31.")

# The same years as DATE_RANGE (a test keeps them in step).
MONTH = validate.Regexp(r"^(19\d\d|2[01]\d\d)-(0[1-9]|1[0-2])$",
                        error=f"A month as YYYY-MM, from {MIN_YEAR}-01 to {MAX_YEAR}-12.")

# Integer columns are 32-bit on PostgreSQL: a larger number could not be stored or even looked up.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
INT_RANGE = validate.Range(min=INT_MIN, max=INT_MAX, error=f"A whole number from {INT_MIN} to {INT_MAX}.")
# For numbers kept in a 64-bit column or as text (a supplier's sequence, often a timestamp in ms).
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
BIGINT_RANGE = validate.Range(min=BIGINT_MIN, max=BIGINT_MAX,
                              error=f"A whole number from {BIGINT_MIN} to {BIGINT_MAX}.")
