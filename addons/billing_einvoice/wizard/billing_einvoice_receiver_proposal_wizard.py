import re

from stdnum import iban as stdnum_iban

from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError

from ..models.billing_einvoice_receiver_proposal import IDENTIFIER_TYPES

_BIC_RE = re.compile(r"[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?")


class BillingEinvoiceReceiverProposalWizard(models.TransientModel):
    _name = "billing.einvoice.receiver.proposal.wizard"
    _description = "Propose Consumer E-invoicing"
    _check_company_auto = True

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, check_company=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    billing_subject_id = fields.Many2one(
        "billing.einvoice.billing.subject",
        required=True,
        check_company=True,
        domain="[('state', '=', 'announced')]",
        default=lambda self: self.env["billing.einvoice.billing.subject"].search(
            [("company_id", "=", self.env.company.id), ("state", "=", "announced")], limit=1
        ),
    )
    partner_bank_id = fields.Many2one(
        "res.partner.bank",
        string="Bank Account",
        domain="[('partner_id', '=', partner_id)]",
        help="The account the consumer gave: fills the address and the bank below.",
    )
    recipient_address = fields.Char(string="Consumer's Account (IBAN)", required=True)
    recipient_intermediator = fields.Char(string="Consumer's Bank (BIC)", required=True)
    identifier = fields.Char(required=True, help="The customer number or reference the consumer would type.")
    identifier_type = fields.Selection(IDENTIFIER_TYPES, required=True, default=IDENTIFIER_TYPES[0][0])
    language_code = fields.Selection([("FI", "Finnish"), ("SV", "Swedish"), ("EN", "English")], default="FI")
    free_text = fields.Text(help="A message shown with the proposal in the netbank.")

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        partner = self.partner_id
        self.identifier = partner.ref or self.identifier
        self.partner_bank_id = partner.bank_ids[:1]
        lang = (partner.lang or "")[:2].upper()
        if lang in ("FI", "SV", "EN"):
            self.language_code = lang

    @api.onchange("partner_bank_id")
    def _onchange_partner_bank_id(self):
        if self.partner_bank_id:
            self.recipient_address = self.partner_bank_id.sanitized_acc_number
            self.recipient_intermediator = self.partner_bank_id.bank_id.bic or self.recipient_intermediator

    def action_send(self):
        """Build, check and send the proposal; open it."""
        ensure_records(self, single=True)
        address = (self.recipient_address or "").replace(" ", "").upper()
        bic = (self.recipient_intermediator or "").replace(" ", "").upper()
        if not stdnum_iban.is_valid(address):
            raise UserError(self.env._("%(account)s is not an IBAN.", account=self.recipient_address))
        if not _BIC_RE.fullmatch(bic):
            raise UserError(
                self.env._("%(bic)s is not a BIC (8 or 11 characters).", bic=self.recipient_intermediator)
            )
        if self.billing_subject_id.state != "announced":
            raise UserError(
                self.env._(
                    "Announce %(subject)s to the banks (SenderInfo ADD) before proposing it.",
                    subject=self.billing_subject_id.name,
                )
            )
        proposal = self.env["billing.einvoice.receiver.proposal"]._create_and_send(
            {
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                "billing_subject_id": self.billing_subject_id.id,
                "recipient_address": address,
                "recipient_intermediator": bic,
                "identifier": self.identifier.strip(),
                "identifier_type": self.identifier_type,
                "language_code": self.language_code or False,
                "free_text": self.free_text or False,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": proposal._name,
            "res_id": proposal.id,
            "view_mode": "form",
        }
