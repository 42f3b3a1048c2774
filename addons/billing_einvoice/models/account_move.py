import datetime
import logging

import pytz

from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError
from odoo.tools import SQL

from .billing_einvoice_delivery import DELIVERY_STATES

ACCEPTED_STATES = ("sent", "delivered")
# Context key: the outgoing mail server for the invoice e-mail being posted.
MAIL_SERVER_CONTEXT_KEY = "billing_einvoice_mail_server_id"

_logger = logging.getLogger(__name__)


class AccountMove(models.Model):
    _inherit = "account.move"

    einvoice_sending_method = fields.Selection(
        selection="_selection_einvoice_sending_method",
        string="Send By",
        help="How this invoice is delivered. Leave empty to use the customer's setting.",
    )
    einvoice_delivery_ids = fields.One2many(
        "billing.einvoice.delivery", "move_id", string="Deliveries", readonly=True
    )
    einvoice_delivery_state = fields.Selection(
        DELIVERY_STATES,
        string="Delivery Status",
        compute="_compute_einvoice_delivery_state",
        store=True,
        help="Outcome of the latest delivery attempt of this invoice.",
    )

    einvoice_send_after = fields.Datetime(
        string="Send Automatically After",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The invoice waits in the automatic send queue until this time. Sending it by hand or "
        "resetting it to draft takes it out of the queue.",
    )

    @api.model
    def _selection_einvoice_sending_method(self):
        return self.env["res.partner"]._fields["invoice_sending_method"].selection

    @api.depends("einvoice_delivery_ids.state")
    def _compute_einvoice_delivery_state(self):
        for move in self:
            latest = move.einvoice_delivery_ids.sorted("id")[-1:]
            move.einvoice_delivery_state = latest.state or False

    def write(self, vals):
        # A reset to draft or a cancellation, or Odoo's own background sending (sending_data,
        # picked up by account's cron), takes the invoice out of our automatic send queue.
        if vals.get("state") in ("draft", "cancel") or vals.get("sending_data"):
            vals = {**vals, "einvoice_send_after": False}
        return super().write(vals)

    def _post(self, soft=True):
        # EXTENDS 'account': queue the posted customer documents for automatic sending.
        posted = super()._post(soft=soft)
        posted._queue_einvoice_auto_send()
        return posted

    @api.returns("mail.message", lambda value: value.id)
    def message_post(self, **kwargs):
        # EXTENDS 'mail': the invoice e-mail goes through the company's own mail server. The
        # decorator is repeated, as core's overrides do: without it RPC gets a record it cannot send.
        server_id = self.env.context.get(MAIL_SERVER_CONTEXT_KEY)
        if server_id and not kwargs.get("mail_server_id"):
            kwargs["mail_server_id"] = server_id
        return super().message_post(**kwargs)

    def _sync_einvoice_move_sent(self):
        """Make Odoo's ``is_move_sent`` truthful: an invoice with deliveries is sent once one of
        them was accepted by its channel (sent or delivered), and not sent while none is."""
        for move in self.filtered("einvoice_delivery_ids").sudo():
            accepted = any(state in ACCEPTED_STATES for state in move.einvoice_delivery_ids.mapped("state"))
            if move.is_move_sent != accepted:
                move.is_move_sent = accepted

    # ---- automatic sending -----------------------------------------------------------------

    def _get_einvoice_send_after(self, posted_at):
        """When the automatic send may go out: ``max(posted_at + cancel window, invoice date
        minus the lead days)``, the invoice date taken from midnight in the company's time zone.
        """
        self.ensure_one()
        company = self.company_id
        send_after = posted_at + datetime.timedelta(minutes=company.einvoice_send_delay)
        if self.invoice_date:
            day = self.invoice_date - datetime.timedelta(days=company.einvoice_send_lead_days)
            timezone = pytz.timezone(company.partner_id.tz or "UTC")
            midnight = timezone.localize(datetime.datetime.combine(day, datetime.time.min))
            send_after = max(send_after, midnight.astimezone(pytz.UTC).replace(tzinfo=None))
        return send_after

    def _is_einvoice_auto_send_candidate(self):
        self.ensure_one()
        return (
            self.state == "posted"
            and self.is_sale_document(include_receipts=False)
            and self.company_id.einvoice_auto_send
            and not self.is_move_sent
            and self.env["account.move.send"]._get_default_sending_method(self) != "manual"
        )

    def _queue_einvoice_auto_send(self):
        now = fields.Datetime.now()
        for move in self.filtered(lambda m: m._is_einvoice_auto_send_candidate()):
            move.einvoice_send_after = move._get_einvoice_send_after(now)

    def action_einvoice_cancel_auto_send(self):
        """Take the invoices out of the automatic send queue (callable over RPC)."""
        ensure_records(self)
        self.filtered("einvoice_send_after").write({"einvoice_send_after": False})
        return True

    @api.model
    def _cron_einvoice_auto_send(self, batch_size=50):
        """Send the invoices whose cancel window is over, ``batch_size`` at a time.

        Only invoices of companies that send automatically: an invoice queued before its
        company switched automatic sending off stays where it is. The due invoices are locked
        with FOR UPDATE SKIP LOCKED: one being sent by hand (which writes its row) or by a
        parallel worker is left alone. When more are due, the progress is reported and the
        scheduled action triggered again.
        """
        now = fields.Datetime.now()
        self.flush_model(["einvoice_send_after", "state", "company_id"])
        self.env["res.company"].flush_model(["einvoice_auto_send"])
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM account_move
                 WHERE einvoice_send_after <= %s AND state = 'posted'
                   AND company_id IN (SELECT id FROM res_company WHERE einvoice_auto_send)
              ORDER BY einvoice_send_after, id
                 LIMIT %s
            FOR UPDATE SKIP LOCKED
                """,
                now,
                batch_size + 1,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        moves = self.browse(ids[:batch_size])
        moves._einvoice_auto_send()
        remaining = self.search_count(
            [
                ("einvoice_send_after", "<=", now),
                ("state", "=", "posted"),
                ("company_id.einvoice_auto_send", "=", True),
            ]
        )
        self.env["ir.cron"]._notify_progress(done=len(moves), remaining=remaining)
        if len(ids) > batch_size:
            self.env.ref("billing_einvoice.ir_cron_einvoice_auto_send")._trigger()

    def _einvoice_auto_send(self):
        """Send these queued invoices now, each once, on its channel; errors stay on the invoice."""
        self.write({"einvoice_send_after": False})
        to_send = self.filtered(lambda move: not move.is_move_sent and not move.sending_data)
        for company, moves in to_send.grouped("company_id").items():
            try:
                moves._einvoice_send_now(company)
            except Exception:  # retried one by one below, where it is reported
                # Odoo renders the PDFs of a batch in one go and splits them afterwards, which
                # fails with some wkhtmltopdf builds (Debian's, without patched Qt) and on any
                # invoice the report cannot render: one invoice must not hold back the others.
                _logger.info("Automatic sending of %s as one batch failed, sending one by one", moves.ids)
                for move in moves:
                    try:
                        move._einvoice_send_now(company)
                    except Exception as error:  # reported on the invoice, never lost
                        _logger.warning("Automatic sending of invoice %s failed: %s", move.id, error)
                        move.message_post(
                            body=self.env._(
                                "The invoice was not sent automatically: %(error)s",
                                error=str(error.args[0]) if error.args else repr(error),
                            )
                        )

    def _einvoice_send_now(self, company):
        with self.env.cr.savepoint():
            self.env["account.move.send"].with_company(company)._generate_and_send_invoices(
                self, allow_raising=False
            )

    def action_einvoice_send(self):
        """Send the posted customer invoices on their channel now (callable over RPC).

        Each invoice goes out on its own channel (the invoice's override, else the
        customer's). Nothing is raised for one invoice that cannot be sent: its delivery
        stays queued with the error, readable in ``einvoice_delivery_ids``.
        """
        ensure_records(self)
        if any(move.state != "posted" or not move.is_sale_document(include_receipts=False) for move in self):
            raise UserError(self.env._("Only posted customer invoices and credit notes can be sent."))
        for company, moves in self.grouped("company_id").items():
            self.env["account.move.send"].with_company(company)._generate_and_send_invoices(
                moves, allow_raising=False
            )
        return True
