from odoo import fields, models


class BillingSepaBatchSkip(models.Model):
    _name = "billing.sepa.batch.skip"
    _description = "Invoice Skipped by a SEPA Collection"
    _order = "batch_id, id"
    _check_company_auto = True

    batch_id = fields.Many2one("billing.sepa.batch", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="batch_id.company_id", store=True)
    move_id = fields.Many2one(
        "account.move", string="Invoice", required=True, ondelete="cascade", check_company=True
    )
    partner_id = fields.Many2one(related="move_id.commercial_partner_id", string="Debtor")
    reason = fields.Char(required=True)
