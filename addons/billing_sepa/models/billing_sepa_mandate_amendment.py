from odoo import api, fields, models


class BillingSepaMandateAmendment(models.Model):
    """A change of mandate data the debtor bank must be told about.

    The next collection under the mandate carries AmdmntInd/AmdmntInfDtls with the
    original values; the amendment stays pending until a collection carrying it is
    presented.
    """

    _name = "billing.sepa.mandate.amendment"
    _description = "SEPA Mandate Amendment"
    _order = "create_date desc, id desc"

    mandate_id = fields.Many2one("billing.sepa.mandate", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="mandate_id.company_id", store=True)
    kind = fields.Selection(
        [
            ("reference", "Mandate reference"),
            ("debtor_account", "Debtor account"),
            ("creditor_identifier", "Creditor identifier"),
            ("creditor_name", "Creditor name"),
        ],
        required=True,
    )
    original_value = fields.Char(required=True)
    new_value = fields.Char()
    presented_date = fields.Date(
        readonly=True,
        help="Collection date of the first collection that carried this amendment.",
    )
    state = fields.Selection(
        [("pending", "Pending"), ("presented", "Presented")],
        compute="_compute_state",
        store=True,
        index=True,
    )

    @api.depends("presented_date")
    def _compute_state(self):
        for amendment in self:
            amendment.state = "presented" if amendment.presented_date else "pending"
