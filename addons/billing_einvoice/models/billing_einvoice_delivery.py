import base64
import logging

from markupsafe import Markup

from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError

from ..finvoice import transport

DELIVERY_CHANNELS = [
    ("email", "E-mail"),
    ("peppol", "Peppol"),
    ("finvoice", "Finvoice e-invoice"),
    ("elasku", "Consumer e-invoice (e-lasku)"),
    ("post", "Post"),
]
DELIVERY_STATES = [
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("bounced", "Bounced"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]
FINVOICE_CHANNELS = ("finvoice", "elasku")

_logger = logging.getLogger(__name__)


class BillingEinvoiceDelivery(models.Model):
    _name = "billing.einvoice.delivery"
    _description = "Invoice Delivery"
    _order = "create_date desc, id desc"
    _check_company_auto = True

    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
        domain="[('move_type', 'in', ('out_invoice', 'out_refund'))]",
    )
    company_id = fields.Many2one(related="move_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="move_id.partner_id", store=True, string="Customer")
    channel = fields.Selection(DELIVERY_CHANNELS, required=True)
    state = fields.Selection(DELIVERY_STATES, required=True, default="queued", index=True)
    payload_attachment_id = fields.Many2one("ir.attachment", string="Payload", readonly=True)
    external_id = fields.Char(string="External Reference", readonly=True, index="btree_not_null")
    mail_message_id = fields.Many2one(
        "mail.message", string="E-mail Message", readonly=True, index="btree_not_null", ondelete="set null"
    )
    transport_reference = fields.Char(
        string="Operator Reference",
        readonly=True,
        index="btree_not_null",
        help="The id the operator gave the message when it accepted it.",
    )
    error_message = fields.Text(readonly=True)
    sent_date = fields.Datetime(readonly=True)
    done_date = fields.Datetime(string="Delivered/Bounced On", readonly=True)
    attempt_ids = fields.One2many(
        "billing.einvoice.delivery.attempt", "delivery_id", string="Attempts", readonly=True
    )
    attempt_count = fields.Integer(compute="_compute_attempt_count", string="Number of Attempts")

    def _compute_attempt_count(self):
        counts = dict(
            self.env["billing.einvoice.delivery.attempt"]._read_group(
                [("delivery_id", "in", self.ids)], ["delivery_id"], ["__count"]
            )
        )
        for delivery in self:
            delivery.attempt_count = counts.get(delivery, 0)

    @api.model_create_multi
    def create(self, vals_list):
        deliveries = super().create(vals_list)
        deliveries.move_id._sync_einvoice_move_sent()
        return deliveries

    def write(self, vals):
        result = super().write(vals)
        if "state" in vals:
            self.move_id._sync_einvoice_move_sent()
        return result

    # ---- actions -------------------------------------------------------------------------

    def action_cancel(self):
        ensure_records(self)
        if self.filtered(lambda delivery: delivery.state != "queued"):
            raise UserError(self.env._("Only queued deliveries can be cancelled."))
        self.write({"state": "cancelled", "done_date": fields.Datetime.now()})
        return True

    def action_retry(self):
        """Send the invoices of failed, bounced or stuck deliveries again on the same channel."""
        ensure_records(self)
        if self.filtered(lambda delivery: delivery.state not in ("queued", "failed", "bounced")):
            raise UserError(self.env._("Only queued, failed or bounced deliveries can be retried."))
        if self.filtered(lambda delivery: delivery.move_id.state != "posted"):
            raise UserError(self.env._("Only posted invoices can be sent."))
        # A message the operator API did not take is sent again as it was: its message
        # identifier is the idempotency key, so the operator never delivers it twice.
        resend = self.filtered(
            lambda delivery: delivery._is_operator_transport() and delivery.payload_attachment_id
        )
        resend._send_by_transport()
        for channel, deliveries in (self - resend).grouped("channel").items():
            (deliveries.filtered(lambda delivery: delivery.state == "queued")).write(
                {"state": "cancelled", "done_date": fields.Datetime.now()}
            )
            self.env["account.move.send"]._generate_and_send_invoices(
                deliveries.move_id, sending_methods=[channel], allow_raising=False
            )
        return True

    def action_download_finvoice_batch(self):
        """Put the queued Finvoice messages in one file for upload to the bank and mark them sent.

        The bank's acknowledgement is not known here: the deliveries move to "sent", not
        "delivered".
        """
        ensure_records(self)
        deliveries = self.filtered(
            lambda delivery: (
                delivery.channel in FINVOICE_CHANNELS
                and delivery.state == "queued"
                and delivery.payload_attachment_id
                and not delivery.error_message
            )
        )
        if not deliveries:
            raise UserError(
                self.env._("None of the selected deliveries is a Finvoice message waiting to be sent.")
            )
        if len(deliveries.company_id) > 1:
            raise UserError(self.env._("A bank file holds the invoices of one company: select one company."))
        deliveries = deliveries.sorted("id")
        content = deliveries._get_finvoice_batch_content()
        now = fields.Datetime.now()
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"finvoice_{deliveries.company_id.id}_{now:%Y%m%d_%H%M%S}.xml",
                "raw": content,
                "mimetype": "application/xml",
                "res_model": deliveries._name,
                "res_id": deliveries[0].id,
            }
        )
        deliveries.write({"state": "sent", "sent_date": now})
        for move in deliveries.move_id:
            move.message_post(
                body=self.env._("Finvoice e-invoice put in the bank file %(file)s.", file=attachment.name)
            )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }

    def action_check_transport_status(self):
        """Ask the operator what became of the sent messages (delivered or failed)."""
        ensure_records(self)
        self._update_from_transport()
        return True

    def _get_finvoice_batch_content(self):
        return b"".join(delivery.payload_attachment_id.raw for delivery in self)

    # ---- creation helpers ------------------------------------------------------------------

    @api.model
    def _create_finvoice_delivery(self, move, channel, message_identifier, payload):
        delivery = self.sudo().create(
            {"move_id": move.id, "channel": channel, "external_id": message_identifier}
        )
        delivery.payload_attachment_id = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"{message_identifier}.xml",
                    "datas": base64.b64encode(payload),
                    "mimetype": "application/xml",
                    "res_model": delivery._name,
                    "res_id": delivery.id,
                }
            )
        )
        return delivery

    # ---- operator transport ----------------------------------------------------------------

    def _is_operator_transport(self):
        self.ensure_one()
        return self.channel in FINVOICE_CHANNELS and self.company_id.finvoice_transport == "operator_api"

    def _send_by_transport(self):
        """Hand the built messages to the company's operator API; errors stay on the delivery
        (state failed, payload kept) to be retried. Every try is kept as an attempt."""
        attempts = []
        for company, deliveries in self.filtered("payload_attachment_id").grouped("company_id").items():
            try:
                operator = company._get_finvoice_transport()
            except UserError as error:
                deliveries.write({"state": "failed", "error_message": str(error.args[0])})
                attempts += [
                    delivery._prepare_attempt_vals("failed", str(error.args[0])) for delivery in deliveries
                ]
                continue
            if operator is None:
                continue
            for delivery in deliveries:
                try:
                    result = operator.send(
                        delivery.external_id,
                        delivery.payload_attachment_id.raw,
                        encoding=company.finvoice_encoding,
                    )
                except transport.TransportError as error:
                    _logger.info("Finvoice %s not taken by the operator: %s", delivery.external_id, error)
                    error_message = self.env._(
                        "The operator did not take the message (%(kind)s): %(error)s",
                        kind=self.env._("try again later") if error.retryable else self.env._("refused"),
                        error=str(error),
                    )
                    delivery.write({"state": "failed", "error_message": error_message})
                    attempts.append(delivery._prepare_attempt_vals("failed", error_message))
                    continue
                delivery.write(
                    {
                        "state": "sent",
                        "sent_date": fields.Datetime.now(),
                        "transport_reference": result.reference,
                        "error_message": False,
                    }
                )
                attempts.append(delivery._prepare_attempt_vals("sent", transport_reference=result.reference))
        self.env["billing.einvoice.delivery.attempt"].sudo().create(attempts)

    def _prepare_attempt_vals(self, state, error_message=False, transport_reference=False):
        self.ensure_one()
        return {
            "delivery_id": self.id,
            "state": state,
            "error_message": error_message,
            "transport_reference": transport_reference,
        }

    def _update_last_attempt(self, vals):
        """The operator's later word on the message: kept on the attempt that sent it."""
        self.ensure_one()
        self.attempt_ids.filtered(lambda attempt: attempt.state == "sent")[:1].sudo().write(vals)

    def _update_from_transport(self):
        deliveries = self.filtered(lambda delivery: delivery.state == "sent" and delivery.transport_reference)
        for company, company_deliveries in deliveries.grouped("company_id").items():
            operator = company._get_finvoice_transport()
            if operator is None:
                continue
            for delivery in company_deliveries:
                try:
                    result = operator.status(delivery.transport_reference)
                except transport.TransportError as error:
                    _logger.info("Status of %s unknown: %s", delivery.transport_reference, error)
                    continue
                if result.status == "delivered":
                    delivery.write({"state": "delivered", "done_date": fields.Datetime.now()})
                    delivery._update_last_attempt({"state": "delivered"})
                elif result.status == "failed":
                    error_message = result.error or self.env._("The operator could not deliver it.")
                    delivery.write(
                        {
                            "state": "failed",
                            "done_date": fields.Datetime.now(),
                            "error_message": error_message,
                        }
                    )
                    delivery._update_last_attempt({"state": "failed", "error_message": error_message})

    @api.model
    def _cron_check_transport_status(self, batch_size=200):
        deliveries = self.search(
            [("state", "=", "sent"), ("transport_reference", "!=", False)],
            order="sent_date, id",
            limit=batch_size,
        )
        deliveries._update_from_transport()

    # ---- e-mail outcome ----------------------------------------------------------------------

    def _update_from_mail_notifications(self):
        """Follow the state of the e-mail to the customer (Odoo's mail.notification)."""
        for delivery in self.filtered(lambda d: d.channel == "email" and d.mail_message_id):
            notifications = delivery.mail_message_id.sudo().notification_ids.filtered(
                lambda notification: notification.notification_type == "email"
            )
            statuses = set(notifications.mapped("notification_status"))
            if "bounce" in statuses:
                if delivery.state != "bounced":
                    delivery.write({"state": "bounced", "done_date": fields.Datetime.now()})
                    delivery._notify_bounce(
                        notifications.filtered(lambda n: n.notification_status == "bounce")
                    )
            elif "exception" in statuses:
                reasons = notifications.filtered(lambda n: n.notification_status == "exception")
                delivery.write(
                    {
                        "state": "failed",
                        "error_message": "\n".join(filter(None, reasons.mapped("failure_reason")))
                        or self.env._("The e-mail could not be sent."),
                    }
                )
            elif statuses and statuses <= {"sent"} and delivery.state in ("queued", "failed"):
                # From failed too: the mail queue marks the notifications "exception" while it
                # sends (mail.mail._send), then "sent" once the mail server took the e-mail.
                delivery.write({"state": "sent", "sent_date": fields.Datetime.now(), "error_message": False})

    def _notify_bounce(self, notifications):
        self.ensure_one()
        move = self.move_id
        addresses = ", ".join(filter(None, notifications.res_partner_id.mapped("email")))
        move.message_post(
            body=Markup("<p>%s</p>")
            % self.env._(
                "The invoice e-mail to %(addresses)s bounced: the customer has not received it.",
                addresses=addresses or self.partner_id.display_name,
            )
        )
        user = move.invoice_user_id or move.create_uid
        move.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Invoice e-mail bounced"),
            note=self.env._("Check the customer's e-mail address and send the invoice again."),
            user_id=user.id,
        )
