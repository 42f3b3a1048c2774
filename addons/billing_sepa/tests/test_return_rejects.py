from odoo.tests import tagged

from .common import SepaReturnsCommon, camt_file, pain002_file

PAIN002_VERSIONS = ["pain.002.001.03", "pain.002.001.10"]


@tagged("post_install", "-at_install")
class TestSepaReturnRejects(SepaReturnsCommon):
    """Rejects of a file, a block or a debit reported in pain.002 status reports."""

    def test_reject_is_no_first_collection(self):
        self.bank_journal.sepa_use_first_sequence = True
        invoices, batch = self._booked_batch()
        self.assertEqual(set(batch.line_ids.mapped("sequence_type")), {"FRST"})
        self.assertTrue(all(self.mandates.mapped("sequence_settled")))
        record, _result = self._import(
            pain002_file(
                "pain.002.001.03", batch, [(self._line(batch, invoices[0]).end_to_end_id, 10.0, "AM04")]
            )
        )
        self.assertEqual(record.return_ids.kind, "reject")
        self.assertEqual(record.return_ids.state, "booked")
        self.assertFalse(self.mandates[0].sequence_settled, "a rejected FRST does not count")
        self.assertTrue(self.mandates[1].sequence_settled)
        # A return after settlement does count: the mandate stays settled.
        self._import(
            camt_file("camt.054.001.08", [(self._line(batch, invoices[1]).end_to_end_id, 20.5, "MS02", None)])
        )
        self.assertTrue(self.mandates[1].sequence_settled)

    def test_each_pain002_version_and_block_reject(self):
        for version in PAIN002_VERSIONS:
            with self.subTest(version=version):
                invoices = self._post_invoices([(self.debtors[0], 10.0), (self.debtors[1], 20.0)])
                batch = self._create_collection()
                batch.action_generate_file()
                batch.action_mark_sent()
                batch.action_mark_collected()
                record, result = self._import(
                    pain002_file(version, batch, block_reject="FF01", message_id=version), name=version
                )
                self.assertEqual(result["booked_count"], 2)
                self.assertEqual(record.return_ids.mapped("level"), ["block", "block"])
                self.assertEqual(set(invoices.mapped("payment_state")), {"not_paid"})
                self.assertEqual(len(record.move_ids), 1, "one entry per file and block")

    def test_file_reject_of_one_of_several_files(self):
        """A batch sent in three files (two debits per file): the bank rejects the second file."""
        self.bank_journal.sepa_max_transactions_per_file = 2
        amounts = [10.0, 20.5, 0.01, 7.25, 3.0]
        invoices = self._post_invoices([(self.debtors[i % 3], amount) for i, amount in enumerate(amounts)])
        batch = self._create_collection()
        batch.action_generate_file()
        batch.action_mark_sent()
        batch.action_mark_collected()
        message_ids = batch.message_identifier.split(", ")
        self.assertEqual(len(message_ids), 3)
        report = f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt>
<GrpHdr><MsgId>STS-FILE-2</MsgId><CreDtTm>2026-03-19T08:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>{message_ids[1]}</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.08</OrgnlMsgNmId>
<OrgnlNbOfTxs>2</OrgnlNbOfTxs><OrgnlCtrlSum>7.26</OrgnlCtrlSum><GrpSts>RJCT</GrpSts>
<StsRsnInf><Rsn><Cd>FF01</Cd></Rsn></StsRsnInf></OrgnlGrpInfAndSts>
</CstmrPmtStsRpt></Document>""".encode()
        record, result = self._import(report)

        self.assertEqual(result["booked_count"], 2)
        self.assertEqual(record.return_ids.mapped("level"), ["file", "file"])
        rejected = invoices[2:4]
        self.assertEqual(record.return_ids.invoice_id, rejected)
        self.assertEqual(sorted(record.return_ids.mapped("amount")), [0.01, 7.25])
        self.assertEqual(set(rejected.mapped("payment_state")), {"not_paid"})
        self.assertTrue(all(invoice.amount_residual == 0 for invoice in invoices - rejected))
        # Booked against the block of the rejected file only.
        self.assertEqual(len(record.move_ids), 1)
        self.assertEqual(
            set(record.return_ids.batch_line_id.mapped("payment_info_identifier")),
            {f"{batch.name}-CORE-RCUR-2"},
        )

        # A block reject of the third file's block: its one debit.
        block_report = pain002_file("pain.002.001.03", batch, block_reject="FF01", message_id="STS-BLOCK-3")
        block_report = block_report.replace(
            batch.message_identifier.encode(), message_ids[2].encode()
        ).replace(
            batch.collection_move_ids[:1].sepa_payment_info_identifier.encode(),
            f"{batch.name}-CORE-RCUR-3".encode(),
        )
        record, result = self._import(block_report, name="block.xml")
        self.assertEqual(result["booked_count"], 1)
        self.assertEqual(record.return_ids.invoice_id, invoices[4])
        self.assertEqual(invoices[4].payment_state, "not_paid")

    def test_reject_before_booking_waits_for_the_batch(self):
        invoices = self._post_invoices([(self.debtors[0], 10.0), (self.debtors[1], 20.5)])
        batch = self._create_collection()
        batch.action_generate_file()
        batch.action_mark_sent()
        record, _result = self._import(
            pain002_file(
                "pain.002.001.03", batch, [(self._line(batch, invoices[0]).end_to_end_id, 10.0, "MS02")]
            )
        )
        self.assertEqual(record.return_ids.state, "matched")
        batch.action_mark_collected()
        self.assertEqual(record.return_ids.state, "booked")
        self.assertEqual(invoices[0].payment_state, "not_paid")
        self.assertTrue(invoices[0].sepa_disputed)
        self.assertEqual(invoices[1].amount_residual, 0)
