from odoo import fields, models

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
        "sent as several files, each with its own message ID. 0 means no limit.",
    )
    sepa_batch_booking = fields.Boolean(
        string="Batch Booking",
        default=True,
        help="The bank books each payment-information block as one amount on the statement.",
    )
