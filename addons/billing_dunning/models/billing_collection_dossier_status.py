from odoo import fields, models

from .billing_collection_dossier import DOSSIER_STATES


class BillingCollectionDossierStatus(models.Model):
    """One dated status of a dossier: set in Odoo, pushed by the agency or polled from it."""

    _name = "billing.collection.dossier.status"
    _description = "Collection Dossier Status"
    _order = "date desc, id desc"

    dossier_id = fields.Many2one(
        "billing.collection.dossier", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="dossier_id.company_id", store=True, index=True)
    date = fields.Datetime(required=True, readonly=True)
    state = fields.Selection(DOSSIER_STATES, required=True, readonly=True)
    note = fields.Char(readonly=True)
    source = fields.Selection(
        [("odoo", "Odoo"), ("callback", "Agency callback"), ("poll", "Agency status poll")],
        required=True,
        default="odoo",
        readonly=True,
    )
    event_id = fields.Char(string="Agency Event", readonly=True, index="btree_not_null")
