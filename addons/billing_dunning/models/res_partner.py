from odoo import fields, models

from .res_company import BLOCK_REASONS


class ResPartner(models.Model):
    _inherit = "res.partner"

    billing_dunning_profile = fields.Selection(
        [
            ("none", "No statutory interest"),
            ("b2b_eu", "Business, EU directive (+8 points, EUR 40)"),
            ("b2b_de", "Business, Germany (+9 points, EUR 40)"),
            ("b2c_de", "Consumer, Germany (+5 points)"),
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
        domain=[("billing_dunning_level_id", "!=", False)],
    )

    def _commercial_fields(self):
        return [
            *super()._commercial_fields(),
            "billing_dunning_profile",
            "billing_dunning_block_reason",
            "billing_dunning_block_until",
        ]
