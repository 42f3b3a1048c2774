import json
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..exceptions import WebshopLockBusy
from ..webshop.adapters import ShopApiError
from ..webshop.normalize import WebshopPayloadError

_logger = logging.getLogger(__name__)

BATCH_SIZE = 20
LOCK_BUSY_DELAY = timedelta(seconds=30)


class BillingWebshopEvent(models.Model):
    """One delivery from the shop (webhook, poll or manual import): the inbox and error queue."""

    _name = "billing.webshop.event"
    _description = "Webshop Event"
    _order = "id desc"
    _rec_name = "display_name"
    _check_company_auto = True

    backend_id = fields.Many2one("billing.webshop.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    source = fields.Selection(
        [("webhook", "Webhook"), ("poll", "Polling"), ("manual", "Manual")], required=True, default="webhook"
    )
    topic = fields.Char()
    delivery_key = fields.Char(required=True, index=True, copy=False)
    external_id = fields.Char(string="Shop Order ID", index=True)
    payload = fields.Text(help="The order as the shop sent it.")
    headers = fields.Text(help="The delivery's headers, signatures left out.")
    state = fields.Selection(
        [
            ("received", "Received"),
            ("queued", "Queued"),
            ("done", "Done"),
            ("error", "Error"),
            ("ignored", "Ignored"),
        ],
        default="received",
        required=True,
        index=True,
    )
    attempts = fields.Integer(readonly=True)
    next_attempt = fields.Datetime(index=True)
    error = fields.Text(readonly=True)
    result = fields.Char(readonly=True, help="What the last processing did.")
    processed_at = fields.Datetime(readonly=True)
    order_binding_id = fields.Many2one(
        "billing.webshop.order.binding", readonly=True, index="btree_not_null", check_company=True
    )
    sale_order_id = fields.Many2one(related="order_binding_id.sale_order_id")

    _sql_constraints = [
        ("delivery_unique", "UNIQUE(backend_id, delivery_key)", "This delivery is already stored."),
    ]

    @api.depends("backend_id", "external_id", "topic")
    def _compute_display_name(self):
        for event in self:
            event.display_name = (
                f"{event.backend_id.name or ''} #{event.external_id or '?'} {event.topic or ''}".strip()
            )

    # -- creation -----------------------------------------------------------------------------------

    @api.model
    def _lock_key(self, kind, backend_id, key):
        """Take a transaction-level advisory lock on (kind, backend, key)."""
        self.env.cr.execute(
            SQL("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", int(backend_id), f"{kind}:{key}")
        )

    @api.model
    def _try_lock_key(self, kind, backend_id, key):
        self.env.cr.execute(
            SQL("SELECT pg_try_advisory_xact_lock(%s, hashtext(%s))", int(backend_id), f"{kind}:{key}")
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _create_from_payload(self, backend, payload, *, source, delivery_key=None):
        """Store an order payload read by polling or given over RPC as a queued event."""
        adapter = backend._get_adapter()
        external_id = adapter.order_external_id(payload)
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        if delivery_key is None:
            delivery_key = f"{source}:{external_id}:{adapter.delivery_key({}, text.encode())}"
        self._lock_key("delivery", backend.id, delivery_key)
        existing = self.search(
            [("backend_id", "=", backend.id), ("delivery_key", "=", delivery_key)], limit=1
        )
        if existing:
            return existing
        return self.create(
            {
                "backend_id": backend.id,
                "source": source,
                "topic": "order.updated",
                "delivery_key": delivery_key,
                "external_id": external_id,
                "payload": text,
                "state": "queued",
            }
        )

    # -- buttons ------------------------------------------------------------------------------------

    def action_retry(self):
        to_retry = self.filtered(lambda event: event.state in ("error", "ignored", "queued"))
        to_retry.write({"state": "queued", "next_attempt": False, "error": False, "attempts": 0})
        self._trigger_processing()
        return True

    def action_ignore(self):
        self.filtered(lambda event: event.state != "done").write({"state": "ignored", "next_attempt": False})
        return True

    def action_process_now(self):
        """Process the selected queued events in this transaction (for the impatient user)."""
        self.filtered(lambda event: event.state in ("queued", "error"))._process()
        return True

    def action_open_sale_order(self):
        self.ensure_one()
        if not self.sale_order_id:
            raise UserError(self.env._("This event has no sales order."))
        return self.sale_order_id._get_records_action()

    # -- processing ---------------------------------------------------------------------------------

    @api.model
    def _trigger_processing(self):
        cron = self.env.ref("billing_webshop.ir_cron_process_events", raise_if_not_found=False)
        if cron:
            cron._trigger()

    @api.model
    def _cron_process_events(self, batch_size=BATCH_SIZE):
        """Process queued events due now; claim them with FOR UPDATE SKIP LOCKED."""
        now = fields.Datetime.now()
        domain = [("state", "=", "queued"), "|", ("next_attempt", "=", False), ("next_attempt", "<=", now)]
        candidates = self.search(domain, order="id", limit=batch_size + 1)
        if not candidates:
            return
        self.env.cr.execute(
            SQL(
                "SELECT id FROM billing_webshop_event WHERE id IN %s AND state = 'queued' "
                "ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
                tuple(candidates.ids),
                batch_size,
            )
        )
        claimed = self.browse([row[0] for row in self.env.cr.fetchall()])
        claimed._process()
        remaining = self.search_count(domain)
        self.env["ir.cron"]._notify_progress(done=len(claimed), remaining=remaining)
        if remaining:
            self._trigger_processing()

    def _process(self):
        """Import each event in its own savepoint; errors are stored on the event, not raised."""
        for event in self:
            event._process_one()

    def _process_one(self):
        self.ensure_one()
        backend = self.backend_id.with_company(self.company_id)
        Importer = self.env["billing.webshop.order.importer"].with_company(self.company_id)
        try:
            with self.env.cr.savepoint():
                if not self._try_lock_key("order", backend.id, self.external_id or self.delivery_key):
                    raise WebshopLockBusy()
                payload = json.loads(self.payload or "null")
                binding, result = Importer._import_payload(backend, payload)
        except WebshopLockBusy:
            # Another transaction imports the same order right now: try again shortly,
            # without counting an attempt.
            self.write({"state": "queued", "next_attempt": fields.Datetime.now() + LOCK_BUSY_DELAY})
            return
        except ShopApiError as error:
            self._register_failure(str(error), transient=error.transient)
            return
        except (UserError, ValidationError, WebshopPayloadError, ValueError) as error:
            self._register_failure(str(error.args[0] if error.args else error), transient=False)
            return
        self.write(
            {
                "state": "done",
                "order_binding_id": binding.id,
                "error": False,
                "next_attempt": False,
                "result": result,
                "processed_at": fields.Datetime.now(),
                "attempts": self.attempts + 1,
            }
        )

    def _register_failure(self, message, *, transient):
        """Count an attempt; transient failures retry with exponential backoff up to max_attempts."""
        attempts = self.attempts + 1
        if transient and attempts < self.backend_id.max_attempts:
            delay = min(timedelta(minutes=2**attempts), timedelta(hours=6))
            self.write(
                {
                    "state": "queued",
                    "attempts": attempts,
                    "error": message,
                    "next_attempt": fields.Datetime.now() + delay,
                }
            )
            return
        _logger.info("webshop event %s in error: %s", self.id, message)
        self.write({"state": "error", "attempts": attempts, "error": message, "next_attempt": False})

    def _summary(self):
        self.ensure_one()
        order = self.order_binding_id.sale_order_id
        return {
            "event_id": self.id,
            "state": self.state,
            "error": self.error or False,
            "result": self.result or False,
            "sale_order_id": order.id or False,
            "invoice_ids": order.invoice_ids.ids,
        }

    @api.model
    def _cron_purge_done(self, days=30):
        limit_date = fields.Datetime.now() - timedelta(days=days)
        self.search(
            [("state", "in", ("done", "ignored")), ("write_date", "<", limit_date)], limit=1000
        ).unlink()
