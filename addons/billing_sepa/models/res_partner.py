from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records

from ..sepa import pain008
from ..sepa.charset import to_sepa_text


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
    sepa_return_count = fields.Integer(string="Direct Debit Returns", compute="_compute_sepa_return_count")

    @api.depends("sepa_mandate_ids")
    def _compute_sepa_mandate_count(self):
        counts = dict(
            self.env["billing.sepa.mandate"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.sepa_mandate_count = counts.get(partner, 0)

    def _compute_sepa_return_count(self):
        counts = self.env["billing.sepa.return"]._count_by("partner_id", self)
        for partner in self:
            partner.sepa_return_count = counts.get(partner, 0)

    def action_view_sepa_returns(self):
        ensure_records(self, single=True)
        return self.env["billing.sepa.return"]._get_action(
            [("partner_id", "=", self.commercial_partner_id.id)]
        )

    def _increase_rank(self, field, n=1):
        # Posting a collection entry raises the rank of every debtor it credits, one locking
        # UPDATE per partner in core; a collection gathers those in the dict it passes in the
        # context and raises them together once its entries are posted.
        pending = self.env.context.get("billing_sepa_pending_ranks")
        if pending is None:
            return super()._increase_rank(field, n)
        pending.setdefault((field, n), set()).update(self.ids)
        return None

    def _increase_pending_ranks(self, pending):
        """Raise the ranks gathered by :meth:`_increase_rank`: one statement per (field, n)."""
        for (field, n), partner_ids in pending.items():
            self.browse(sorted(partner_ids))._increase_rank(field, n)

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
        ensure_records(self, single=True)
        action = self.env["ir.actions.act_window"]._for_xml_id("billing_sepa.billing_sepa_mandate_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def _prepare_sepa_address(self):
        """The partner's address in the hybrid pain.008 form, or None without town or country.

        Town and country go to their structured fields (mandatory in hybrid form since
        November 2026); street and street2 become at most two address lines.
        """
        self.ensure_one()
        if not (self.city and self.country_id):
            return None
        street_lines = [line for line in (self.street, self.street2) if line]
        # Town and postal code are never cut: the builder leaves out an address whose town
        # does not fit rather than send a wrong one.
        return pain008.Address(
            postal_code=to_sepa_text(self.zip or ""),
            town_name=to_sepa_text(self.city),
            country=self.country_id.code,
            address_lines=[to_sepa_text(line, 70) for line in street_lines],
        )
