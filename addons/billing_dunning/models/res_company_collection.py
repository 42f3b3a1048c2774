from odoo import fields, models


class ResCompany(models.Model):
    """The accounts and journal the money of collection dossiers is booked on."""

    _inherit = "res.company"

    billing_collection_journal_id = fields.Many2one(
        "account.journal",
        string="Collection Journal",
        domain="[('type', '=', 'general')]",
        check_company=True,
        help="Journal of the agency's settlements and of the bad-debt write-offs. Empty: the "
        "company's first miscellaneous journal.",
    )
    billing_collection_clearing_account_id = fields.Many2one(
        "account.account",
        string="Collections Held by Agencies",
        domain="[('account_type', '=', 'asset_current'), ('reconcile', '=', True)]",
        check_company=True,
        help="What the agency collected for you and still has to transfer (reconcilable, per "
        "agency as partner): matched with the agency's transfer and its bills. Created on the "
        "first settlement when left empty.",
    )
    billing_collection_commission_account_id = fields.Many2one(
        "account.account",
        string="Collection Commission Expense Account",
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
        check_company=True,
        help="The agency's commission on what it collects. Created on the first settlement when "
        "left empty; an agency may name its own.",
    )
    billing_collection_cost_account_id = fields.Many2one(
        "account.account",
        string="Collection Costs Expense Account",
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
        check_company=True,
        help="The agency's costs the creditor bears, and its flat fee when a debt proves "
        "uncollectible. Created on first use when left empty; an agency may name its own.",
    )
    billing_collection_purchase_tax_id = fields.Many2one(
        "account.tax",
        string="Collection Agency VAT",
        domain="[('type_tax_use', '=', 'purchase')]",
        check_company=True,
        help="The input VAT on the agency's commission, costs and flat fee. Empty: the "
        "company's default purchase tax; an agency may name its own.",
    )
    billing_collection_bad_debt_account_id = fields.Many2one(
        "account.account",
        string="Bad Debt Expense Account",
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
        check_company=True,
        help="The net amount of a written-off invoice. Created on the first write-off when left empty.",
    )
    billing_collection_vat_relief_account_id = fields.Many2one(
        "account.account",
        string="Bad Debt VAT Relief Account",
        check_company=True,
        help="Where the output VAT of the unpaid part of a written-off invoice is reversed (the "
        "VAT correction for bad debts). Empty: on the VAT accounts of the invoice itself.",
    )

    def _get_billing_collection_setup(self, agency=None):
        """The journal, accounts and tax of the collection bookings, created when missing.

        Created with sudo: a settlement arrives by a public callback or a poll of an invoicing
        user, and the accounts are company configuration an accountant can change afterwards.
        An agency's own accounts and tax come first."""
        self.ensure_one()
        company = self.sudo().with_company(self)
        Account = company.env["account.account"]
        journal = company.billing_collection_journal_id or company.env["account.journal"].search(
            [("company_id", "=", self.id), ("type", "=", "general")], limit=1
        )
        wanted = {
            "clearing": (
                "billing_collection_clearing_account_id",
                self.env._("Collections held by agencies"),
                "asset_current",
                "1400",
            ),
            "commission": (
                "billing_collection_commission_account_id",
                self.env._("Collection agency commission"),
                "expense",
                "6400",
            ),
            "costs": (
                "billing_collection_cost_account_id",
                self.env._("Collection agency costs"),
                "expense",
                "6400",
            ),
            "bad_debt": (
                "billing_collection_bad_debt_account_id",
                self.env._("Bad debts written off"),
                "expense",
                "6400",
            ),
        }
        used = set()
        for field_name, name, account_type, start_code in wanted.values():
            if company[field_name]:
                continue
            code = Account._search_new_account_code(start_code, cache=used | {start_code})
            used.add(code)
            company[field_name] = Account.create(
                {
                    "name": name,
                    "code": code,
                    "account_type": account_type,
                    "reconcile": account_type == "asset_current",
                    "company_ids": [(6, 0, [self.id])],
                }
            )
        result = {key: self[field_name] for key, (field_name, *_rest) in wanted.items()}
        if agency:
            result["commission"] = agency.commission_account_id or result["commission"]
            result["costs"] = agency.cost_account_id or result["costs"]
        result["journal"] = journal
        result["tax"] = (
            (agency and agency.purchase_tax_id)
            or self.billing_collection_purchase_tax_id
            or self.account_purchase_tax_id
        )
        result["vat_relief"] = self.billing_collection_vat_relief_account_id
        return result
