from odoo import models


class MailNotification(models.Model):
    _inherit = "mail.notification"

    def write(self, vals):
        result = super().write(vals)
        if "notification_status" in vals:
            deliveries = (
                self.env["billing.einvoice.delivery"]
                .sudo()
                .search([("mail_message_id", "in", self.mail_message_id.ids), ("channel", "=", "email")])
            )
            deliveries._update_from_mail_notifications()
        return result
