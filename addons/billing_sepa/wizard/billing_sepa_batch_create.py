from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records

from ..sepa.target2 import earliest_collection_date


class BillingSepaBatchCreate(models.TransientModel):
    _name = "billing.sepa.batch.create"
    _description = "Create a SEPA Direct Debit Collection"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    journal_id = fields.Many2one(
        "account.journal",
        string="Bank Journal",
        required=True,
        check_company=True,
        domain="[('type', '=', 'bank'), ('bank_account_id', '!=', False)]",
        default=lambda self: self.env["billing.sepa.batch"]._get_collection_journal(
            self.env.company, None, raise_if_missing=False
        ),
    )
    collection_date = fields.Date(
        string="Requested Collection Date",
        required=True,
        compute="_compute_collection_date",
        store=True,
        readonly=False,
    )

    @api.depends("journal_id")
    def _compute_collection_date(self):
        today = fields.Date.context_today(self)
        for wizard in self:
            wizard.collection_date = earliest_collection_date(today, 1 + wizard.journal_id.sepa_lead_days)

    def action_create(self):
        ensure_records(self, single=True)
        batch_id = self.env["billing.sepa.batch"].create_collection(
            self.collection_date, self.company_id.id, self.journal_id.id
        )
        if not batch_id:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "message": self.env._(
                        "No direct-debit invoice is due for collection by %(date)s.",
                        date=self.collection_date,
                    ),
                },
            }
        return {
            "type": "ir.actions.act_window",
            "res_model": "billing.sepa.batch",
            "res_id": batch_id,
            "view_mode": "form",
        }
