"""An RI ADD that answers a ReceiverProposal: matched to the proposal's customer, which it accepts."""

from odoo import fields, models


class BillingEinvoiceConsumerOrder(models.Model):
    _inherit = "billing.einvoice.consumer.order"

    proposal_id = fields.Many2one(
        "billing.einvoice.receiver.proposal",
        string="Proposal",
        readonly=True,
        check_company=True,
        help="The e-invoice proposal this order answers.",
    )

    def _match_by_identifier(self):
        # EXTENDS billing_einvoice: the answer to a proposal belongs to the proposal's customer.
        proposal = self._find_answered_proposal()
        if proposal:
            return proposal.partner_id
        return super()._match_by_identifier()

    def _find_answered_proposal(self):
        self.ensure_one()
        if self.action != "ADD":
            return self.env["billing.einvoice.receiver.proposal"]
        return self.env["billing.einvoice.receiver.proposal"]._find_open(self)

    def _apply_add(self):
        # EXTENDS billing_einvoice: the proposal this order answers is accepted, with the agreement.
        result = super()._apply_add()
        proposal = self._find_answered_proposal().filtered(lambda p: p.partner_id == self.partner_id)
        if proposal:
            proposal.write({"state": "accepted", "order_id": self.id, "agreement_id": self.agreement_id.id})
            self.proposal_id = proposal
            proposal.message_post(
                body=self.env._("The consumer accepted the proposal: order %(order)s.", order=self.name)
            )
        return result
