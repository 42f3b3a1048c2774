from odoo import fields, models
from odoo.addons.billing_base.tools import ensure_records


class BillingSepaReturnImportWizard(models.TransientModel):
    _name = "billing.sepa.return.import.wizard"
    _description = "Import a SEPA Bank Report"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    file_data = fields.Binary(
        string="Bank Report", required=True, help="pain.002, camt.053 or camt.054 file."
    )
    file_name = fields.Char()

    def action_import(self):
        ensure_records(self, single=True)
        result = self.env["billing.sepa.return.import"].import_file(
            self.file_data, self.file_name or "bank-report.xml", self.company_id.id
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "billing.sepa.return.import",
            "res_id": result["id"],
            "view_mode": "form",
        }
