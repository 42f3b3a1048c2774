from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.tools import clean_context


class BillingWebshopMapGateway(models.TransientModel):
    """Map the shop payment gateway an import in error lacks to a journal (from the event form).

    Opened by ``billing.webshop.event.action_map_gateway``: the gateway code and title come from
    the event; the user picks the journal as on the webshop's Payment Gateways tab.
    """

    _name = "billing.webshop.map.gateway"
    _description = "Map a Shop Payment Gateway"
    _inherit = "billing.webshop.event.fix"

    code = fields.Char(
        string="Gateway Code",
        compute="_compute_from_event",
        precompute=True,
        store=True,
        readonly=False,
        required=True,
        help="The gateway id the shop sends (payment_method), e.g. stripe.",
    )
    name = fields.Char(
        string="Title in the Shop", compute="_compute_from_event", precompute=True, store=True, readonly=False
    )
    journal_id = fields.Many2one(
        "account.journal",
        required=True,
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash'))]",
        help="The journal the gateway pays into.",
    )
    register_payment = fields.Boolean(
        default=True, help="Untick for gateways paid later (bank transfer): the invoice then stays open."
    )

    @api.depends("event_id")
    def _compute_from_event(self):
        for wizard in self:
            wizard.code, wizard.name, _details = wizard._missing_of_kind("gateway")

    def action_map(self):
        """Map the gateway to the chosen journal; Retry on the event then imports the order."""
        ensure_records(self, single=True)
        values = {
            "name": self.name,
            "journal_id": self.journal_id.id,
            "register_payment": self.register_payment,
        }
        gateway = self.backend_id.payment_method_ids.filtered(lambda method: method.code == self.code)
        if gateway:
            gateway.write(values)
        else:
            self.env["billing.webshop.payment.method"].with_context(clean_context(self.env.context)).create(
                {"backend_id": self.backend_id.id, "code": self.code, **values}
            )
        return self._close()
