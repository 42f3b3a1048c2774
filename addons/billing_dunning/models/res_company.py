from odoo import fields, models

BLOCK_REASONS = [
    ("dispute", "Dispute"),
    ("payment_plan", "Payment plan"),
    ("insolvency", "Insolvency"),
    ("other", "Other"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    billing_dunning_policy_id = fields.Many2one(
        "billing.dunning.policy",
        string="Default Dunning Policy",
        domain="[('company_id', '=', id)]",
        help="Used for every customer without a policy of its own. No policy: no dunning.",
    )
    billing_dunning_auto_run = fields.Boolean(
        string="Daily Dunning Run",
        help="Every day, send the reminders that are due and charge their fees and interest "
        "(scheduled action). Off: runs are started by hand.",
    )
    billing_collection_auto_sync = fields.Boolean(
        string="Collection Dossier Status Sync",
        help="Every hour, fetch the status of the live collection dossiers from the agency, in "
        "case a callback was lost (scheduled action; it only reads). Off: callbacks and the "
        "Refresh button only.",
    )
    billing_dunning_fee_account_id = fields.Many2one(
        "account.account",
        string="Reminder Fee Income Account",
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        check_company=True,
        help="Created on the first charge when left empty.",
    )
    billing_dunning_interest_account_id = fields.Many2one(
        "account.account",
        string="Late-Payment Interest Income Account",
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        check_company=True,
        help="Created on the first charge when left empty.",
    )
    billing_dunning_compensation_account_id = fields.Many2one(
        "account.account",
        string="Fixed Compensation Income Account",
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        check_company=True,
        help="Created on the first charge when left empty.",
    )
    billing_dunning_charge_tax_id = fields.Many2one(
        "account.tax",
        string="Dunning Charges Tax",
        domain="[('type_tax_use', '=', 'sale')]",
        check_company=True,
        help="A tax outside the scope of VAT (no tax grids): fees, interest and compensation are "
        "damages, not consideration. Created on the first charge when left empty.",
    )

    def _get_billing_dunning_charge_setup(self):
        """Income accounts per charge kind and the out-of-scope tax, created when missing.

        Created with sudo: the first run may be started by an invoicing user, and the
        accounts are company configuration an accountant can change afterwards.
        """
        self.ensure_one()
        company = self.sudo().with_company(self)
        if not company.billing_dunning_charge_tax_id:
            company.billing_dunning_charge_tax_id = company._create_billing_dunning_charge_tax()
        accounts = {
            "fee": ("billing_dunning_fee_account_id", self.env._("Reminder fee income")),
            "interest": ("billing_dunning_interest_account_id", self.env._("Late-payment interest income")),
            "compensation": (
                "billing_dunning_compensation_account_id",
                self.env._("Late-payment compensation income"),
            ),
        }
        Account = company.env["account.account"]
        start_code = self._get_billing_dunning_start_code()
        used = set()
        for field_name, account_name in accounts.values():
            if not company[field_name]:
                code = Account._search_new_account_code(start_code, cache=used | {start_code})
                used.add(code)
                company[field_name] = Account.create(
                    {
                        "name": account_name,
                        "code": code,
                        "account_type": "income_other",
                        "company_ids": [(6, 0, [self.id])],
                    }
                )
        result = {kind: self[field_name] for kind, (field_name, _name) in accounts.items()}
        result["tax"] = self.billing_dunning_charge_tax_id
        return result

    def _get_billing_dunning_start_code(self):
        self.ensure_one()
        journal = (
            self.env["account.journal"]
            .sudo()
            .search([("company_id", "=", self.id), ("type", "=", "sale")], limit=1)
        )
        code = journal.default_account_id.with_company(self).code
        return code or "7000"

    def _create_billing_dunning_charge_tax(self):
        self.ensure_one()
        return self.env["account.tax"].create(
            {
                "name": self.env._("Outside the scope of VAT (dunning charges)"),
                "invoice_label": self.env._("Not subject to VAT"),
                "amount_type": "percent",
                "amount": 0.0,
                "type_tax_use": "sale",
                "company_id": self.id,
                "country_id": self.account_fiscal_country_id.id,
                "description": self.env._("Damages are outside the scope of VAT: no tax grids."),
            }
        )
