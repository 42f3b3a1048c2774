import base64
import json
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..exceptions import WebshopImportError, WebshopLockBusy
from ..webshop import normalize
from ..webshop.adapters import ShopApiError, storable_text, unstorable_text_path
from ..webshop.normalize import WebshopPayloadError

_logger = logging.getLogger(__name__)

BATCH_SIZE = 20
LOCK_BUSY_DELAY = timedelta(seconds=30)
# What an import in error lacks, in the shop's terms: the event form offers the fix of the
# first three in place (Bind product, Map gateway, Map tax rate), the next three on the webshop.
MISSING_KINDS = [
    ("product", "Shop product not bound"),
    ("gateway", "Payment gateway not mapped"),
    ("tax", "Shop tax rate not mapped"),
    ("currency", "No pricelist in the order's currency"),
    ("setting", "Webshop setting missing"),
    ("total", "Totals differ"),
    ("order", "Needs a hand"),
    ("payload", "Order not readable"),
    ("odoo", "Refused by Odoo"),
]


class BillingWebshopEvent(models.Model):
    """One delivery from the shop (webhook, poll or manual import): the inbox and error queue."""

    _name = "billing.webshop.event"
    _description = "Webshop Event"
    _order = "id desc"
    _rec_name = "display_name"
    _check_company_auto = True

    backend_id = fields.Many2one("billing.webshop.backend", required=True, ondelete="cascade", index=True)
    # Precomputed: part of the INSERT, not an UPDATE of the new row after it.
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True, precompute=True)
    source = fields.Selection(
        [("webhook", "Webhook"), ("poll", "Polling"), ("manual", "Manual")], required=True, default="webhook"
    )
    topic = fields.Char()
    delivery_key = fields.Char(required=True, index=True, copy=False)
    external_id = fields.Char(string="Shop Order ID", index=True)
    payload = fields.Text(
        help="The order as the shop sent it; for a body that could not be read, a printable copy."
    )
    raw_body = fields.Binary(
        string="Body as Received",
        attachment=True,
        readonly=True,
        copy=False,
        help="The request body byte for byte, kept when it could not be read or stored as an order.",
    )
    raw_body_filename = fields.Char(compute="_compute_raw_body_filename")
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
    missing_kind = fields.Selection(
        MISSING_KINDS, string="What Is Missing", readonly=True, help="Why the last import failed."
    )
    missing_ref = fields.Char(
        string="Shop Reference",
        readonly=True,
        help="The shop's id of what is missing: product or variation id, gateway code, tax rate id, "
        "currency code, or the webshop field to fill.",
    )
    missing_name = fields.Char(string="Shop Name", readonly=True, help="The shop's name of what is missing.")
    missing_details = fields.Json(readonly=True, help="What else the fix needs: SKU, tax rate, country, ...")
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

    def _compute_raw_body_filename(self):
        for event in self:
            event.raw_body_filename = f"webshop-delivery-{event.id or 'new'}.bin"

    # -- creation -----------------------------------------------------------------------------------

    @api.model
    def _insertable_as_is(self, fields_):
        """Whether values of ``fields_`` make a whole new event in one INSERT: plain columns of
        this table only, with every required column that has a default among them."""
        names = {field.name for field in fields_}
        return {"backend_id", "delivery_key", "source", "state"} <= names and all(
            field.store
            and field.column_type
            and not field.translate
            and not field.company_dependent
            and not getattr(field, "attachment", False)
            and field.name != "company_id"
            for field in fields_
        )

    @api.model
    def _insert_delivery(self, vals):
        """Store one delivery unless its (backend, delivery key) is stored: ``(event, True)`` for
        the new event, ``(event, False)`` for the one stored before.

        The webhook's path, taken by every delivery of a burst (issue 19): one ``INSERT ... ON
        CONFLICT DO NOTHING`` that also reads the delivery stored before, instead of a search
        then ``create()``, whose Python took more time than the whole rest of a request. The
        values go through the fields' own conversion to columns, and the company is the
        backend's, as the related field would compute it. Values an INSERT cannot take as they
        are (a raw body, kept as an attachment) go through ``create()`` after a search for the
        same delivery.
        """
        fields_ = [self._fields[name] for name in vals]
        if not self._insertable_as_is(fields_):
            existing = self.search_fetch(
                [("backend_id", "=", vals["backend_id"]), ("delivery_key", "=", vals["delivery_key"])],
                ["state"],
                limit=1,
            )
            return (existing, False) if existing else (self.create(vals), True)
        backend = self.env["billing.webshop.backend"].browse(vals["backend_id"])
        event = self.browse()
        columns = [field.name for field in fields_]
        values = [field.convert_to_column_insert(vals[field.name], event) for field in fields_]
        # The outer SELECT reads the row the insert ran into; under Odoo's REPEATABLE READ a row
        # committed after this transaction's snapshot makes the insert fail instead (the caller
        # answers "duplicate").
        self.env.cr.execute(
            SQL(
                """
                WITH inserted AS (
                    INSERT INTO billing_webshop_event
                           (%s, company_id, create_uid, write_uid, create_date, write_date)
                    VALUES (%s, %s, %s, %s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
                    ON CONFLICT (backend_id, delivery_key) DO NOTHING
                    RETURNING id, state
                )
                SELECT id, state, TRUE FROM inserted
                 UNION ALL
                SELECT id, state, FALSE FROM billing_webshop_event
                 WHERE backend_id = %s AND delivery_key = %s AND NOT EXISTS (SELECT FROM inserted)
                """,
                SQL(", ").join(SQL.identifier(column) for column in columns),
                SQL(", ").join(values),
                backend.sudo().company_id.id,
                self.env.uid,
                self.env.uid,
                backend.id,
                vals["delivery_key"],
            )
        )
        row = self.env.cr.fetchone()
        if not row:  # the row the insert ran into was deleted meanwhile
            return self.browse(), False
        event_id, state, created = row
        event = self.browse(event_id)
        # What create() would leave in the cache: answering with the state reads nothing.
        if created:
            for field in fields_:
                self.env.cache.set(event, field, field.convert_to_cache(vals[field.name], event))
            backend.invalidate_recordset(["event_ids"])
        else:
            self.env.cache.set(event, self._fields["state"], state)
        return event, created

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
        external_id = storable_text(adapter.order_external_id(payload))
        # A string PostgreSQL cannot store (\u0000) stays escaped in the text; processing refuses it.
        text = json.dumps(payload, ensure_ascii=unstorable_text_path(payload) is not None, sort_keys=True)
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
        ensure_records(self)
        to_retry = self.filtered(lambda event: event.state in ("error", "ignored", "queued"))
        unreadable = to_retry._read_raw_body_again()
        (to_retry - unreadable).write(
            {"state": "queued", "next_attempt": False, "error": False, "attempts": 0, **self._missing_vals()}
        )
        self._trigger_processing()
        return True

    def action_ignore(self):
        ensure_records(self)
        self.filtered(lambda event: event.state != "done").write({"state": "ignored", "next_attempt": False})
        return True

    def action_process_now(self):
        """Process the selected queued events in this transaction (for the impatient user)."""
        ensure_records(self)
        to_process = self.filtered(lambda event: event.state in ("queued", "error"))
        (to_process - to_process._read_raw_body_again())._process()
        return True

    def _read_raw_body_again(self):
        """Read the kept raw body of these events again; return those that still cannot be read.

        The others get their order back in ``payload`` (and keep the raw body).
        """
        unreadable = self.browse()
        for event in self.filtered("raw_body"):
            values = event.backend_id._read_webhook_body(base64.b64decode(event.raw_body))
            values.pop("raw_body", None)
            if values["state"] == "error":
                values["attempts"] = event.attempts + 1
                unreadable |= event
            event.write(values)
        return unreadable

    def action_open_sale_order(self):
        ensure_records(self, single=True)
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
    def _trigger_processing_unless_due(self):
        """Wake the import cron, unless a wake-up is already due that its next run will answer.

        A burst of deliveries then wakes the cron once instead of once per delivery (each wake-up
        is a trigger row and, after the commit, a connection to the ``postgres`` database to
        NOTIFY the cron workers). A due trigger is enough only when it was made after the cron's
        latest batch began (its newest ``ir.cron.progress``): a run deletes, when it ends, the
        triggers due before it started, and a run that started before this transaction commits
        may not see this transaction's event. One query (the xml id is cached; ``env.ref`` would
        add one to check that the cron exists, needed only to trigger it).
        """
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id(
            "billing_webshop.ir_cron_process_events", raise_if_not_found=False
        )
        if not cron_id:
            return
        self.env.cr.execute(
            SQL(
                """
                SELECT 1 FROM ir_cron_trigger
                 WHERE cron_id = %(cron)s AND call_at <= %(now)s
                   AND call_at >= COALESCE(
                       (SELECT create_date FROM ir_cron_progress
                         WHERE cron_id = %(cron)s ORDER BY id DESC LIMIT 1),
                       '-infinity'::timestamp)
                 LIMIT 1
                """,
                cron=cron_id,
                now=fields.Datetime.now(),
            )
        )
        if not self.env.cr.fetchone():
            self._trigger_processing()

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
                if (path := unstorable_text_path(payload)) is not None:
                    raise WebshopPayloadError(
                        f"The order holds a NUL character or an unpaired surrogate in {path}, "
                        "which cannot be stored as text",
                        field_name=path,
                        problem=normalize.PROBLEM_UNSTORABLE_TEXT,
                    )
                binding = self._get_superseding_binding(backend)
                if binding:
                    result = "stale"
                else:
                    binding, result = Importer._import_payload(backend, payload)
        except WebshopLockBusy:
            # Another transaction imports the same order right now: try again shortly,
            # without counting an attempt.
            self.write({"state": "queued", "next_attempt": fields.Datetime.now() + LOCK_BUSY_DELAY})
            return
        except ShopApiError as error:
            self._register_failure(str(error), transient=error.transient)
            return
        except WebshopImportError as error:
            self._register_failure(
                error.args[0],
                transient=False,
                missing=self._missing_vals(
                    error.missing_kind, error.missing_ref, error.missing_name, error.missing_details
                ),
            )
            return
        except (WebshopPayloadError, json.JSONDecodeError) as error:
            self._register_failure(
                self._payload_error_message(error, backend=self.backend_id, order=self.external_id),
                transient=False,
                missing=self._missing_vals("payload", getattr(error, "field_name", None) or ""),
            )
            return
        except (UserError, ValidationError, ValueError) as error:
            self._register_failure(
                self.env._(
                    "Odoo refused to import shop order %(order)s: %(error)s Correct what this names, then Retry.",
                    order=self.external_id or "?",
                    error=str(error.args[0] if error.args else error),
                ),
                transient=False,
                missing=self._missing_vals("odoo", self.external_id or ""),
            )
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
                **self._missing_vals(),
            }
        )

    def _get_superseding_binding(self, backend):
        """The order's binding when it already holds a newer state than this delivery announces
        (the shop triggered the delivery before the order's last imported change, as
        ``X-Shopify-Triggered-At`` says): the order is then not read again. Empty otherwise."""
        Binding = self.env["billing.webshop.order.binding"]
        if self.source != "webhook" or not self.external_id or not self.headers:
            return Binding
        triggered_at = backend._get_adapter().delivery_triggered_at(json.loads(self.headers))
        if not triggered_at:
            return Binding
        binding = Binding.search(
            [("backend_id", "=", backend.id), ("external_id", "=", self.external_id)], limit=1
        )
        if binding.external_modified_at and binding.external_modified_at > triggered_at:
            return binding
        return Binding

    def _register_failure(self, message, *, transient, missing=None):
        """Count an attempt; transient failures retry with exponential backoff up to max_attempts."""
        attempts = self.attempts + 1
        missing = missing or self._missing_vals()
        if transient and attempts < self.backend_id.max_attempts:
            delay = min(timedelta(minutes=2**attempts), timedelta(hours=6))
            self.write(
                {
                    "state": "queued",
                    "attempts": attempts,
                    "error": message,
                    "next_attempt": fields.Datetime.now() + delay,
                    **missing,
                }
            )
            return
        _logger.info("webshop event %s in error: %s", self.id, message)
        self.write(
            {"state": "error", "attempts": attempts, "error": message, "next_attempt": False, **missing}
        )

    def _summary(self):
        self.ensure_one()
        order = self.order_binding_id.sale_order_id
        return {
            "event_id": self.id,
            "state": self.state,
            "error": self.error or False,
            "missing_kind": self.missing_kind or False,
            "missing_ref": self.missing_ref or False,
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
