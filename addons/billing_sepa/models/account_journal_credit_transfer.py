from odoo import fields, models

CREDIT_TRANSFER_VERSIONS = [
    ("pain.001.001.09", "pain.001.001.09 (EPC since 2023)"),
    ("pain.001.001.03", "pain.001.001.03 (older, for banks that still need it)"),
]


class AccountJournal(models.Model):
    _inherit = "account.journal"

    sepa_credit_transfer_version = fields.Selection(
        CREDIT_TRANSFER_VERSIONS,
        string="SEPA Credit Transfer Format",
        default="pain.001.001.09",
        help="Message version of the credit-transfer files (customer refunds) sent to this bank.",
    )
