"""`python -m bench.reconcile`: matching a statement's lines to payments, in the rules' own code.

Issue 11's target: a 10,000-line statement against 10,000 payments in well under 2 seconds.
Each size gets a made-up day of transfers: most lines quote the receipt reference, some the order
number only (wrapped by the bank, in another case), some pay a different amount, some are money
out or quote nothing. Also times reading that statement as camt.053 XML first, as an import does.
Prints the median of a few runs as a markdown table.
"""
import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

from services.contracts import statements
from services.contracts.reconciliation import PaymentRef, match

SIZES = (1_000, 10_000)
RUNS = 5
DAY = date(2026, 3, 2)


def day_of_transfers(size: int, seed: int = 11, day: date = DAY) -> tuple[list[statements.StatementLine],
                                                                         list[PaymentRef]]:
    rng = random.Random(seed)
    payments, lines = [], []
    for n in range(1, size + 1):
        amount = Decimal(rng.randrange(5_000, 900_000)).scaleb(-2)
        receipt, order = f"RC-2026-{n:06d}", f"OF-2026-{n // 2:05d}"
        payments.append(PaymentRef(id=n, amount=amount, currency="EUR", reference=receipt, order_number=order,
                                   received_on=day - timedelta(days=rng.randrange(0, 5)), method="bank_transfer"))
        kind = rng.random()
        if kind < 0.75:
            reference, paid = f"Deposit {receipt} thank you", amount
        elif kind < 0.85:
            reference, paid = f"trip {order.lower()[:6]} {order.lower()[6:]}", amount
        elif kind < 0.92:
            reference, paid = f"{receipt}", amount - Decimal("1.50")
        elif kind < 0.96:
            reference, paid = f"Invoice H-{n}", -amount
        else:
            reference, paid = "transfer", amount
        lines.append(statements.StatementLine(line_no=n, booked_on=day, value_on=day, amount=paid, currency="EUR",
                                              reference=reference, counterparty=f"Customer {n}",
                                              bank_reference=f"B{n:08d}"))
    rng.shuffle(lines)
    return lines, payments


def camt_of(lines) -> bytes:
    """The lines as one camt.053.001.08 statement, balances included."""
    entries = []
    for line in sorted(lines, key=lambda l: l.line_no):
        mark = "CRDT" if line.amount > 0 else "DBIT"
        entries.append(
            f"<Ntry><Amt Ccy=\"EUR\">{abs(line.amount)}</Amt><CdtDbtInd>{mark}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
            f"<BookgDt><Dt>{line.booked_on}</Dt></BookgDt><ValDt><Dt>{line.value_on}</Dt></ValDt>"
            f"<AcctSvcrRef>{line.bank_reference}</AcctSvcrRef><NtryDtls><TxDtls><RltdPties><Dbtr><Pty>"
            f"<Nm>{line.counterparty}</Nm></Pty></Dbtr></RltdPties><RmtInf><Ustrd>{line.reference}</Ustrd>"
            f"</RmtInf></TxDtls></NtryDtls></Ntry>")
    closing = sum(line.amount for line in lines)
    day = min(line.booked_on for line in lines)
    balance = ("<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">{amount}</Amt>"
               "<CdtDbtInd>{mark}</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>")
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\"><BkToCstmrStmt><Stmt>"
            "<Id>BENCH</Id><Acct><Id><IBAN>ES9121000418450200051332</IBAN></Id><Ccy>EUR</Ccy></Acct>"
            + balance.format(code="OPBD", amount="0.00", mark="CRDT", day=day)
            + balance.format(code="CLBD", amount=abs(closing), mark="CRDT" if closing >= 0 else "DBIT", day=day)
            + "".join(entries) + "</Stmt></BkToCstmrStmt></Document>").encode()


def timed(function, runs: int):
    seconds, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args(argv)
    print(f"median of {args.runs} runs\n")
    print("| lines | payments | matched | suggestions | match s | parse camt.053 s |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size in SIZES:
        lines, payments = day_of_transfers(size)
        content = camt_of(lines)
        parse_seconds, statement = timed(lambda: statements.parse(content, "camt053"), args.runs)
        assert len(statement.lines) == size
        match_seconds, result = timed(lambda: match(lines, payments), args.runs)
        print(f"| {size:,} | {len(payments):,} | {len(result.matched):,} | {len(result.suggestions):,} "
              f"| {match_seconds:.3f} | {parse_seconds:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
