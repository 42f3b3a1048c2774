from odoo import api, models

# What mail servers answer, for the demo's e-mails (no e-mail leaves a demo database).
DEMO_BOUNCE = "550 5.1.1 <laskut@kemin-kuljetus.example>: Recipient address rejected: mailbox unavailable"
DEMO_REFUSAL = "421 4.7.0 Try again later: too many connections from your host"


class BillingEinvoiceDelivery(models.Model):
    _inherit = "billing.einvoice.delivery"

    @api.model
    def _demo_send_by_email(self, sent_ids, bounced_ids, failed_ids):
        """Demo data: e-mail these posted invoices through Odoo's sending pipeline, then give each
        e-mail the answer of a mail server: taken (sent), taken and bounced back, or refused.

        The answers go where Odoo's mail code puts them (``mail.mail._postprocess_sent_message``
        after the SMTP exchange, the bounce as ``mail.thread._routing_handle_bounce`` writes it),
        so the deliveries follow them by the addon's own code, as in production.
        """
        moves = self.env["account.move"].browse(sent_ids + bounced_ids + failed_ids)
        self.env["account.move.send"]._generate_and_send_invoices(
            moves, sending_methods=["email"], allow_raising=False
        )
        for move_ids, failure_type in ((sent_ids + bounced_ids, None), (failed_ids, "mail_smtp")):
            deliveries = self.search([("move_id", "in", move_ids), ("channel", "=", "email")])
            mails = (
                self.env["mail.mail"]
                .sudo()
                .search([("mail_message_id", "in", deliveries.mail_message_id.ids)])
            )
            mails.write({"state": "exception" if failure_type else "sent"})
            mails._postprocess_sent_message(
                success_pids=self.env["res.partner"] if failure_type else mails.recipient_ids,
                failure_reason=failure_type and DEMO_REFUSAL,
                failure_type=failure_type,
            )
        bounced = self.search([("move_id", "in", bounced_ids), ("channel", "=", "email")])
        bounced.mail_message_id.notification_ids.sudo().write(
            {"notification_status": "bounce", "failure_type": "mail_bounce", "failure_reason": DEMO_BOUNCE}
        )
        return True
