"""The matching rules of bank reconciliation, each with a case that breaks if the rule does."""
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest

from services.contracts import reconciliation as rec
from services.contracts.reconciliation import Match, PaymentRef, Suggestion, match
from services.contracts.statements import StatementLine, parse

DAY = date(2026, 3, 2)
SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "statements"


def line(no, amount, reference, currency="EUR", booked_on=DAY) -> StatementLine:
    return StatementLine(line_no=no, booked_on=booked_on, value_on=booked_on, amount=D(amount), currency=currency,
                         reference=reference, counterparty=None, bank_reference=f"B{no}")


def payment(id, amount, reference=None, order_number="OF-2026-9999", currency="EUR", received_on=DAY) -> PaymentRef:
    return PaymentRef(id=id, amount=D(amount), currency=currency, reference=reference, order_number=order_number,
                      received_on=received_on, method="bank_transfer")


def test_a_line_quoting_the_payments_reference_with_its_amount_matches_it():
    result = match([line(1, "250.00", "Deposit RC-2026-000118 thanks")], [payment("p1", "250.00", "RC-2026-000118")])
    assert result.matched == (Match(1, "p1", "reference"),)
    assert (result.unmatched_lines, result.unmatched_payments, result.suggestions) == ((), (), ())


@pytest.mark.parametrize("written", ["rc-2026-000118", "RC 2026 000118", "RC2026000118", "Pago:RC-2026-000118.",
                                     "RC-2026-00 0118", "ＲＣ－２０２６－０００１１８", "订金RC-2026-000118"])
def test_the_reference_is_found_whatever_the_case_spaces_and_separators(written):
    result = match([line(1, "250.00", written)], [payment("p1", "250.00", "RC-2026-000118")])
    assert result.matched == (Match(1, "p1", "reference"),)


@pytest.mark.parametrize("written", ["OF-12", "XOF-1", "OF-1A", "of 12", "OF-10"])
def test_a_reference_is_matched_on_token_boundaries_not_as_a_substring(written):
    result = match([line(1, "80.00", f"Order {written}")], [payment("p1", "80.00", "OF-1", order_number="X")])
    assert result.matched == ()


def test_the_order_number_is_used_when_the_line_does_not_quote_the_reference():
    result = match([line(1, "80.00", "for trip OF-2026-0042")], [payment("p1", "80.00", "RC-1", "OF-2026-0042")])
    assert result.matched == (Match(1, "p1", "order_number"),)


def test_a_payment_without_a_reference_is_found_by_its_order_number():
    result = match([line(1, "80.00", "OF-2026-0042")], [payment("p1", "80.00", None, "OF-2026-0042")])
    assert result.matched == (Match(1, "p1", "order_number"),)


def test_money_out_never_matches_a_payment():
    result = match([line(1, "-80.00", "RC-1"), line(2, "80.00", "nothing")], [payment("p1", "-80.00", "RC-1")])
    assert result.matched == () and result.unmatched_lines == (1, 2) and result.unmatched_payments == ("p1",)


def test_a_different_currency_is_not_a_match_but_a_suggestion():
    result = match([line(1, "80.00", "RC-1", currency="USD")], [payment("p1", "80.00", "RC-1")])
    assert result.matched == () and result.suggestions == (Suggestion(1, "p1", "currency_differs"),)


def test_a_reference_found_with_a_different_amount_is_a_suggestion_not_a_match():
    result = match([line(1, "78.50", "RC-1")], [payment("p1", "80.00", "RC-1")])
    assert result.matched == ()
    assert result.suggestions == (Suggestion(1, "p1", "amount_differs"),)
    assert (result.unmatched_lines, result.unmatched_payments) == ((1,), ("p1",))


def test_each_payment_matches_one_line_only_and_a_second_transfer_is_pointed_out():
    result = match([line(1, "80.00", "RC-1"), line(2, "80.00", "RC-1 again")], [payment("p1", "80.00", "RC-1")])
    assert result.matched == (Match(1, "p1", "reference"),)
    assert result.suggestions == (Suggestion(2, "p1", "matched_to_another_line"),)
    assert result.unmatched_lines == (2,)


def test_each_line_matches_one_payment_only():
    # Deposit and balance of one order file, both 500.00, one transfer quoting the order number.
    payments = [payment("p1", "500.00", "RC-1", "OF-7"), payment("p2", "500.00", "RC-2", "OF-7")]
    result = match([line(1, "500.00", "OF-7")], payments)
    assert len(result.matched) == 1 and len(result.unmatched_payments) == 1


def test_a_payment_found_by_its_reference_wins_over_one_found_by_its_order_number():
    payments = [payment("p1", "500.00", "RC-1", "OF-7", received_on=DAY),
                payment("p2", "500.00", "RC-2", "OF-7", received_on=DAY - timedelta(days=20))]
    result = match([line(1, "500.00", "OF-7 RC-2")], payments)
    assert result.matched == (Match(1, "p2", "reference"),)


def test_among_equal_candidates_the_closest_date_wins():
    payments = [payment("p1", "500.00", "RC-1", "OF-7", received_on=DAY - timedelta(days=9)),
                payment("p2", "500.00", "RC-2", "OF-7", received_on=DAY - timedelta(days=1)),
                payment("p3", "500.00", "RC-3", "OF-7", received_on=DAY + timedelta(days=4))]
    result = match([line(1, "500.00", "OF-7")], payments)
    assert result.matched == (Match(1, "p2", "order_number"),)


def test_a_line_that_quotes_its_reference_keeps_its_payment_from_a_line_that_only_quotes_the_order():
    payments = [payment("p1", "500.00", "RC-1", "OF-7")]
    result = match([line(1, "500.00", "OF-7"), line(2, "500.00", "RC-1")], payments)
    assert result.matched == (Match(2, "p1", "reference"),)


def test_a_payment_already_matched_is_not_matched_again_nor_reported_unmatched():
    result = match([line(1, "80.00", "RC-1")], [payment("p1", "80.00", "RC-1"), payment("p2", "9.00", "RC-9")],
                   already_matched={"p1"})
    assert result.matched == ()
    assert result.unmatched_payments == ("p2",)
    assert result.suggestions == (Suggestion(1, "p1", "already_matched"),)


def test_one_transfer_for_two_receipts_is_suggested_for_both():
    payments = [payment("p1", "300.00", "RC-1"), payment("p2", "200.00", "RC-2")]
    result = match([line(1, "500.00", "RC-1 RC-2")], payments)
    assert result.matched == ()
    assert result.suggestions == (Suggestion(1, "p1", "amounts_add_up"), Suggestion(1, "p2", "amounts_add_up"))


def test_a_line_that_quotes_nothing_is_suggested_for_the_only_payment_of_its_amount():
    payments = [payment("p1", "321.09", "RC-1"), payment("p2", "80.00", "RC-2"), payment("p3", "80.00", "RC-3")]
    result = match([line(1, "321.09", "transfer"), line(2, "80.00", "transfer")], payments)
    assert result.suggestions == (Suggestion(1, "p1", "same_amount_only"),)


def test_the_answer_does_not_depend_on_the_order_of_the_input():
    lines = [line(n, f"{n}0.00", f"RC-{n % 7} OF-{n % 3}") for n in range(1, 40)]
    payments = [payment(f"p{n:02d}", f"{n}0.00", f"RC-{n % 7}", f"OF-{n % 3}") for n in range(1, 40)]
    first = match(lines, payments)
    assert first == match(list(reversed(lines)), list(reversed(payments)))
    assert list(first.matched) == sorted(first.matched)
    assert list(first.unmatched_payments) == sorted(first.unmatched_payments)


def test_duplicate_line_numbers_or_payment_ids_are_a_programming_error():
    with pytest.raises(ValueError):
        match([line(1, "1.00", "a"), line(1, "2.00", "b")], [])
    with pytest.raises(ValueError):
        match([], [payment("p1", "1.00"), payment("p1", "2.00")])


def test_a_camt_statement_reconciles_against_the_days_payments():
    statement = parse((SAMPLES / "camt053_001_02.xml").read_bytes(), "camt053")
    payments = [payment(1, "1250.00", "RC-2026-000118", "OF-2026-0042"),
                payment(2, "480.50", "RC-2026-000119", "OF-2026-0050"),
                payment(3, "600.00", "RC-2026-000120", "OF-2026-0051"),
                payment(4, "350.00", "RC-2026-000121", "OF-2026-0052")]
    result = match(statement.lines, payments)
    assert result.matched == (Match(1, 1, "reference"), Match(2, 2, "reference"), Match(4, 3, "reference"))
    assert result.unmatched_lines == (3, 5, 6) and result.unmatched_payments == (4,)
    assert result.suggestions == (Suggestion(5, 4, "amount_differs"),)
    matched_total = sum(l.amount for l in statement.lines if l.line_no in {m.line_no for m in result.matched})
    assert matched_total == D("2330.50")


def test_reference_keys_are_letters_and_digits_folded():
    assert rec.reference_key("  Rc-2026/000118 ") == "rc2026000118"
    assert rec.reference_key(None) == ""
