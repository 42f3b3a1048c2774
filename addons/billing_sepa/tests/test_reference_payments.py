import base64

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import freeze_time

from ..sepa.bank_reports import parse_bank_report
from ..sepa.reference_payments import find_reference, is_finnish_reference, normalize_reference

ACCOUNT_IBAN = "FI2112345600000785"


def finnish_reference(base):
    total = sum((7, 3, 1)[index % 3] * int(digit) for index, digit in enumerate(reversed(base)))
    return base + str((10 - total % 10) % 10)


def rf_reference(body):
    number = int("".join(str(int(char, 36)) for char in body + "RF00"))
    return f"RF{98 - number % 97:02d}{body}"


def credit_entry(amount, currency, *, structured=None, unstructured=None, bank_reference="A1", family="RCDT"):
    remittance = ""
    if structured is not None:
        remittance = (
            "<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>"
            f"<Ref>{structured}</Ref></CdtrRefInf></Strd></RmtInf>"
        )
    elif unstructured is not None:
        remittance = f"<RmtInf><Ustrd>{unstructured}</Ustrd></RmtInf>"
    return f"""<Ntry><Amt Ccy="{currency}">{amount:.2f}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>2026-04-10</Dt></BookgDt><AcctSvcrRef>{bank_reference}</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>{family}</Cd><SubFmlyCd>VCOM</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><AcctSvcrRef>{bank_reference}</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
<AmtDtls><TxAmt><Amt Ccy="{currency}">{amount:.2f}</Amt></TxAmt></AmtDtls>
<RltdPties><Dbtr><Pty><Nm>Matti Meikäläinen</Nm></Pty></Dbtr></RltdPties>{remittance}</TxDtls></NtryDtls></Ntry>"""


def camt054(entries, message_id="VIITE-1", version="camt.054.001.08", iban=ACCOUNT_IBAN):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:{version}"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>2026-04-10T08:00:00</CreDtTm></GrpHdr>
<Ntfctn><Id>N1</Id><CreDtTm>2026-04-10T08:00:00</CreDtTm><Acct><Id><IBAN>{iban}</IBAN></Id></Acct>
{"".join(entries)}</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>""".encode()


@tagged("post_install", "-at_install")
class TestReferencePayments(AccountTestInvoicingCommon):
    """Incoming payments by reference read from camt.054, matched to invoices and reconciled in bulk."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.currency = cls.company_data["currency"]
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.bank_journal.bank_account_id = cls.env["res.partner.bank"].create(
            {"acc_number": ACCOUNT_IBAN, "partner_id": cls.company.partner_id.id}
        )
        cls.fi_ref = finnish_reference("1234567")
        cls.rf_ref = rf_reference("20260417")
        cls.invoices = cls.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.partner_a.id,
                    "invoice_date": "2026-04-01",
                    "payment_reference": reference,
                    "invoice_line_ids": [
                        Command.create({"name": "Electricity", "price_unit": amount, "tax_ids": []})
                    ],
                }
                for reference, amount in (
                    (f"{cls.fi_ref[:4]} {cls.fi_ref[4:]}", 48.20),
                    (f"{cls.rf_ref[:4]} {cls.rf_ref[4:]}", 75.00),
                    (finnish_reference("7654321"), 30.00),
                )
            ]
        )
        cls.invoices.action_post()

    def _import(self, data, name="camt054.xml"):
        with freeze_time("2026-04-10"):
            result = self.env["billing.sepa.return.import"].import_file(
                base64.b64encode(data).decode(), name, self.company.id
            )
        return self.env["billing.sepa.return.import"].browse(result["id"]), result

    def test_references_are_read_and_normalised(self):
        self.assertTrue(is_finnish_reference(self.fi_ref))
        self.assertEqual(normalize_reference("0000 " + self.fi_ref), self.fi_ref)
        self.assertEqual(normalize_reference("rf18 5390"), "RF185390")
        self.assertEqual(find_reference([" 00012345 "], ["x"]), (" 00012345 ".strip(), "structured"))
        self.assertEqual(find_reference([], [f"Viite: {self.fi_ref}"]), (self.fi_ref, "unstructured"))
        self.assertEqual(find_reference([], [f"Lasku {self.rf_ref} kiitos"]), (self.rf_ref, "unstructured"))
        self.assertEqual(find_reference([], ["Lasku 12345 kiitos"]), ("", ""))
        code = self.currency.name
        report = parse_bank_report(
            camt054(
                [
                    credit_entry(48.2, code, structured="00000" + self.fi_ref),
                    credit_entry(312.4, code, structured=self.fi_ref, bank_reference="A2", family="IDDT"),
                ]
            ),
            max_size=10**6,
        )
        self.assertEqual(report.entries, [])
        self.assertEqual(
            len(report.credits), 1, "a credited direct-debit collection is not a payment by reference"
        )
        credit = report.credits[0]
        self.assertEqual(
            (credit.normalized_reference, str(credit.amount), credit.date.isoformat(), credit.block),
            (self.fi_ref, "48.20", "2026-04-10", "A1"),
        )
        self.assertEqual(credit.debtor_name, "Matti Meikäläinen")
        self.assertIn("CdtrRefInf", credit.raw_xml)
        # The day's statement (camt.053.001.02) carries the same payments in its Stmt blocks.
        statement = (
            camt054([credit_entry(48.2, code, structured=self.fi_ref)], version="camt.053.001.02")
            .replace(b"BkToCstmrDbtCdtNtfctn", b"BkToCstmrStmt")
            .replace(b"Ntfctn>", b"Stmt>")
            .replace(b"<Sts><Cd>BOOK</Cd></Sts>", b"<Sts>BOOK</Sts>")
        )
        [credit] = parse_bank_report(statement, max_size=10**6).credits
        self.assertEqual((credit.normalized_reference, str(credit.amount)), (self.fi_ref, "48.20"))

    def test_payments_mark_invoices_paid_in_one_entry_per_block(self):
        code = self.currency.name
        record, result = self._import(
            camt054(
                [
                    credit_entry(48.2, code, structured="00000" + self.fi_ref, bank_reference="A1"),
                    credit_entry(75.0, code, unstructured=f"Maksu {self.rf_ref}", bank_reference="A2"),
                ]
            )
        )
        self.assertEqual(
            (result["payment_count"], result["paid_count"], result["payment_review_count"]), (2, 2, 0)
        )
        self.assertEqual(record.state, "done")
        payments = record.reference_payment_ids
        self.assertEqual(set(payments.mapped("state")), {"booked"})
        self.assertEqual(len(payments.move_id), 1, "one entry for the block, not one per payment")
        self.assertEqual(payments.move_id.journal_id, self.bank_journal)
        paid = self.invoices[:2]
        self.assertEqual(paid.mapped("payment_state"), ["paid", "paid"])
        self.assertEqual(paid.mapped("amount_residual"), [0.0, 0.0])
        self.assertEqual(paid.mapped("reference_payment_date")[0].isoformat(), "2026-04-10")
        self.assertEqual(self.invoices[2].payment_state, "not_paid")

        # The same file again changes nothing; the same payment in the day's camt.053 neither.
        moves_before = self.env["account.move"].search_count([])
        again_record, again = self._import(
            camt054([credit_entry(48.2, code, structured=self.fi_ref, bank_reference="A1")])
        )
        self.assertTrue(
            self._import(
                camt054(
                    [
                        credit_entry(48.2, code, structured="00000" + self.fi_ref, bank_reference="A1"),
                        credit_entry(75.0, code, unstructured=f"Maksu {self.rf_ref}", bank_reference="A2"),
                    ]
                )
            )[1]["duplicate"]
        )
        self.assertEqual(again["payment_count"], 0, again_record.reference_payment_ids.mapped("key"))
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)

    def test_mismatches_wait_for_review_and_can_be_matched(self):
        code = self.currency.name
        record, result = self._import(
            camt054(
                [
                    credit_entry(10.0, code, structured=finnish_reference("99999"), bank_reference="B1"),
                    credit_entry(
                        20.0, code, structured=self.invoices[2].payment_reference, bank_reference="B2"
                    ),
                    credit_entry(5.0, code, unstructured="Thanks for the coffee", bank_reference="B3"),
                ]
            )
        )
        self.assertEqual((result["paid_count"], result["payment_review_count"]), (0, 3))
        self.assertEqual(record.state, "to_review")
        payments = record.reference_payment_ids.sorted("bank_reference")
        self.assertEqual(
            payments.mapped("review_reason"), ["unknown_reference", "wrong_amount", "no_reference"]
        )
        self.assertTrue(all(payments.mapped("raw_xml")))
        self.assertEqual(payments[1].invoice_id, self.invoices[2])

        # A user accepts the part payment, and leaves the two others aside.
        payments[1].action_match()
        self.assertEqual(payments[1].state, "booked")
        self.assertEqual(self.invoices[2].payment_state, "partial")
        self.assertEqual(self.invoices[2].amount_residual, 10.0)
        (payments[0] | payments[2]).action_ignore()
        self.assertEqual(record.state, "done")

    def test_each_company_sees_and_pays_only_its_own_invoices(self):
        code = self.currency.name
        other = self.setup_other_company()["company"]
        self.env["account.journal"].search(
            [("company_id", "=", other.id), ("type", "=", "bank")], limit=1
        ).bank_account_id = self.env["res.partner.bank"].create(
            {"acc_number": "FI4950009420028730", "partner_id": other.partner_id.id}
        )
        data = camt054([credit_entry(48.2, code, structured=self.fi_ref)], message_id="VIITE-B")
        # This company's file is not the other company's to import.
        with self.assertRaisesRegex(UserError, "not a bank account of"):
            self.env["billing.sepa.return.import"].import_file(
                base64.b64encode(data).decode(), "camt.xml", other.id
            )
        # The other company's own file with this company's reference pays nothing here.
        record = self.env["billing.sepa.return.import"].browse(
            self.env["billing.sepa.return.import"].import_file(
                base64.b64encode(
                    camt054(
                        [credit_entry(48.2, code, structured=self.fi_ref)],
                        message_id="VIITE-C",
                        iban="FI4950009420028730",
                    )
                ).decode(),
                "camt.xml",
                other.id,
            )["id"]
        )
        self.assertEqual(record.reference_payment_ids.review_reason, "unknown_reference")
        self.assertEqual(self.invoices[0].payment_state, "not_paid")
        user = new_test_user(
            self.env,
            "reference_payments_mine",
            groups="account.group_account_manager",
            company_id=self.company.id,
        )
        self.assertFalse(
            self.env["billing.sepa.reference.payment"].with_user(user).search([("import_id", "=", record.id)])
        )
