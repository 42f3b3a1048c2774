from odoo import fields, models


class BillingCollectionCallback(models.Model):
    """An authentic agency callback that could not be applied: kept with its raw bytes and the
    reason, for a manager to look at (the agency got a 2xx and will not resend it)."""

    _name = "billing.collection.callback"
    _description = "Unprocessed Agency Callback"
    _order = "id desc"
    _check_company_auto = True

    agency_id = fields.Many2one("billing.collection.agency", required=True, readonly=True, ondelete="cascade")
    company_id = fields.Many2one(related="agency_id.company_id", store=True, index=True)
    dossier_id = fields.Many2one("billing.collection.dossier", readonly=True, ondelete="set null")
    received_at = fields.Datetime(readonly=True)
    raw_body = fields.Binary(readonly=True, attachment=False)
    reason = fields.Char(readonly=True)
