from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records

from ..sepa.target2 import next_target2_business_day


class BillingSepaCreditTransferCreate(models.TransientModel):
    _name = "billing.sepa.credit.transfer.create"
    _description = "Create a SEPA Refund Batch"
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
    execution_date = fields.Date(
        string="Requested Execution Date",
        required=True,
        default=lambda self: next_target2_business_day(fields.Date.context_today(self)),
    )

    @api.onchange("company_id")
    def _onchange_company_id(self):
        self.journal_id = self.env["billing.sepa.batch"]._get_collection_journal(
            self.company_id, None, raise_if_missing=False
        )

    def action_create(self):
        ensure_records(self, single=True)
        transfer_id = self.env["billing.sepa.credit.transfer"].create_credit_transfer(
            self.execution_date, self.company_id.id, self.journal_id.id
        )
        if not transfer_id:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "message": self.env._("No customer credit is to be paid back."),
                },
            }
        return {
            "type": "ir.actions.act_window",
            "res_model": "billing.sepa.credit.transfer",
            "res_id": transfer_id,
            "view_mode": "form",
        }
