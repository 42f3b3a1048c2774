import base64

from odoo import fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError


class BillingEinvoiceConsumerOrderImport(models.TransientModel):
    _name = "billing.einvoice.consumer.order.import"
    _description = "Import Consumer E-invoice Orders (ReceiverInfo)"

    file = fields.Binary(string="ReceiverInfo File", required=True)
    file_name = fields.Char()

    def action_import(self):
        ensure_records(self, single=True)
        if not self.file:
            raise UserError(self.env._("Choose a ReceiverInfo file to import."))
        orders = self.env["billing.einvoice.consumer.order"]._import_bytes(
            base64.b64decode(self.file), self.file_name or "receiverinfo.xml"
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "billing_einvoice.billing_einvoice_consumer_order_action"
        )
        action["domain"] = [("id", "in", orders.ids)]
        return action
