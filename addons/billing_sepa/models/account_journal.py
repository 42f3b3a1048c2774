from odoo import fields, models
from odoo.exceptions import UserError

PAIN_VERSIONS = [
    ("pain.008.001.08", "pain.008.001.08 (EPC since 2024)"),
    ("pain.008.001.02", "pain.008.001.02 (older, for banks that still need it)"),
]


class AccountJournal(models.Model):
    _inherit = "account.journal"
    _sql_constraints = [
        (
            "sepa_max_transactions_per_file_not_negative",
            "CHECK(sepa_max_transactions_per_file >= 0)",
            "The maximum number of transactions per SEPA file is 0 (no limit) or more.",
        ),
    ]

    sepa_pain_version = fields.Selection(
        PAIN_VERSIONS,
        string="SEPA Direct Debit Format",
        default="pain.008.001.08",
        help="Message version of the direct-debit files sent to this bank.",
    )
    sepa_lead_days = fields.Integer(
        string="Extra Lead Days",
        default=0,
        help="TARGET2 business days your bank wants on top of the D-1 of the SEPA rulebook.",
    )
    sepa_use_first_sequence = fields.Boolean(
        string="Use FRST",
        help="Send the first collection under a recurrent mandate as FRST. Optional since 2016; "
        "some banks still ask for it.",
    )
    sepa_one_block_per_file = fields.Boolean(
        string="One Payment Block per File",
        help="Some banks refuse files with several payment-information blocks.",
    )
    sepa_max_transactions_per_file = fields.Integer(
        string="Max Transactions per SEPA File",
        default=0,
        help="Banks limit the size of the files they take: a collection with more direct debits is "
        "sent as several files, each with its own message ID. 0 means no limit. The files of a large "
        "collection are built in the background, one per transaction: set a limit (for example "
        "2000) to keep each of them short.",
    )
    sepa_batch_booking = fields.Boolean(
        string="Batch Booking",
        default=True,
        help="The bank books each payment-information block as one amount on the statement.",
    )

    def _get_sepa_outstanding_account(self, direction):
        """Outstanding receipts (``inbound``) or payments (``outbound``) account of this bank
        journal, found the way Odoo's own payments find it: the first payment method line's
        account, else the chart's default, else the company's transfer account.
        """
        self.ensure_one()
        inbound = direction == "inbound"
        chart_template = self.env["account.chart.template"].with_context(
            allowed_company_ids=self.company_id.root_id.ids
        )
        method_lines = (
            self.inbound_payment_method_line_ids if inbound else self.outbound_payment_method_line_ids
        )
        account = (
            method_lines.payment_account_id[:1]
            or chart_template.ref(
                "account_journal_payment_debit_account_id"
                if inbound
                else "account_journal_payment_credit_account_id",
                raise_if_not_found=False,
            )
            or self.company_id.transfer_account_id
        )
        if not account:
            message = (
                self.env._(
                    "Set an outstanding receipts account on the incoming payment methods of %(journal)s.",
                    journal=self.display_name,
                )
                if inbound
                else self.env._(
                    "Set an outstanding payments account on the outgoing payment methods of %(journal)s.",
                    journal=self.display_name,
                )
            )
            raise UserError(message)
        return account
