from odoo import fields, models


class BillingCollectionAgency(models.Model):
    """The agency's own accounts and VAT for its bills, when they differ from the company's."""

    _inherit = "billing.collection.agency"

    commission_account_id = fields.Many2one(
        "account.account",
        string="Commission Expense Account",
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
        check_company=True,
        help="Empty: the company's (Settings > Dunning).",
    )
    cost_account_id = fields.Many2one(
        "account.account",
        string="Costs Expense Account",
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
        check_company=True,
        help="The costs the creditor bears and the flat fee. Empty: the company's (Settings > Dunning).",
    )
    purchase_tax_id = fields.Many2one(
        "account.tax",
        string="VAT on the Agency's Bills",
        domain="[('type_tax_use', '=', 'purchase')]",
        check_company=True,
        help="Empty: the company's collection agency VAT, else its default purchase tax.",
    )
