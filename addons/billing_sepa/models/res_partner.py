from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    sepa_direct_debit = fields.Boolean(
        string="Collect by Direct Debit",
        company_dependent=True,
        help="Posted invoices of this customer are collected by SEPA direct debit under their mandate.",
    )
    sepa_prenotification_days = fields.Integer(
        string="Agreed Pre-notification Days",
        company_dependent=True,
        help="A shorter pre-notification period agreed with this customer; empty: the company's.",
    )
    sepa_mandate_ids = fields.One2many("billing.sepa.mandate", "partner_id", string="SEPA Mandates")
    sepa_mandate_count = fields.Integer(compute="_compute_sepa_mandate_count")

    @api.depends("sepa_mandate_ids")
    def _compute_sepa_mandate_count(self):
        counts = dict(
            self.env["billing.sepa.mandate"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.sepa_mandate_count = counts.get(partner, 0)

    def _get_sepa_mandate(self, company):
        """The active mandate to collect this customer's invoices in ``company``, newest first."""
        self.ensure_one()
        return self.env["billing.sepa.mandate"].search(
            [
                ("partner_id", "=", self.commercial_partner_id.id),
                ("company_id", "=", company.id),
                ("state", "=", "active"),
            ],
            order="signature_date desc, id desc",
            limit=1,
        )

    def action_view_sepa_mandates(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("billing_sepa.billing_sepa_mandate_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action
