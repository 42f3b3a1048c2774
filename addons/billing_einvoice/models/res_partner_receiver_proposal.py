from odoo import fields, models
from odoo.addons.billing_base.tools import ensure_records


class ResPartner(models.Model):
    _inherit = "res.partner"

    einvoice_proposal_ids = fields.One2many(
        "billing.einvoice.receiver.proposal", "partner_id", string="E-invoice Proposals", readonly=True
    )

    def action_einvoice_propose(self):
        """Open the wizard that proposes consumer e-invoicing (ReceiverProposal) to this customer."""
        ensure_records(self, single=True)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Propose E-invoicing"),
            "res_model": "billing.einvoice.receiver.proposal.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.id},
        }
