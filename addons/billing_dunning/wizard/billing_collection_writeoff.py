from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError


class BillingCollectionWriteoff(models.TransientModel):
    """Write off the invoices of an uncollectible dossier, with the VAT correction for bad
    debts: the output VAT of the unpaid part is reversed, the rest is a bad-debt expense."""

    _name = "billing.collection.writeoff"
    _description = "Write Off Uncollectible Debt"

    dossier_id = fields.Many2one("billing.collection.dossier", required=True, readonly=True)
    company_id = fields.Many2one(related="dossier_id.company_id")
    currency_id = fields.Many2one(related="dossier_id.currency_id")
    date = fields.Date(required=True, default=fields.Date.context_today)
    journal_id = fields.Many2one(
        "account.journal",
        domain="[('company_id', '=', company_id), ('type', '=', 'general')]",
        compute="_compute_accounts",
        store=True,
        readonly=False,
    )
    account_id = fields.Many2one(
        "account.account",
        string="Bad Debt Account",
        compute="_compute_accounts",
        store=True,
        readonly=False,
    )
    vat_relief = fields.Boolean(
        string="Correct the VAT",
        default=True,
        help="Reverse the output VAT of the unpaid part (bad-debt relief). Off: the whole unpaid "
        "amount goes to the bad-debt account.",
    )
    vat_account_id = fields.Many2one(
        "account.account",
        string="VAT Correction Account",
        compute="_compute_accounts",
        store=True,
        readonly=False,
        help="Empty: the VAT accounts of the invoices themselves.",
    )
    amount_open = fields.Monetary(string="Unpaid", compute="_compute_amounts")
    amount_vat = fields.Monetary(string="VAT Corrected", compute="_compute_amounts")
    amount_net = fields.Monetary(string="Bad Debt Expense", compute="_compute_amounts")

    @api.depends("dossier_id")
    def _compute_accounts(self):
        for wizard in self:
            if not wizard.dossier_id:
                continue
            setup = wizard.company_id._get_billing_collection_setup(wizard.dossier_id.agency_id)
            wizard.journal_id = setup["journal"]
            wizard.account_id = setup["bad_debt"]
            wizard.vat_account_id = setup["vat_relief"]

    @api.depends("dossier_id", "vat_relief", "vat_account_id")
    def _compute_amounts(self):
        for wizard in self:
            plan = (
                wizard.dossier_id._get_writeoff_plan(wizard.vat_relief, wizard.vat_account_id or None)
                if wizard.dossier_id
                else []
            )
            currency = wizard.currency_id
            wizard.amount_open = currency.round(sum(item["line"].amount_residual_currency for item in plan))
            wizard.amount_vat = currency.round(
                sum(amounts[0] for item in plan for amounts in item["vat"].values())
            )
            wizard.amount_net = currency.round(wizard.amount_open - wizard.amount_vat)

    def action_confirm(self):
        """Post the write-off entry and open it."""
        ensure_records(self, single=True)
        if not self.journal_id or not self.account_id:
            raise UserError(self.env._("Choose the journal and the bad-debt account of the write-off."))
        move = self.dossier_id._writeoff(
            self.date, self.journal_id, self.account_id, self.vat_relief, self.vat_account_id or None
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": move.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
