"""The bank report parser (sepa/bank_reports.py) and its hardened XML reader.

The report files in data/bank_reports were written after the published message
structure; no installed package ships the pain.002 or camt XSDs (sepaxml has pain.001
and pain.008 only), so the tests cannot validate them against a schema.
"""

import datetime
import hashlib
import pathlib
from decimal import Decimal
from unittest import mock

from lxml import etree

from odoo.tests import BaseCase, tagged

from ..sepa import pain008, reason_codes, xml_reader
from ..sepa.bank_reports import SUPPORTED_VERSIONS, BankFileError, parse_bank_report
from ..sepa.xml_reader import MAX_TEXT_LENGTH, parse_xml

DATA_DIR = pathlib.Path(__file__).parent / "data" / "bank_reports"
MAX_SIZE = 10 * 1024 * 1024
REPORTS = (
    "pain.002.001.03.xml",
    "pain.002.001.10.xml",
    "pain.002.001.10_file_reject.xml",
    "camt.054.001.02.xml",
    "camt.054.001.04.xml",
    "camt.054.001.08.xml",
    "camt.053.001.02.xml",
    "camt.053.001.08.xml",
    # One small file for each of the other camt versions (written by the same hand).
    *(f"camt.053.001.0{minor}.xml" for minor in range(3, 8)),
    *(f"camt.054.001.0{minor}.xml" for minor in (3, 5, 6, 7)),
)
# The fields every expectation below spells out, in this order.
FIELDS = (
    "kind",
    "level",
    "original_message_id",
    "original_pmtinf_id",
    "original_end_to_end_id",
    "original_instruction_id",
    "original_mandate_id",
    "amount",
    "currency",
    "date",
    "reason_code",
    "reason_proprietary",
    "additional_info",
    "bank_charge",
    "key",
)
# Every code of shared/domain/sepa.md section 6 (RR01-RR03 and CNOR/DNOR spelled out).
DOMAIN_NOTE_CODES = {
    *("AC01", "AC04", "AC06", "AG01", "AG02", "AM04", "AM05", "BE05", "CNOR", "DNOR"),
    *("FF01", "FOCR", "MD01", "MD02", "MD06", "MD07", "MS02", "MS03", "RC01", "RR01"),
    *("RR02", "RR03", "RR04", "SL01"),
}


def read(name):
    return (DATA_DIR / name).read_bytes()


def parse(name, max_size=MAX_SIZE):
    return parse_bank_report(read(name), max_size=max_size)


def camt054(entries="", namespace="camt.054.001.08", header=""):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:{namespace}">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>T-1</MsgId><CreDtTm>2026-12-04T06:00:01</CreDtTm>{header}</GrpHdr>
    <Ntfctn>
      <Id>T-1-1</Id>
      <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>
      {entries}
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
""".encode()


def d(value):
    return datetime.date.fromisoformat(value)


@tagged("post_install", "-at_install")
class TestBankReports(BaseCase):
    def assertEntries(self, report, expected):
        actual = [tuple(getattr(entry, name) for name in FIELDS) for entry in report.entries]
        self.assertEqual(len(actual), len(expected), [entry.key for entry in report.entries])
        for got, want in zip(actual, expected, strict=True):
            self.assertEqual(dict(zip(FIELDS, got, strict=True)), dict(zip(FIELDS, want, strict=True)))

    def assertRefused(self, data, reason, max_size=MAX_SIZE):
        with self.assertRaises(BankFileError) as caught:
            parse_bank_report(data, max_size=max_size)
        self.assertEqual(caught.exception.reason, reason, str(caught.exception))
        return caught.exception

    # The supported versions --------------------------------------------------------

    def test_pain002_001_03_transaction_and_block_rejects(self):
        report = parse("pain.002.001.03.xml")
        self.assertEqual(report.message_type, "pain.002")
        self.assertEqual(report.version, "pain.002.001.03")
        self.assertEqual(report.message_id, "STS-20261126-000417")
        self.assertEqual(report.created, datetime.datetime(2026, 11, 26, 7, 42, 10))
        self.assertEqual(report.account_ibans, frozenset({"DE89370400440532013000"}))
        key = "pain.002:STS-20261126-000417"
        msg = "BSEPA-2026-0042"
        self.assertEntries(
            report,
            [
                ("reject", "transaction", msg, f"{msg}-1", "INV/2026/00101", f"{msg}-1-01",
                 "ISP-MNDT-000311", Decimal("49.95"), "EUR", d("2026-11-26"), "AM04", None, "",
                 None, f"{key}:B1T1:INV/2026/00101"),
                ("reject", "transaction", msg, f"{msg}-1", "INV/2026/00103", f"{msg}-1-03",
                 "ISP-MNDT-000377", Decimal("87.50"), "EUR", d("2026-11-26"), "MD01", None, "",
                 None, f"{key}:B1T2:INV/2026/00103"),
                ("reject", "block", msg, f"{msg}-2", None, None, None, Decimal("124.95"), None,
                 d("2026-11-26"), "BE05", None, "", None, f"{key}:B2:{msg}-2"),
            ],
        )  # fmt: skip
        first = report.entries[0]
        self.assertEqual(first.original_collection_date, d("2026-11-27"))
        self.assertEqual(first.account_iban, "DE89370400440532013000")
        self.assertEqual((first.debtor_name, first.debtor_iban), ("Jan Jansen", "NL91ABNA0417164300"))

    def test_pain002_001_10_transaction_rejects(self):
        report = parse("pain.002.001.10.xml")
        self.assertEqual(report.version, "pain.002.001.10")
        self.assertEqual(report.account_ibans, frozenset({"NL44RABO0123456789"}))
        key = "pain.002:PSR-2026-11-26-0014"
        msg = "BSEPA-2026-0043"
        # WEB-ORDER-88121 is accepted (ACCP): not a reject. NOTPROVIDED is no reference.
        self.assertEntries(
            report,
            [
                ("reject", "transaction", msg, f"{msg}-1", "WEB-ORDER-88120", f"{msg}-1-01",
                 "WEB-MNDT-1044", Decimal("120.00"), "EUR", d("2026-11-26"), "AC04", None,
                 "Account closed", Decimal("1.25"), f"{key}:B1T1:WEB-ORDER-88120"),
                ("reject", "transaction", msg, f"{msg}-1", "WEB-ORDER-88122", None,
                 "WEB-MNDT-1051", Decimal("50.00"), "EUR", d("2026-11-26"), None,
                 "R-DEBTOR-BLOCK", "", None, f"{key}:B1T3:WEB-ORDER-88122"),
            ],
        )  # fmt: skip
        self.assertEqual(report.entries[0].debtor_name, "Pieter de Vries")
        self.assertEqual(report.entries[0].bank_reference, "RABO-R-77310")

    def test_pain002_001_10_file_reject(self):
        report = parse("pain.002.001.10_file_reject.xml")
        self.assertEqual(report.created.utcoffset(), datetime.timedelta(hours=1))
        self.assertEqual(report.account_ibans, frozenset())
        self.assertEntries(
            report,
            [
                ("reject", "file", "BSEPA-2026-0041", None, None, None, None, Decimal("1049.00"),
                 None, d("2026-11-25"), "FF01", None,
                 "File rejected: schema validation failed at line 87", None,
                 "pain.002:PSR-2026-11-25-0009:G:BSEPA-2026-0041"),
            ],
        )  # fmt: skip

    def test_pain002_widest_reject_wins(self):
        # A rejected block that also lists its rejected transactions is one block reject.
        data = read("pain.002.001.03.xml").replace(
            b"<OrgnlCtrlSum>187.45</OrgnlCtrlSum>",
            b"<OrgnlCtrlSum>187.45</OrgnlCtrlSum><PmtInfSts>RJCT</PmtInfSts>"
            b"<StsRsnInf><Rsn><Cd>AG02</Cd></Rsn></StsRsnInf>",
        )
        report = parse_bank_report(data, max_size=MAX_SIZE)
        self.assertEqual(
            [(entry.level, entry.original_pmtinf_id, entry.reason_code) for entry in report.entries],
            [("block", "BSEPA-2026-0042-1", "AG02"), ("block", "BSEPA-2026-0042-2", "BE05")],
        )
        self.assertNotIn("TxInfAndSts", report.entries[0].raw_xml)

    def test_camt054_001_02_return_and_refund(self):
        report = parse("camt.054.001.02.xml")
        self.assertEqual((report.message_type, report.version), ("camt.054", "camt.054.001.02"))
        self.assertEqual(report.account_ibans, frozenset({"DE89370400440532013000"}))
        key = "camt.054:C54-20261202-0001"
        # The collection credit and the credit transfer we sent are no returns.
        self.assertEntries(
            report,
            [
                ("return", "transaction", "BSEPA-2026-0042", "BSEPA-2026-0042-1", "INV/2026/00102",
                 "BSEPA-2026-0042-1-02", "ISP-MNDT-000342", Decimal("49.95"), "EUR",
                 d("2026-12-02"), "AM04", None, "SEPA RUECKLASTSCHRIFT INSUFFICIENT FUNDS",
                 Decimal("3.50"), f"{key}:A1E2T1:INV/2026/00102"),
                ("refund", "transaction", "BSEPA-2026-0038", "BSEPA-2026-0038-1", "INV/2026/00077",
                 None, "ISP-MNDT-000120", Decimal("29.90"), "EUR", d("2026-12-02"), "MD06", None,
                 "", None, f"{key}:A1E3T1:INV/2026/00077"),
            ],
        )  # fmt: skip
        returned = report.entries[0]
        self.assertEqual(returned.original_collection_date, d("2026-11-27"))
        self.assertEqual(returned.bank_reference, "RUE-2026-000881")
        self.assertEqual(returned.debtor_iban, "DE75512108001245126199")

    def test_camt054_001_04_batch_of_returns(self):
        report = parse("camt.054.001.04.xml")
        key = "camt.054:NTF/2026/12/03/000092"
        msg = "BSEPA-2026-0043"
        # The charge is included in the transaction amount, but the instructed amount is
        # the debtor's part; the supplier's direct debit on our account is not ours.
        self.assertEntries(
            report,
            [
                ("return", "transaction", msg, f"{msg}-1", "WEB-ORDER-88121", f"{msg}-1-02",
                 "WEB-MNDT-1045", Decimal("120.00"), "EUR", d("2026-12-03"), "AC04", None,
                 "Rekening opgeheven", Decimal("2.00"), f"{key}:A1E1T1:WEB-ORDER-88121"),
                ("return", "transaction", msg, f"{msg}-1", "WEB-ORDER-88123", f"{msg}-1-04",
                 "WEB-MNDT-1060", Decimal("15.00"), "EUR", d("2026-12-03"), "MD01", None, "",
                 None, f"{key}:A1E1T2:WEB-ORDER-88123"),
            ],
        )  # fmt: skip

    def test_camt054_001_08_reject_refund_return(self):
        report = parse("camt.054.001.08.xml")
        key = "camt.054:054D20261204T0600001"
        # Not reported: the pending entry and the one with the success code "0000".
        self.assertEntries(
            report,
            [
                ("reject", "transaction", "BSEPA-2026-0044", "BSEPA-2026-0044-1", "INV/2026/00190",
                 "BSEPA-2026-0044-1-07", "ISP-MNDT-000455", Decimal("75.00"), "EUR",
                 d("2026-12-04"), "MS03", None, "/RTYP/RJCT/", None,
                 f"{key}:A1E1T1:INV/2026/00190"),
                ("refund", "transaction", "BSEPA-2026-0012", "BSEPA-2026-0012-1", "INV/2026/00011",
                 None, "ISP-MNDT-000019", Decimal("40.00"), "EUR", d("2026-12-04"), "MD01", None,
                 "/RTYP/RFND/", Decimal("2.50"), f"{key}:A1E2T1:INV/2026/00011"),
                ("return", "transaction", "BSEPA-2026-0044", "BSEPA-2026-0044-1", "INV/2026/00192",
                 "BSEPA-2026-0044-1-09", "ISP-MNDT-000461", Decimal("15.00"), "EUR",
                 d("2026-12-04"), "AM04", None, "", Decimal("3.00"),
                 f"{key}:A1E3T1:INV/2026/00192"),
            ],
        )  # fmt: skip
        self.assertEqual(report.entries[0].debtor_name, "Jonas Weber")
        self.assertEqual(report.created.tzinfo, datetime.UTC)

    def test_camt053_001_02_proprietary_code(self):
        report = parse("camt.053.001.02.xml")
        self.assertEqual((report.message_type, report.version), ("camt.053", "camt.053.001.02"))
        # Only a German GVC code: the return reason makes it a return; the account fee,
        # a debit without one, is not. Two charge lines are summed.
        self.assertEntries(
            report,
            [
                ("return", "transaction", "BSEPA-2026-0040", "BSEPA-2026-0040-1", "INV/2026/00088",
                 None, "ISP-MNDT-000208", Decimal("84.90"), "EUR", d("2026-12-01"), "AC04", None,
                 "KONTO AUFGELOEST", Decimal("3.00"),
                 "camt.053:STMT-0532013000-20261201:A1E1T1:INV/2026/00088"),
            ],
        )  # fmt: skip
        self.assertEqual(report.entries[0].bank_reference, "2026120100027")

    def test_camt053_001_08_two_accounts(self):
        report = parse("camt.053.001.08.xml")
        self.assertEqual(report.account_ibans, frozenset({"NL77INGB0001234567", "NL91INGB0007654321"}))
        key = "camt.053:53-INGB-20261205-00077"
        self.assertEntries(
            report,
            [
                ("refund", "transaction", "BSEPA-2026-0039", "BSEPA-2026-0039-1", "WEB-ORDER-87002",
                 "BSEPA-2026-0039-1-11", "WEB-MNDT-0990", Decimal("59.95"), "EUR",
                 d("2026-12-05"), "MD06", None, "Terugboeking op verzoek van de klant", None,
                 f"{key}:A1E2T1:WEB-ORDER-87002"),
                ("return", "transaction", None, None, "WEB-ORDER-88030", None, "WEB-MNDT-1002",
                 Decimal("54.44"), "EUR", d("2026-12-05"), "AM04", None, "", None,
                 f"{key}:A1E3T1:WEB-ORDER-88030"),
                ("return", "transaction", None, None, "WEB-ORDER-88044", None, "WEB-MNDT-1013",
                 Decimal("35.00"), "EUR", d("2026-12-05"), "MD01", None, "", None,
                 f"{key}:A2E1T1:WEB-ORDER-88044"),
            ],
        )  # fmt: skip
        self.assertEqual(
            [entry.account_iban for entry in report.entries],
            ["NL77INGB0001234567", "NL77INGB0001234567", "NL91INGB0007654321"],
        )

    def test_every_supported_version_is_read(self):
        """A file of each version the banks send today: camt.05x.001.02-.08, pain.002.001.03/.10.

        The versions with a test of their own above (camt.05x.001.02 and .08, camt.054.001.04) are
        not read again here.
        """
        self.assertEqual(
            SUPPORTED_VERSIONS,
            {name.removesuffix(".xml") for name in REPORTS if "_" not in name},
        )
        codes = {3: "AC01", 4: "AM04", 5: "MD07", 6: "MS02", 7: "SL01"}
        for kind, minors in (("053", (3, 4, 5, 6, 7)), ("054", (3, 5, 6, 7))):
            for minor in minors:
                version = f"camt.{kind}.001.0{minor}"
                with self.subTest(version):
                    report = parse(f"{version}.xml")
                    self.assertEqual((report.version, report.message_type), (version, f"camt.{kind}"))
                    self.assertEqual(report.account_ibans, frozenset({"DE89370400440532013000"}))
                    key = f"camt.{kind}:V{kind}-0{minor}-20261207:A1E2T1:INV/2026/{kind}0{minor}"
                    # The credit before it is not a return; the charge is not in the instructed amount.
                    self.assertEntries(
                        report,
                        [
                            ("return", "transaction", "BSEPA-2026-0050", "BSEPA-2026-0050-1",
                             f"INV/2026/{kind}0{minor}", f"BSEPA-2026-0050-1-0{minor}",
                             f"ISP-MNDT-{kind}0{minor}", Decimal(f"{27 + minor}.00"), "EUR",
                             d("2026-12-07"), codes[minor], None, f"Return {codes[minor]}",
                             Decimal("3.00"), key),
                        ],
                    )  # fmt: skip
                    entry = report.entries[0]
                    self.assertEqual(entry.original_collection_date, d("2026-12-02"))
                    self.assertEqual(
                        (entry.debtor_name, entry.bank_reference), ("Jörg Köhler", f"BANK-V{kind}-0{minor}")
                    )

    def test_keys_stable_and_raw_entries(self):
        for name in REPORTS:
            with self.subTest(name):
                first, second = parse(name), parse(name)
                keys = [entry.key for entry in first.entries]
                self.assertTrue(keys)
                self.assertEqual(keys, [entry.key for entry in second.entries])
                self.assertEqual(len(set(keys)), len(keys))
                self.assertEqual(first, second)
                self.assertEqual(first.digest, hashlib.sha256(read(name)).hexdigest())
                for entry in first.entries:
                    # The raw entry is well-formed XML on its own, for the review list.
                    raw = parse_xml(entry.raw_xml.encode(), max_size=MAX_SIZE)
                    if first.message_type != "pain.002":
                        self.assertEqual(etree.QName(raw).localname, "Ntry")
                        self.assertEqual(len(raw.findall(".//{*}TxDtls")), 1)
                        self.assertIsNotNone(raw.find("{*}BkTxCd"))
        # Each transaction of a batch entry keeps its own details only.
        batch = parse("camt.054.001.04.xml").entries
        self.assertIn("WEB-ORDER-88121", batch[0].raw_xml)
        self.assertNotIn("WEB-ORDER-88123", batch[0].raw_xml)
        self.assertIn("WEB-ORDER-88123", batch[1].raw_xml)

    def test_entry_without_details_and_success_codes(self):
        # A return the bank reports without transaction details is kept (for the review
        # list), with the entry's amount; a success code in a pain.002 is never a reject.
        entry = """<Ntry><Amt Ccy="EUR">12.34</Amt><CdtDbtInd>DBIT</CdtDbtInd><!-- a comment -->
            <Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-12-04</Dt></BookgDt>
            <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly>
            </Domn></BkTxCd></Ntry>"""
        report = parse_bank_report(camt054(entry), max_size=MAX_SIZE)
        self.assertEqual(len(report.entries), 1)
        self.assertEqual(
            (report.entries[0].kind, report.entries[0].amount, report.entries[0].reason_code),
            ("return", Decimal("12.34"), None),
        )
        self.assertEqual(report.entries[0].key, "camt.054:T-1:A1E1T1:")
        accepted = read("pain.002.001.10.xml").replace(b"<TxSts>RJCT</TxSts>", b"<TxSts>ACSC</TxSts>")
        self.assertEqual(parse_bank_report(accepted, max_size=MAX_SIZE).entries, [])

    # Refused files ---------------------------------------------------------------

    def test_hostile_files(self):
        cases = {
            "hostile_xxe.xml": "doctype",
            "hostile_billion_laughs.xml": "doctype",
            "hostile_external_dtd.xml": "doctype",
            "hostile_truncated.xml": "not_xml",
            "hostile_not_xml.pdf": "not_xml",
            "hostile_wrong_namespace.xml": "unknown_message",
            "hostile_wrong_encoding.xml": "encoding",
        }
        for name, reason in cases.items():
            with self.subTest(name):
                error = self.assertRefused(read(name), reason)
                message = str(error)
                self.assertLess(len(message), 150)
                self.assertNotIn("root:", message)
                self.assertNotIn("lol", message)
        error = self.assertRefused(read("hostile_wrong_namespace.xml"), "unknown_message")
        self.assertIn("urn:iso:std:iso:20022:tech:xsd:camt.052.001.08", str(error))

    def test_unknown_messages(self):
        self.assertRefused(b"<Document><GrpHdr/></Document>", "unknown_message")
        pain008 = camt054(namespace="pain.008.001.08")
        error = self.assertRefused(pain008, "unknown_message")
        self.assertIn("pain.008.001.08", str(error))
        # A known namespace with the wrong message inside.
        wrong_root = camt054().replace(b"BkToCstmrDbtCdtNtfctn", b"BkToCstmrStmt")
        self.assertRefused(wrong_root, "invalid")
        self.assertRefused(camt054().replace(b"<MsgId>T-1</MsgId>", b""), "invalid")
        self.assertRefused(camt054().replace(b"2026-12-04T06:00:01", b"yesterday"), "invalid")

    def test_invalid_amounts_and_dates(self):
        entry = """<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>DBIT</CdtDbtInd>
            <Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{date}</Dt></BookgDt>
            <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly>
            </Domn></BkTxCd></Ntry>"""
        for amount, date in (("12,50", "2026-12-04"), ("-3.00", "2026-12-04"), ("1.00", "04.12.2026")):
            with self.subTest(amount=amount, date=date):
                data = camt054(entry.format(amount=amount, date=date))
                self.assertRefused(data, "invalid")

    def test_size_limit(self):
        data = read("camt.054.001.02.xml")
        self.assertEqual(len(parse_bank_report(data, max_size=len(data)).entries), 2)
        error = self.assertRefused(data, "too_large", max_size=len(data) - 1)
        self.assertEqual(error.params, {"size": len(data), "limit": len(data) - 1})
        # 200 MB is refused before anything is read (bytes(n) is zeroed lazily by the OS).
        self.assertRefused(bytes(200 * 1024 * 1024), "too_large")
        self.assertRefused(b"", "empty")
        with self.assertRaises(TypeError):
            parse_bank_report(data.decode(), max_size=MAX_SIZE)

    def test_one_hardened_parser_for_every_xml(self):
        """The pain.008 XSDs and files go through the bank-file reader's parser; it expands nothing."""
        with mock.patch.object(xml_reader, "safe_parser", wraps=xml_reader.safe_parser) as wrapped:
            pain008._safe_parser()
        wrapped.assert_called_once()
        xxe = read("hostile_xxe.xml")
        root = etree.fromstring(xxe, xml_reader.safe_parser())
        self.assertNotIn("root:", "".join(root.itertext()))
        # A 200 MB file made on the fly is refused before lxml sees a byte of it.
        with mock.patch.object(xml_reader, "etree") as lxml_etree:
            self.assertRefused(b"<Document>" + bytes(200 * 1024 * 1024), "too_large")
        lxml_etree.fromstring.assert_not_called()

    def test_huge_text_node(self):
        # libxml2 lets a plain text node of 11 MB through without huge_tree; the reader
        # refuses any value longer than MAX_TEXT_LENGTH.
        for size in (MAX_TEXT_LENGTH + 1, 11 * 1024 * 1024):
            with self.subTest(size=size):
                huge = camt054(header=f"<AddtlInf>{'A' * size}</AddtlInf>")
                self.assertRefused(huge, "text_too_long", max_size=20 * 1024 * 1024)
        attribute = camt054(f'<Ntry><Amt Ccy="{"E" * (MAX_TEXT_LENGTH + 1)}">1.00</Amt></Ntry>')
        self.assertRefused(attribute, "text_too_long")
        cdata = camt054(header=f"<AddtlInf><![CDATA[{'A' * (11 * 1024 * 1024)}]]></AddtlInf>")
        self.assertRefused(cdata, "text_too_long", max_size=20 * 1024 * 1024)

    def test_encoding_declaration_is_honoured(self):
        entry = """<Ntry><Amt Ccy="EUR">9.99</Amt><CdtDbtInd>DBIT</CdtDbtInd><!-- a comment -->
            <Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-12-04</Dt></BookgDt>
            <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly>
            </Domn></BkTxCd><NtryDtls><TxDtls><RtrInf><Rsn><Cd>AC04</Cd></Rsn>
            <AddtlInf>Konto aufgelöst, Müller, 3 €</AddtlInf></RtrInf></TxDtls></NtryDtls></Ntry>"""
        text = camt054(entry).decode()
        latin9 = text.replace('encoding="UTF-8"', 'encoding="ISO-8859-15"')
        utf16 = text.replace('encoding="UTF-8"', 'encoding="UTF-16"')
        for data in (text.encode(), latin9.encode("iso-8859-15"), utf16.encode("utf-16")):
            with self.subTest(data[:60]):
                report = parse_bank_report(data, max_size=MAX_SIZE)
                self.assertEqual(report.entries[0].additional_info, "Konto aufgelöst, Müller, 3 €")
        unknown = text.replace('encoding="UTF-8"', 'encoding="klingon-8"').encode()
        self.assertRefused(unknown, "encoding")
        # Declared Latin-1, but the bytes are UTF-16: refused, not a crash.
        mixed = text.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("utf-16-le")
        self.assertRefused(mixed, "encoding")

    # Reason codes ----------------------------------------------------------------

    def test_reason_codes(self):
        codes = {reason.code for reason in reason_codes.REASON_CODES}
        self.assertLessEqual(DOMAIN_NOTE_CODES, codes)
        self.assertEqual(len(codes), len(reason_codes.REASON_CODES))
        for language in ("nl", "de"):
            self.assertEqual(set(reason_codes.TEXTS[language]), codes, language)
        for reason in reason_codes.REASON_CODES:
            self.assertIn(reason.action, reason_codes.ACTIONS)
            self.assertTrue(reason.text)
        expected = {
            "AM04": "represent", "MS03": "represent", "AC04": "suspend_mandate",
            "MD01": "suspend_mandate", "MD07": "suspend_mandate", "AC06": "suspend_mandate",
            "MD06": "dispute", "MS02": "dispute", "FF01": "technical", "AG02": "technical",
            "BE05": "technical",
        }  # fmt: skip
        self.assertEqual({code: reason_codes.reason(code).action for code in expected}, expected)
        self.assertEqual(reason_codes.reason(" am04 ").code, "AM04")
        self.assertIsNone(reason_codes.reason("0000"))
        self.assertIsNone(reason_codes.reason(None))
