"""Bank reconciliation: which statement lines are which recorded payments.

Plain rules, no database. The rules, in the order they apply:

1. Only money in (amount > 0) is matched to payments. Money out stays in `unmatched_lines` for
   finance to see (supplier payments, refunds, fees).
2. A line mentions a payment when the payment's reference (what the payer was asked to quote:
   the receipt or transfer reference) or its order number appears in the line's reference as
   whole tokens. Both sides are compared folded (case, accents and full-width forms do not
   matter) and as their letters and digits only, on token boundaries: "RC-2026-000118" is found
   in "deposit rc 2026 000118", in "RC2026000118" and across a line break the bank put in it,
   but "OF-1" is not found in "OF-12" nor in "XOF-1".
3. A line matches a payment it mentions when the amount and the currency are equal.
4. Each line and each payment match at most once. Among several candidates, a payment found by
   its reference comes before one found by its order number, then the closest date (booked_on
   against received_on), then the lower line number and payment id: all candidate pairs are
   taken in that order, each while both its line and its payment are free.
5. Payments in `already_matched` (matched on an earlier statement or by hand) are never matched
   again and are not reported unmatched.
6. What is not a match but worth a look becomes a suggestion for an unmatched money-in line,
   never a match (finance confirms it or matches by hand):
   - "amount_differs" / "currency_differs": the line mentions an unmatched payment whose amount
     or currency is not the line's (a part payment, a bank charge taken off);
   - "amounts_add_up": the line mentions two or more unmatched payments whose amounts add up to
     the line's (one transfer for two receipts);
   - "matched_to_another_line": the line mentions a payment of the same amount that another line
     of this statement took (a transfer sent twice?);
   - "already_matched": the same, for a payment matched before this statement;
   - "same_amount_only": a line that mentions no payment, and the only unmatched payment of its
     amount and currency, when that line is also the only such line.

The output is sorted (matches and suggestions by line number, then payment id), so the same input
always gives the same answer. Line numbers must be unique in one call, and payment ids unique
and of one sortable type (all int or all str).
"""
import re
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from services.common.text import fold

from .statements import StatementLine

BY_REFERENCE, BY_ORDER_NUMBER = "reference", "order_number"
AMOUNT_DIFFERS, CURRENCY_DIFFERS, AMOUNTS_ADD_UP = "amount_differs", "currency_differs", "amounts_add_up"
TAKEN, ALREADY_MATCHED, SAME_AMOUNT_ONLY = "matched_to_another_line", "already_matched", "same_amount_only"

# References and order numbers are written in Latin letters and digits; anything else (spaces,
# dashes, a Chinese word written against the reference) separates tokens.
_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class PaymentRef:
    """A recorded payment as the matching needs it."""

    id: Hashable
    amount: Decimal
    currency: str
    reference: str | None    # what the payer was asked to quote: the receipt or transfer reference
    order_number: str
    received_on: date
    method: str


class Match(NamedTuple):
    line_no: int
    payment_id: Hashable
    rule: str                # BY_REFERENCE or BY_ORDER_NUMBER


class Suggestion(NamedTuple):
    line_no: int
    payment_id: Hashable
    why: str                 # one of the codes above; the console words it in the reader's language


@dataclass(frozen=True)
class Reconciliation:
    matched: tuple[Match, ...]
    unmatched_lines: tuple[int, ...]
    unmatched_payments: tuple[Hashable, ...]
    suggestions: tuple[Suggestion, ...]


def tokens(text: str | None) -> list[str]:
    # Most references are ASCII, where folding is lowercasing: the fast way keeps 10,000 lines quick.
    return _TOKEN.findall(text.lower() if text and text.isascii() else fold(text))


def reference_key(text: str | None) -> str:
    """'RC-2026-000118' -> 'rc2026000118': what a line must spell out, token by token."""
    return "".join(tokens(text))


def match(lines: Sequence[StatementLine], payments: Sequence[PaymentRef], *,
          already_matched: Iterable[Hashable] = ()) -> Reconciliation:
    """Match the lines of one statement to the payments (see the module's rules)."""
    ordered = sorted(payments, key=lambda p: p.id)
    rank = {p.id: position for position, p in enumerate(ordered)}
    if len(rank) != len(ordered):
        raise ValueError("payment ids must be unique")
    if len({line.line_no for line in lines}) != len(lines):
        raise ValueError("line numbers must be unique")
    done = set(already_matched)
    index = _Index(ordered)

    mentions: dict[int, dict[Hashable, str]] = {}      # line_no -> payment id -> how it was found
    candidates = []
    for line in lines:
        if line.amount <= 0:
            continue
        found = mentions[line.line_no] = index.mentioned_in(line.reference)
        for payment_id, rule in found.items():
            payment = index.payments[payment_id]
            if payment_id not in done and _same_money(line, payment):
                days = abs((line.booked_on - payment.received_on).days)
                candidates.append((rule != BY_REFERENCE, days, line.line_no, rank[payment_id], payment_id, rule))

    matched, line_taken, payment_taken = [], set(), {}
    for *_, line_no, _, payment_id, rule in sorted(candidates):
        if line_no not in line_taken and payment_id not in payment_taken:
            matched.append(Match(line_no, payment_id, rule))
            line_taken.add(line_no)
            payment_taken[payment_id] = line_no

    by_no = {line.line_no: line for line in lines}
    free = [p for p in ordered if p.id not in done and p.id not in payment_taken]
    suggestions = []
    for line_no, found in mentions.items():
        if line_no not in line_taken:
            suggestions += _suggestions(by_no[line_no], found, index, done, payment_taken)
    suggestions += _same_amount_only(
        [line for line in lines if line.amount > 0 and line.line_no not in line_taken and not mentions[line.line_no]],
        free)

    return Reconciliation(
        matched=tuple(sorted(matched)),
        unmatched_lines=tuple(sorted(line.line_no for line in lines if line.line_no not in line_taken)),
        unmatched_payments=tuple(p.id for p in free),
        suggestions=tuple(sorted(set(suggestions), key=lambda s: (s.line_no, rank[s.payment_id], s.why))))


class _Index:
    """Payments by the key of their reference and of their order number, so a line is looked up
    by its own tokens, never compared with every payment."""

    def __init__(self, payments: Sequence[PaymentRef]):
        self.payments = {p.id: p for p in payments}
        self.by_key: dict[str, list[tuple[Hashable, str]]] = defaultdict(list)
        for p in payments:
            for text, rule in ((p.reference, BY_REFERENCE), (p.order_number, BY_ORDER_NUMBER)):
                key = reference_key(text)
                if key:
                    self.by_key[key].append((p.id, rule))
        self.longest = max(map(len, self.by_key), default=0)

    def mentioned_in(self, text: str | None) -> dict[Hashable, str]:
        """Payment id -> BY_REFERENCE or BY_ORDER_NUMBER for each payment whose key is spelled by a
        run of whole tokens of the text (by reference when both are)."""
        found: dict[Hashable, str] = {}
        words = tokens(text)
        for start in range(len(words)):
            run = ""
            for word in words[start:]:
                run += word
                if len(run) > self.longest:
                    break
                for payment_id, rule in self.by_key.get(run, ()):
                    if found.get(payment_id) != BY_REFERENCE:
                        found[payment_id] = rule
        return found


def _same_money(line: StatementLine, payment: PaymentRef) -> bool:
    return line.currency == payment.currency and line.amount == payment.amount


def _suggestions(line, found, index, done, payment_taken) -> list[Suggestion]:
    out = []
    open_ones = []
    for payment_id in found:
        payment = index.payments[payment_id]
        if payment_id in done or payment_id in payment_taken:
            if _same_money(line, payment):
                out.append(Suggestion(line.line_no, payment_id, ALREADY_MATCHED if payment_id in done else TAKEN))
        else:
            open_ones.append(payment)
    together = [p for p in open_ones if p.currency == line.currency]
    if len(together) > 1 and sum(p.amount for p in together) == line.amount:
        out += [Suggestion(line.line_no, p.id, AMOUNTS_ADD_UP) for p in together]
        open_ones = [p for p in open_ones if p not in together]
    for payment in open_ones:
        why = CURRENCY_DIFFERS if payment.currency != line.currency else AMOUNT_DIFFERS
        out.append(Suggestion(line.line_no, payment.id, why))
    return out


def _same_amount_only(lines: list[StatementLine], payments: list[PaymentRef]) -> list[Suggestion]:
    lines_by_money, payments_by_money = defaultdict(list), defaultdict(list)
    for line in lines:
        lines_by_money[(line.currency, line.amount)].append(line)
    for payment in payments:
        payments_by_money[(payment.currency, payment.amount)].append(payment)
    return [Suggestion(found[0].line_no, payments_by_money[money][0].id, SAME_AMOUNT_ONLY)
            for money, found in lines_by_money.items()
            if len(found) == 1 and len(payments_by_money.get(money, ())) == 1]
