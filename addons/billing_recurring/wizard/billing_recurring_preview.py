from odoo import Command, fields, models
from odoo.addons.billing_base.tools import ensure_records


class BillingRecurringPreview(models.TransientModel):
    _name = "billing.recurring.preview"
    _description = "Billing Run Preview"

    run_id = fields.Many2one("billing.recurring.run", string="Billing Run", required=True, ondelete="cascade")
    line_ids = fields.One2many(
        "billing.recurring.preview.line", "preview_id", string="Would Invoice", readonly=True
    )
    invoice_count = fields.Integer(string="Invoices", readonly=True)
    skipped_count = fields.Integer(string="Already Invoiced", readonly=True)

    def _fill(self):
        self.ensure_one()
        run = self.run_id.with_company(self.run_id.company_id)
        plans, skipped = run._plan()
        lines = []
        for number, plan in enumerate(plans, start=1):
            for value in plan["lines"]:
                vals = value["vals"]
                lines.append(
                    {
                        "invoice_number": number,
                        "partner_id": plan["partner"].id,
                        "contract_id": value["contract_line"].contract_id.id,
                        "product_id": vals["product_id"],
                        "name": vals["name"],
                        "quantity": vals["quantity"],
                        "price_unit": vals["price_unit"],
                        "currency_id": plan["currency"].id,
                    }
                )
            for usage in plan["usages"]:
                lines.append(
                    {
                        "invoice_number": number,
                        "partner_id": plan["partner"].id,
                        "contract_id": usage.contract_id.id,
                        "product_id": usage.product_id.id,
                        "name": usage.name or usage.product_id.display_name,
                        "quantity": usage.quantity,
                        "price_unit": usage.price_unit or usage.product_id.lst_price,
                        "currency_id": plan["currency"].id,
                    }
                )
        self.write(
            {
                "line_ids": [Command.clear()] + [Command.create(vals) for vals in lines],
                "invoice_count": len(plans),
                "skipped_count": skipped,
            }
        )

    def action_run(self):
        """Run the previewed billing run."""
        ensure_records(self, single=True)
        self.run_id.action_run()
        return self.run_id.action_view_invoices()


class BillingRecurringPreviewLine(models.TransientModel):
    _name = "billing.recurring.preview.line"
    _description = "Billing Run Preview Line"
    _order = "invoice_number, id"

    preview_id = fields.Many2one("billing.recurring.preview", required=True, ondelete="cascade")
    invoice_number = fields.Integer(string="Invoice")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    contract_id = fields.Many2one("contract.contract", string="Contract", readonly=True)
    product_id = fields.Many2one("product.product", string="Product", readonly=True)
    name = fields.Char(string="Description", readonly=True)
    quantity = fields.Float(readonly=True, digits="Product Unit of Measure")
    price_unit = fields.Float(string="Unit Price", readonly=True, digits="Product Price")
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount = fields.Monetary(
        string="Amount (untaxed)", compute="_compute_amount", currency_field="currency_id"
    )

    def _compute_amount(self):
        for line in self:
            line.amount = line.currency_id.round(line.quantity * line.price_unit)
