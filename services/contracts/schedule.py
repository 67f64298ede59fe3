"""The payment schedule: what is due when, what is paid of it, and what is overdue.

Plain rules over Decimals and dates. What is paid of each instalment is never stored: the money
received is applied to the instalments in due order, so a payment, a refund or an amended total
changes nothing else. Rounding never loses a cent: every instalment but the last is rounded, and
the last takes the remainder.
"""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
AGING_BUCKETS = ((0, 30, "0-30"), (31, 60, "31-60"), (61, 90, "61-90"), (91, None, "90+"))


def cents(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Due:
    n: int
    kind: str  # deposit, instalment, balance
    due_on: date
    amount: Decimal


def build(total: Decimal, terms: dict, *, accepted_on: date, departure: date) -> list[Due]:
    """The schedule the quote's payment terms give for `total`.

    terms: deposit_percent, deposit_due_days (after acceptance), balance_due_days_before_departure,
    and optionally instalments (how many equal parts the balance is paid in, the last one on the
    balance's due date). A due date already past when the contract is drafted is due at once.
    """
    total = cents(total)
    deposit_on = accepted_on + timedelta(days=terms.get("deposit_due_days", 0))
    balance_on = max(departure - timedelta(days=terms["balance_due_days_before_departure"]), accepted_on)
    deposit = cents(total * Decimal(terms["deposit_percent"]) / 100)
    if deposit <= 0 or deposit >= total or balance_on <= deposit_on:
        # One payment: no deposit asked, all of it asked up front, or a late booking whose balance
        # falls due before the deposit would.
        return [Due(1, "balance", balance_on if deposit <= 0 else min(deposit_on, balance_on), total)]
    dues = []
    if deposit > 0:
        dues.append(Due(1, "deposit", deposit_on, deposit))
    rest = total - deposit
    parts = max(int(terms.get("instalments") or 1), 1)
    start = deposit_on if deposit > 0 else accepted_on
    step = (balance_on - start) / parts
    share = cents(rest / parts)
    for i in range(1, parts + 1):
        last = i == parts
        amount = rest - share * (parts - 1) if last else share
        due_on = balance_on if last else start + step * i
        dues.append(Due(len(dues) + 1, "balance" if last else "instalment", due_on, amount))
    return dues


def adjusted(dues: list[Due], new_total: Decimal) -> list[Due]:
    """The schedule after an amendment changed the total: a rise is added to the last instalment,
    a cut taken from the last ones backwards (an instalment cut to nothing is dropped). What was
    paid stays applied in due order, so a cut below what was paid leaves money to refund."""
    difference = cents(new_total) - sum((d.amount for d in dues), Decimal("0"))
    amounts = [d.amount for d in dues]
    if difference >= 0:
        amounts[-1] += difference
    else:
        for i in range(len(amounts) - 1, -1, -1):
            taken = min(amounts[i], -difference)
            amounts[i] -= taken
            difference += taken
    kept = [(d, a) for d, a in zip(dues, amounts) if a > 0]
    return [Due(i, d.kind, d.due_on, a) for i, (d, a) in enumerate(kept, start=1)]


def standing(dues, paid: Decimal, today: date) -> list[dict]:
    """Each instalment with what of it is paid (money applied in due order) and its status:
    paid, partly_paid, due (not yet), overdue (past its date, not fully paid) with days_overdue."""
    left = max(Decimal(paid), Decimal("0"))
    out = []
    for d in sorted(dues, key=lambda d: (d.due_on, d.n)):
        applied = min(left, d.amount)
        left -= applied
        owed = d.amount - applied
        if owed == 0:
            status = "paid"
        elif d.due_on < today:
            status = "overdue"
        else:
            status = "partly_paid" if applied else "due"
        out.append({"n": d.n, "kind": d.kind, "due_on": d.due_on, "amount": d.amount, "paid": applied,
                    "outstanding": owed, "status": status,
                    "days_overdue": (today - d.due_on).days if status == "overdue" else 0})
    return sorted(out, key=lambda x: x["n"])


def aging_bucket(days_overdue: int) -> str:
    for low, high, label in AGING_BUCKETS:
        if days_overdue >= low and (high is None or days_overdue <= high):
            return label
    return AGING_BUCKETS[0][2]


def next_due(standings: list[dict]) -> dict | None:
    return next((s for s in sorted(standings, key=lambda s: s["due_on"]) if s["outstanding"] > 0), None)
