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


# Text every database of the suite can hold. PostgreSQL's text (and its JSON) cannot take a NUL
# character, and no UTF-8 store (PostgreSQL, SQLite, AMQP bodies) a lone surrogate, which JSON's
# "\ud800" escapes can make. Refused where text enters, so no store fails on it later.
NUL_MESSAGE = "Text cannot contain NUL characters (U+0000)."
SURROGATE_MESSAGE = "Text cannot contain lone surrogates (U+D800 to U+DFFF): send valid UTF-8."


def unstorable(value: str) -> str | None:
    """Why no database can hold this text, or None when every one can."""
    if "\x00" in value:
        return NUL_MESSAGE
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return SURROGATE_MESSAGE
    return None


def storable_text(value: str):
    """Validator of every String field (services.common.fields)."""
    problem = unstorable(value)
    if problem:
        raise ValidationError(problem)


def unstorable_texts(value):
    """Messages for every string in a parsed JSON value (keys too) that no database can hold,
    nested as the value is (list items by index, as marshmallow names them), or None."""
    if isinstance(value, str):
        problem = unstorable(value)
        return [problem] if problem else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    errors = {}
    for key, item in items:
        bad_key = unstorable(key) if isinstance(key, str) else None
        found = {"key": [bad_key]} if bad_key else unstorable_texts(item)
        if found:
            errors[key] = found
    return errors or None
