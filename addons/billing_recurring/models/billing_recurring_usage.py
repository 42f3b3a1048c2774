from odoo import api, fields, models
from odoo.exceptions import UserError


class BillingRecurringUsage(models.Model):
    _name = "billing.recurring.usage"
    _description = "Usage to Bill"
    _order = "date desc, id desc"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, check_company=True
    )
    contract_id = fields.Many2one(
        "contract.contract",
        string="Contract",
        index="btree_not_null",
        check_company=True,
        help="With one invoice per contract, the usage goes on this contract's invoice.",
    )
    external_id = fields.Char(
        string="Provisioning Reference",
        help="The provisioning system's own id of this usage: importing it again changes nothing.",
    )
    date = fields.Date(required=True, default=fields.Date.context_today, help="When the usage happened.")
    product_id = fields.Many2one("product.product", string="Product", required=True, check_company=True)
    name = fields.Char(string="Description")
    quantity = fields.Float(required=True, default=1.0, digits="Product Unit of Measure")
    price_unit = fields.Float(
        string="Unit Price", digits="Product Price", help="Empty: the product's sales price."
    )
    move_line_id = fields.Many2one(
        "account.move.line", string="Invoice Line", readonly=True, copy=False, index="btree_not_null"
    )
    move_id = fields.Many2one(related="move_line_id.move_id", string="Invoice", store=True)
    state = fields.Selection(
        [("pending", "To bill"), ("billed", "Billed")],
        compute="_compute_state",
        store=True,
        index=True,
    )

    _sql_constraints = [
        (
            "external_id_unique",
            "unique(company_id, external_id)",
            "A provisioning reference is imported once per company.",
        )
    ]

    @api.depends("move_line_id")
    def _compute_state(self):
        for usage in self:
            usage.state = "billed" if usage.move_line_id else "pending"

    @api.ondelete(at_uninstall=False)
    def _unlink_except_billed(self):
        if any(usage.move_line_id for usage in self):
            raise UserError(self.env._("Usage already on an invoice cannot be deleted."))

    @api.model
    def import_usage(self, rows):
        """Import usage from a provisioning system: ``rows`` is a list of dicts with
        ``partner_id``, ``product_id``, ``quantity`` and optionally ``external_id``, ``date``,
        ``contract_id``, ``price_unit``, ``name``. Rows whose ``external_id`` was imported before
        are skipped. Returns the ids of the usage records, in the order of ``rows``.
        """
        allowed = {
            "partner_id",
            "product_id",
            "quantity",
            "external_id",
            "date",
            "contract_id",
            "price_unit",
            "name",
        }
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise UserError(self.env._("Give the usage as a list of records (dicts)."))
        for row in rows:
            unknown = set(row) - allowed
            if unknown:
                raise UserError(
                    self.env._("Unknown usage fields: %(fields)s.", fields=", ".join(sorted(unknown)))
                )
            missing = {"partner_id", "product_id", "quantity"} - set(row)
            if missing:
                raise UserError(self.env._("Usage without %(fields)s.", fields=", ".join(sorted(missing))))
        company = self.env.company
        references = [row["external_id"] for row in rows if row.get("external_id")]
        known = {}
        if references:
            known = {
                usage.external_id: usage.id
                for usage in self.search([("company_id", "=", company.id), ("external_id", "in", references)])
            }
        new_rows = [
            {**row, "company_id": company.id}
            for row in rows
            if not row.get("external_id") or row["external_id"] not in known
        ]
        created = iter(self.create(new_rows).ids)
        return [
            known[row["external_id"]] if row.get("external_id") in known else next(created) for row in rows
        ]
