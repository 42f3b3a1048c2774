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
        partner_by_order = super()._match_by_identifier()
        for order, proposal in self._find_answered_proposals().items():
            partner_by_order[order] = proposal.partner_id
        return partner_by_order

    def _find_answered_proposals(self):
        """{order: the open proposal it answers}, for the ADD orders that answer one."""
        return self.env["billing.einvoice.receiver.proposal"]._find_open(
            self.filtered(lambda order: order.action == "ADD")
        )

    def _apply_add(self):
        # EXTENDS billing_einvoice: the proposal each order answers is accepted, with the agreement.
        result = super()._apply_add()
        for order, proposal in self._find_answered_proposals().items():
            if proposal.partner_id != order.partner_id:
                continue
            proposal.write({"state": "accepted", "order_id": order.id, "agreement_id": order.agreement_id.id})
            order.proposal_id = proposal
            proposal.message_post(
                body=self.env._("The consumer accepted the proposal: order %(order)s.", order=order.name)
            )
        return result
