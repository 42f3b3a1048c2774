from odoo import api, fields, models


class ContractContract(models.Model):
    _inherit = "contract.contract"

    billing_recurring = fields.Boolean(
        string="Billed by the Billing Run",
        default=True,
        help="Invoiced by the billing runs (grouped, prorated, credits offset). Off: invoiced by "
        "contract's own scheduled action, one draft invoice per contract.",
    )

    @api.model
    def _get_contracts_to_invoice_domain(self, date_ref=None):
        # EXTENDS 'contract': its scheduled action leaves the contracts of the billing run alone,
        # so that no line is invoiced twice.
        domain = super()._get_contracts_to_invoice_domain(date_ref)
        if self.env.context.get("billing_recurring_include_all"):
            return domain
        return [*domain, ("billing_recurring", "=", False)]
