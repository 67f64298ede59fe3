"""Field rules every service's wire schemas share, so a code means the same thing everywhere."""
from marshmallow import validate

CURRENCY = validate.Regexp(r"^[A-Z]{3}$", error="An ISO 4217 code such as EUR or CNY.")
# A supplier's or the agency's own product code.
CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,59}$", error="Letters, digits and . _ - / only.")
MONTH = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="A month as YYYY-MM.")
USERNAME = validate.Regexp(r"^[A-Za-z0-9._\-]{3,60}$", error="A staff username: 3 to 60 letters, digits, . _ -")
