from odoo import api, models
from odoo.tools import file_open


class BillingEinvoiceConsumerOrder(models.Model):
    _inherit = "billing.einvoice.consumer.order"

    @api.model
    def _load_demo_receiver_info(self, company_id, path):
        """Demo data: import the ReceiverInfo file at ``path`` (in the addon) for ``company_id`` and
        match its orders, through the real import and matching; return the orders' ids."""
        company = self.env["res.company"].browse(company_id)
        with file_open(path, "rb") as file:
            data = file.read()
        orders = self.with_company(company)._import_bytes(data, path.rpartition("/")[2])
        orders.filtered(lambda order: order.state == "to_match").action_match()
        return orders.ids
