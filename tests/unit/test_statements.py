"""Bank statement files read into the normal form, and every kind of file that is not what it says
refused whole, with the field or line to fix. Real sample files in tests/fixtures/statements/."""
import hashlib
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from services.common.errors import ValidationFailed
from services.contracts import statements
from services.contracts.statements import MAX_BYTES, MAX_LINES, StatementLine, detect, parse

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "statements"
CAMT_02, CAMT_08 = SAMPLES / "camt053_001_02.xml", SAMPLES / "camt053_001_08.xml"
MT940, CSV_SEMICOLON, CSV_COMMA = SAMPLES / "mt940_de.sta", SAMPLES / "statement_semicolon.csv", SAMPLES / "statement_comma.csv"
HEADER = "booked_on,value_on,amount,currency,reference,counterparty,bank_reference\n"


def refused(content: bytes, format: str) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        parse(content, format)
    assert caught.value.status == 422
    return caught.value.details


def csv_of(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(row + "\n" for row in rows)).encode()


def camt(entries: str, opening="0.00", closing="0.00", version="02", doctype="") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'
            f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}"><BkToCstmrStmt><Stmt>'
            '<Id>S1</Id><Acct><Id><IBAN>ES9121000418450200051332</IBAN></Id><Ccy>EUR</Ccy></Acct>'
            f'<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{opening}</Amt>'
            '<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-02</Dt></Dt></Bal>'
            f'<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{closing}</Amt>'
            '<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-02</Dt></Dt></Bal>'
            f'{entries}</Stmt></BkToCstmrStmt></Document>').encode()


def entry(amount="100.00", mark="CRDT", booked="<Dt>2026-03-02</Dt>", details="") -> str:
    return (f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{mark}</CdtDbtInd><Sts>BOOK</Sts>'
            f'<BookgDt>{booked}</BookgDt><AcctSvcrRef>X1</AcctSvcrRef>{details}</Ntry>')


# --- camt.053 ----------------------------------------------------------------------------------------

def test_a_camt_053_001_02_statement_gives_its_account_balances_and_every_booking():
    statement = parse(CAMT_02.read_bytes(), "camt053")
    assert (statement.format, statement.account, statement.statement_id, statement.currency) == \
        ("camt053", "ES9121000418450200051332", "ES-20260302-0042", "EUR")
    assert (statement.opening_balance, statement.closing_balance) == (D("10000.00"), D("10318.10"))
    assert [line.amount for line in statement.lines] == \
        [D("1250.00"), D("480.50"), D("-2300.00"), D("600.00"), D("300.00"), D("-12.40")]
    assert [line.line_no for line in statement.lines] == [1, 2, 3, 4, 5, 6]
    assert statement.lines[0] == StatementLine(
        line_no=1, booked_on=date(2026, 3, 2), value_on=date(2026, 3, 2), amount=D("1250.00"), currency="EUR",
        reference="Deposito RC-2026-000118 OF-2026-0042 Nunez E2E-7781", counterparty="María Núñez",
        bank_reference="2026030200001")


def test_camt_totals_are_exact_to_the_cent():
    statement = parse(CAMT_02.read_bytes(), "camt053")
    total = sum(line.amount for line in statement.lines)
    assert statement.opening_balance + total == statement.closing_balance
    assert all(isinstance(line.amount, D) and line.amount.as_tuple().exponent == -2 for line in statement.lines)


def test_camt_structured_reference_is_read_and_notprovided_is_not_a_reference():
    line = parse(CAMT_02.read_bytes(), "camt053").lines[1]
    assert (line.reference, line.counterparty) == ("RC-2026-000119", "Chen Wei")


def test_camt_money_out_is_negative_and_names_the_creditor():
    line = parse(CAMT_02.read_bytes(), "camt053").lines[2]
    assert (line.amount, line.counterparty) == (D("-2300.00"), "Hotel Alhambra Palace SL")


def test_a_camt_batch_entry_gives_one_line_per_transaction_with_its_own_amount_payer_and_reference():
    lines = parse(CAMT_02.read_bytes(), "camt053").lines[3:5]
    assert [(l.amount, l.counterparty, l.bank_reference, l.value_on) for l in lines] == [
        (D("600.00"), "Li Na", "2026030200004-1", date(2026, 3, 3)),
        (D("300.00"), "Wang Fang", "2026030200004-2", date(2026, 3, 3))]
    assert lines[0].reference == "RC-2026-000120 E2E-LI-1"


def test_a_camt_entry_without_details_takes_its_additional_information_as_reference():
    line = parse(CAMT_02.read_bytes(), "camt053").lines[5]
    assert (line.reference, line.counterparty) == ("Comision mantenimiento cuenta", None)


def test_a_camt_053_001_08_statement_reads_its_newer_forms_and_leaves_pending_entries_out():
    statement = parse(CAMT_08.read_bytes(), "camt053")
    assert (statement.account, statement.currency, statement.opening_balance, statement.closing_balance) == \
        ("6222020000001234567", "CNY", D("50000.00"), D("60280.00"))
    assert [(l.amount, l.counterparty) for l in statement.lines] == [
        (D("8800.00"), "王芳"), (D("-1520.00"), "北京长城国际旅行社"), (D("1000.00"), "张伟"), (D("2000.00"), "刘洋")]
    assert statement.lines[0].booked_on == date(2026, 3, 3)  # from BookgDt/DtTm
    assert statement.lines[0].reference == "订金 RC-2026-000130 E2E-CN-1"
    assert statement.lines[3].reference == "OF-2026-0077 E2E-CN-3"
    assert "ICBC0303000002" not in {l.bank_reference for l in statement.lines}  # the PDNG entry


def test_a_camt_batch_whose_transactions_do_not_add_up_to_the_entry_is_refused():
    tx = ('<TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">{}</Amt></TxAmt></AmtDtls>'
          '<RmtInf><Ustrd>R</Ustrd></RmtInf></TxDtls>')
    details = f"<NtryDtls>{tx.format('60.00')}{tx.format('30.00')}</NtryDtls>"
    problems = refused(camt(entry("100.00", details=details), closing="100.00"), "camt053")
    assert "add up to 90.00" in problems["line 1"][0]


def test_camt_lines_that_do_not_lead_to_the_closing_balance_are_refused():
    problems = refused(camt(entry("100.00"), opening="0.00", closing="99.99"), "camt053")
    assert "closing_balance" in problems


def test_a_camt_amount_finer_than_a_cent_is_refused_with_its_line():
    problems = refused(camt(entry("10.00") + entry("100.005"), closing="110.01"), "camt053")
    assert "line 2" in problems and "more than 2 decimals" in problems["line 2"][0]


def test_a_camt_entry_with_a_bad_booking_date_is_refused_with_its_line():
    problems = refused(camt(entry(booked="<Dt>2026-02-30</Dt>"), closing="100.00"), "camt053")
    assert "booked_on" in problems["line 1"][0]


def test_a_camt_entry_in_another_currency_than_the_account_is_refused():
    problems = refused(camt(entry().replace('Ccy="EUR">100.00', 'Ccy="USD">100.00'), closing="100.00"), "camt053")
    assert "currency" in problems["line 1"][0]


def two_statements(second_iban: str) -> bytes:
    """S1 books 100.00 from 0.00 to 100.00; S2, of second_iban, books 100.00 more up to 200.00."""
    one = camt(entry("100.00"), opening="0.00", closing="100.00").decode()
    stmt = one[one.index("<Stmt>"):one.index("</Stmt>") + len("</Stmt>")]
    second = stmt.replace("<Id>S1</Id>", "<Id>S2</Id>").replace("ES9121000418450200051332", second_iban)
    second = second.replace('<Amt Ccy="EUR">0.00</Amt>', '<Amt Ccy="EUR">100.00</Amt>', 1)
    second = second.replace('<Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00',
                            '<Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">200.00')
    return one.replace("</Stmt>", "</Stmt>" + second, 1).encode()


def test_two_camt_statements_of_one_account_are_read_as_one():
    statement = parse(two_statements("ES9121000418450200051332"), "camt053")
    assert (statement.statement_id, statement.opening_balance, statement.closing_balance) == \
        ("S1, S2", D("0.00"), D("200.00"))
    assert [line.line_no for line in statement.lines] == [1, 2]


def test_camt_statements_of_two_accounts_in_one_file_are_refused():
    problems = refused(two_statements("DE89370400440532013000"), "camt053")
    assert "DE89370400440532013000" in problems["account"][0]


BILLION_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                  '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
                  '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>')


def test_an_entity_bomb_is_refused_without_expanding_it():
    content = camt(entry(details="<AddtlNtryInf>&lol4;</AddtlNtryInf>"), closing="100.00", doctype=BILLION_LAUGHS)
    problems = refused(content, "camt053")
    assert "refused" in problems["file"][0]


def test_an_external_entity_is_refused_and_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-IBAN")
    doctype = f'<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    content = camt(entry(details="<AddtlNtryInf>&xxe;</AddtlNtryInf>"), closing="100.00", doctype=doctype)
    problems = refused(content, "camt053")
    assert "TOP-SECRET" not in str(problems) and problems["file"]


def test_malformed_xml_is_refused():
    content = CAMT_02.read_bytes()
    assert "Malformed XML" in refused(content[: len(content) // 2], "camt053")["file"][0]


def test_an_iso_20022_document_that_is_not_a_camt_053_is_refused():
    content = CAMT_02.read_bytes().replace(b"camt.053.001.02", b"camt.054.001.02")
    assert "Not a camt.053 document" in refused(content, "camt053")["file"][0]


# --- MT940 -------------------------------------------------------------------------------------------

def test_an_mt940_file_of_two_days_is_one_statement_of_its_account():
    statement = parse(MT940.read_bytes(), "mt940")
    assert (statement.account, statement.currency, statement.statement_id) == \
        ("DE89370400440532013000", "EUR", "STARTUMSE 00042/001..00043/001")
    assert (statement.opening_balance, statement.closing_balance) == (D("5000.00"), D("4418.10"))
    assert [l.amount for l in statement.lines] == [D("1250.00"), D("-2300.00"), D("480.50"), D("-12.40")]
    assert statement.opening_balance + sum(l.amount for l in statement.lines) == statement.closing_balance


def test_mt940_structured_details_give_the_purpose_end_to_end_id_and_payer():
    line = parse(MT940.read_bytes(), "mt940").lines[0]
    # The bank wrapped the receipt number across ?21 and ?22: it is read whole again.
    assert line.reference == "Anzahlung RC-2026-000118 OF-2026-0042 E2E-7781"
    assert (line.counterparty, line.bank_reference) == ("Maria Nunez", "BANKREF-0001")


def test_mt940_entry_date_is_the_booking_date_and_the_value_date_stays_apart():
    line = parse(MT940.read_bytes(), "mt940").lines[1]
    assert (line.booked_on, line.value_on) == (date(2026, 3, 4), date(2026, 3, 3))


def test_mt940_free_text_details_and_the_customer_reference_are_both_kept():
    line = parse(MT940.read_bytes(), "mt940").lines[2]
    assert line.reference == "Zahlung Chen Wei RC-2026-000119 RC-2026-0119"


def test_an_mt940_file_in_its_swift_envelope_reads_the_same():
    content = MT940.read_bytes()
    enveloped = b"{1:F01COBADEFFAXXX0000000000}{2:I940COBADEFFXXXXN}{4:\r\n" + content + b"-}\r\n"
    assert parse(enveloped, "mt940").lines == parse(content, "mt940").lines


def test_an_mt940_file_in_iso_8859_1_keeps_its_umlauts():
    content = MT940.read_bytes().replace(b"Kontofuehrung", "Kontoführung".encode("latin-1"))
    assert parse(content, "mt940").lines[3].reference == "Kontoführung"


def test_an_mt940_file_whose_lines_do_not_reach_the_closing_balance_is_refused():
    content = MT940.read_bytes().replace(b":62F:C260304EUR4418,10", b":62F:C260304EUR4418,11")
    problems = refused(content, "mt940")
    assert "Statement block 2" in problems["closing_balance"][0]


def test_an_mt940_line_that_does_not_read_is_refused():
    content = MT940.read_bytes().replace(b":61:2603040304C480,50", b":61:26030X0304C480,50")
    assert refused(content, "mt940")["file"]


def test_an_mt940_amount_finer_than_a_cent_is_refused_with_its_line():
    content = MT940.read_bytes().replace(b"C480,50NMSC", b"C480,505NMSC").replace(b"EUR4418,10", b"EUR4418,105")
    assert "line 3" in refused(content, "mt940")


# --- CSV ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sample", [CSV_SEMICOLON, CSV_COMMA])
def test_our_csv_layout_reads_with_either_separator_and_columns_in_any_order(sample):
    statement = parse(sample.read_bytes(), "csv")
    assert (statement.format, statement.currency, statement.account, statement.opening_balance) == \
        ("csv", "EUR", None, None)
    assert [(l.line_no, l.booked_on, l.value_on, l.amount, l.counterparty, l.bank_reference) for l in statement.lines] == [
        (1, date(2026, 3, 2), date(2026, 3, 2), D("1250.00"), "María Núñez", "B-1"),
        (2, date(2026, 3, 2), None, D("480.50"), "Chen Wei", "B-2"),
        (3, date(2026, 3, 3), date(2026, 3, 3), D("-2300.00"), "Hotel Alhambra Palace SL", "B-3"),
        (4, date(2026, 3, 4), date(2026, 3, 5), D("600.00"), "李娜", None)]


def test_a_quoted_csv_field_may_hold_the_separator():
    assert parse(CSV_SEMICOLON.read_bytes(), "csv").lines[1].reference == "RC-2026-000119; Chen"
    assert parse(CSV_COMMA.read_bytes(), "csv").lines[1].reference == "RC-2026-000119, Chen"


def test_a_csv_missing_a_column_is_refused_naming_it():
    header = "booked_on,value_on,amount,currency,reference,counterparty\n"
    problems = refused(csv_of("2026-03-02,,10.00,EUR,R,P", header=header), "csv")
    assert problems["header"] == ["Missing columns: bank_reference."]


def test_a_csv_with_an_unknown_column_is_refused():
    header = HEADER.strip() + ",balance\n"
    assert "Unknown columns: balance" in refused(csv_of("2026-03-02,,10.00,EUR,R,P,B,99", header=header), "csv")["header"][0]


@pytest.mark.parametrize("row, field", [
    ("02/03/2026,,10.00,EUR,R,P,B", "booked_on"),
    ("2026-03-02,2026-13-01,10.00,EUR,R,P,B", "value_on"),
    ("2026-03-02,,\"10,00\",EUR,R,P,B", "amount"),
    ("2026-03-02,,1.000.00,EUR,R,P,B", "amount"),
    ("2026-03-02,,10.001,EUR,R,P,B", "amount"),
    ("2026-03-02,,10.00,euro,R,P,B", "currency"),
    ("2026-03-02,,,EUR,R,P,B", "amount"),
    ("2026-03-02,,10.00,EUR,R\x00,P,B", "reference"),
    ("2026-03-02,,10.00,EUR,R," + "P" * 201 + ",B", "counterparty"),
])
def test_a_bad_csv_line_is_refused_with_its_line_and_field(row, field):
    problems = refused(csv_of("2026-03-01,,5.00,EUR,OK,P,B", row), "csv")
    assert list(problems) == ["line 2"] and problems["line 2"][0].startswith(f"{field}:")


def test_a_csv_line_with_too_few_fields_is_refused():
    assert "6 fields" in refused(csv_of("2026-03-02,,10.00,EUR,R,P"), "csv")["line 1"][0]


def test_the_minor_unit_is_the_currencys_own():
    assert parse(csv_of("2026-03-02,,15000,JPY,R,P,B"), "csv").lines[0].amount == D("15000")
    assert "more than 0 decimals" in refused(csv_of("2026-03-02,,15000.50,JPY,R,P,B"), "csv")["line 1"][0]
    assert parse(csv_of("2026-03-02,,10.5,CNY,R,P,B"), "csv").lines[0].amount == D("10.50")


def test_a_csv_of_several_currencies_is_refused():
    problems = refused(csv_of("2026-03-02,,10.00,EUR,R,P,B", "2026-03-02,,10.00,USD,R,P,B"), "csv")
    assert "EUR, USD" in problems["currency"][0]


def test_a_csv_that_is_not_utf8_is_refused():
    assert "not UTF-8" in refused(csv_of("2026-03-02,,10.00,EUR,Núñez,P,B").decode().encode("latin-1"), "csv")["file"][0]


def test_a_file_with_many_bad_lines_lists_the_first_hundred():
    problems = refused(csv_of(*["2026-03-02,,x,EUR,R,P,B"] * 150), "csv")
    assert len([key for key in problems if key.startswith("line ")]) == 100 and problems["lines"]


def test_more_than_fifty_thousand_lines_are_refused():
    problems = refused(csv_of(*["2026-03-02,,1.00,EUR,R,P,B"] * (MAX_LINES + 1)), "csv")
    assert str(MAX_LINES) in problems["file"][0]


def test_a_file_over_twenty_megabytes_is_refused_before_it_is_read():
    content = HEADER.encode() + b"2026-03-02,,1.00,EUR," + b"R" * MAX_BYTES + b",P,B\n"
    assert "larger than 20 MB" in refused(content, "csv")["file"][0]


@pytest.mark.parametrize("content", [b"", b"  \n"])
def test_an_empty_file_is_refused(content):
    assert refused(content, "csv")["file"] == ["The file is empty."]


def test_a_csv_with_a_header_and_no_lines_is_refused():
    assert refused(HEADER.encode(), "csv")["file"]


# --- any format --------------------------------------------------------------------------------------

@pytest.mark.parametrize("sample, format", [(CAMT_02, "camt053"), (CAMT_08, "camt053"), (MT940, "mt940"),
                                            (CSV_SEMICOLON, "csv"), (CSV_COMMA, "csv")])
def test_each_sample_is_detected_as_its_format(sample, format):
    assert detect(sample.read_bytes()) == format


def test_a_file_of_no_known_format_is_not_detected():
    assert detect(b"%PDF-1.7\n...") is None
    assert detect(b"date,amount\n2026-03-02,10\n") is None


@pytest.mark.parametrize("sample, wrong", [(CAMT_02, "csv"), (MT940, "camt053"), (CSV_COMMA, "mt940")])
def test_a_file_given_as_another_format_is_refused_saying_what_it_looks_like(sample, wrong):
    assert "looks like" in refused(sample.read_bytes(), wrong)["file"][0]


def test_an_unknown_format_is_refused():
    assert refused(CSV_COMMA.read_bytes(), "xlsx") == {"format": ["One of csv, mt940, camt053."]}


@pytest.mark.parametrize("sample, format", [(CAMT_02, "camt053"), (MT940, "mt940"), (CSV_SEMICOLON, "csv")])
def test_the_same_file_again_has_the_same_checksum_and_a_changed_one_does_not(sample, format):
    content = sample.read_bytes()
    first, again = parse(content, format), parse(bytes(content), format)
    assert first.checksum == again.checksum == hashlib.sha256(content).hexdigest()
    assert first == again
    assert parse(content + b"\n", format).checksum != first.checksum


def test_the_statements_package_exports_its_normal_form():
    assert set(statements.__all__) >= {"Statement", "StatementLine", "parse", "detect", "FORMATS"}
