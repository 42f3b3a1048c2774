from odoo import fields, models


class BillingWebshopEventFix(models.AbstractModel):
    """What the wizards that fix an event in error share: the event, its webshop and company.

    Each wizard pre-fills what is missing from the event (``missing_ref``, ``missing_name``,
    ``missing_details``), lets the user pick the Odoo side and creates the mapping; Retry on the
    event then imports the order.
    """

    _name = "billing.webshop.event.fix"
    _description = "Fix of a Webshop Event in Error"
    _check_company_auto = True

    event_id = fields.Many2one("billing.webshop.event", required=True, ondelete="cascade")
    backend_id = fields.Many2one(related="event_id.backend_id")
    company_id = fields.Many2one(related="event_id.company_id")

    def _missing_of_kind(self, kind):
        """The event's ``(ref, name, details)`` when it lacks a ``kind``, else empty values."""
        self.ensure_one()
        event = self.event_id
        if event.missing_kind != kind:
            return False, False, {}
        return event.missing_ref, event.missing_name, event.missing_details or {}

    def _close(self):
        return {"type": "ir.actions.act_window_close"}
