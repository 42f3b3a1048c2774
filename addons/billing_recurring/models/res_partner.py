from odoo import api, fields, models

INTERVALS = [("monthly", "Monthly"), ("quarterly", "Quarterly"), ("yearly", "Yearly")]


class ResPartner(models.Model):
    _inherit = "res.partner"

    billing_recurring_interval = fields.Selection(
        INTERVALS,
        string="Billing Interval",
        default="monthly",
        required=True,
        help="The period a customer's invoice covers: a run bills every contract line and usage due "
        "up to the end of the customer's period, once per period.",
    )
    billing_recurring_grouping = fields.Selection(
        [("customer", "One invoice per period"), ("contract", "One invoice per contract")],
        string="Invoice Grouping",
        default="customer",
        required=True,
        help="One invoice per period across all the customer's contracts, or one per contract.",
    )
    billing_recurring_payment_method = fields.Selection(
        [("direct_debit", "Direct debit (SEPA mandate)"), ("transfer", "Bank transfer")],
        string="Payment Method",
        compute="_compute_billing_recurring_payment_method",
        inverse="_inverse_billing_recurring_payment_method",
        help="Direct debit is billing_sepa's 'Collect by Direct Debit' of the customer (the invoice "
        "gets its mandate and collection date when posted); without billing_sepa: transfer.",
    )
    billing_recurring_dunning_policy = fields.Char(
        string="Applied Dunning Policy",
        compute="_compute_billing_recurring_dunning_policy",
        help="The dunning policy billing_dunning applies to this customer's invoices.",
    )

    @api.depends_context("company")
    def _compute_billing_recurring_payment_method(self):
        debit = "sepa_direct_debit" in self._fields
        for partner in self:
            by_debit = debit and partner.commercial_partner_id.sepa_direct_debit
            partner.billing_recurring_payment_method = "direct_debit" if by_debit else "transfer"

    def _inverse_billing_recurring_payment_method(self):
        if "sepa_direct_debit" not in self._fields:
            return
        for method, partners in self.grouped("billing_recurring_payment_method").items():
            partners.commercial_partner_id.sepa_direct_debit = method == "direct_debit"

    @api.depends_context("company")
    def _compute_billing_recurring_dunning_policy(self):
        dunning = "billing_dunning_policy_id" in self._fields
        for partner in self:
            commercial = partner.commercial_partner_id
            policy = dunning and (
                commercial.billing_dunning_policy_id or self.env.company.billing_dunning_policy_id
            )
            partner.billing_recurring_dunning_policy = policy.display_name if policy else False
