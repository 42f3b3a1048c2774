from odoo import fields, models
from odoo.addons.billing_base.tools import ensure_records

from .res_company import BLOCK_REASONS


class ResPartner(models.Model):
    _inherit = "res.partner"

    billing_dunning_profile = fields.Selection(
        [
            ("none", "No statutory interest"),
            ("b2b_eu", "Business, EU directive (+8 points, EUR 40)"),
            ("b2b_de", "Business, Germany (+9 points, EUR 40)"),
            ("b2c_de", "Consumer, Germany (+5 points)"),
            ("b2c_be", "Consumer, Belgium (first reminder free, 14-day wait, fee at most EUR 7.50)"),
        ],
        string="Late-Payment Profile",
        required=True,
        default="none",
        help="Set explicitly: a sole trader is a business even when it is not a company. Decides "
        "the interest margin and whether the EUR 40 compensation applies.",
    )
    billing_dunning_policy_id = fields.Many2one(
        "billing.dunning.policy",
        string="Dunning Policy",
        company_dependent=True,
        help="Leave empty to use the company's default policy.",
    )
    billing_dunning_block_reason = fields.Selection(
        BLOCK_REASONS,
        string="Dunning Blocked",
        tracking=True,
        help="No reminder and no charge for any invoice of this customer while set.",
    )
    billing_dunning_block_until = fields.Date(
        string="Dunning Blocked Until",
        tracking=True,
        help="The block ends after this day. Empty: until lifted.",
    )
    billing_dunning_reminder_ids = fields.One2many(
        "billing.dunning.reminder", "partner_id", string="Reminders"
    )
    billing_dunning_charge_ids = fields.One2many(
        "billing.dunning.charge", "partner_id", string="Dunning Charges"
    )
    billing_dunning_move_ids = fields.One2many(
        "account.move",
        "commercial_partner_id",
        string="Dunned Invoices",
        domain=[("billing_dunning_line_ids", "!=", False)],
    )

    billing_collection_dossier_ids = fields.One2many(
        "billing.collection.dossier", "partner_id", string="Collection Dossiers"
    )
    billing_collection_dossier_count = fields.Integer(compute="_compute_billing_collection_dossier_count")

    def _compute_billing_collection_dossier_count(self):
        counts = dict(
            self.env["billing.collection.dossier"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.billing_collection_dossier_count = counts.get(partner.commercial_partner_id, 0)

    def action_view_billing_collection_dossiers(self):
        """The collection dossiers of the customer (of its commercial entity)."""
        ensure_records(self, single=True)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "billing_dunning.billing_collection_dossier_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"create": False}
        return action

    def _commercial_fields(self):
        return [
            *super()._commercial_fields(),
            "billing_dunning_profile",
            "billing_dunning_block_reason",
            "billing_dunning_block_until",
        ]

    def action_billing_dunning_send_statement(self):
        """Open the e-mail composer with the statement of account (open items) attached."""
        ensure_records(self, single=True)
        template = self.env.ref("billing_dunning.mail_template_statement")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send Statement of Account"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": "res.partner",
                "default_res_ids": self.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_light",
            },
        }

    def _get_billing_dunning_open_items(self):
        """Open posted receivable lines of the commercial partners of ``self`` in the current
        company, in due date order."""
        return self.env["account.move.line"].search(
            [
                ("company_id", "=", self.env.company.id),
                ("partner_id", "child_of", self.commercial_partner_id.ids),
                ("account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual", "!=", 0),
            ],
            order="date_maturity, date, id",
        )

    def _get_billing_dunning_statement(self):
        """What the statement of account shows: the open items and the balance per currency."""
        self.ensure_one()
        lines = self._get_billing_dunning_open_items()
        totals = {}
        for line in lines:
            total = totals.setdefault(line.currency_id, {"currency": line.currency_id, "amount": 0.0})
            total["amount"] += line.amount_residual_currency
        for total in totals.values():
            total["amount"] = total["currency"].round(total["amount"])
        return {
            "date": fields.Date.context_today(self),
            "company": self.env.company,
            "lines": lines,
            "totals": list(totals.values()),
        }
