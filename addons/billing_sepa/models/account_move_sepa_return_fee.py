from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records


class AccountMove(models.Model):
    _inherit = "account.move"

    sepa_fee_return_id = fields.Many2one(
        "billing.sepa.return",
        string="Fee for SEPA Return",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="On the customer invoice charging the fee for a returned direct debit.",
    )
    sepa_fee_invoice_id = fields.Many2one(
        "account.move",
        string="Fee for Returned Invoice",
        related="sepa_fee_return_id.invoice_id",
        store=True,
        index="btree_not_null",
    )
    sepa_return_fee_ids = fields.One2many(
        "account.move", "sepa_fee_invoice_id", string="SEPA Return Fees", readonly=True
    )
    sepa_return_fee_count = fields.Integer(string="Return Fees", compute="_compute_sepa_return_fee_count")

    _sql_constraints = [
        (
            "sepa_fee_return_unique",
            "unique(sepa_fee_return_id)",
            "A returned direct debit is charged one return fee.",
        ),
    ]

    @api.depends("sepa_return_fee_ids")
    def _compute_sepa_return_fee_count(self):
        counts = dict(
            self._read_group([("sepa_fee_invoice_id", "in", self.ids)], ["sepa_fee_invoice_id"], ["__count"])
        )
        for move in self:
            move.sepa_return_fee_count = counts.get(move, 0)

    def action_view_sepa_return_fees(self):
        ensure_records(self, single=True)
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("sepa_fee_invoice_id", "=", self.id)]
        action["context"] = {"create": False}
        return action
