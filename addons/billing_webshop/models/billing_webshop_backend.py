import base64
import json
import logging
from datetime import UTC, datetime, timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError, ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..webshop.adapters import ADAPTERS, ShopApiError, parse_json_body, printable_body, storable_text
from ..webshop.normalize import PROBLEM_NOT_OBJECT, WebshopPayloadError

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "billing_webshop.group_billing_webshop_manager"
PG_MAX_INTEGER = 2**31 - 1  # the largest id PostgreSQL's integer column holds
# Headers kept with an event: what helps to understand a delivery, never a signature.
_KEPT_HEADER_PREFIXES = ("x-wc-webhook-", "webhook-", "x-shopify-", "content-type", "user-agent")
_REDACTED_HEADERS = ("x-wc-webhook-signature", "webhook-signature", "x-shopify-hmac-sha256")


def _naive_utc(stamp):
    """A shop's ISO 8601 date (``2025-03-01T10:31:00Z``, with an offset or naive UTC) as naive UTC."""
    if not stamp or not isinstance(stamp, str):
        return None
    text = stamp.strip().replace(" ", "T")
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)


class BillingWebshopBackend(models.Model):
    _name = "billing.webshop.backend"
    _description = "Webshop Backend"
    _inherit = ["mail.thread"]
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    shop_type = fields.Selection(
        [
            ("woocommerce", "WooCommerce (REST API v3)"),
            ("shopify", "Shopify (GraphQL Admin API)"),
            ("generic", "Generic signed JSON"),
        ],
        required=True,
        default="woocommerce",
        tracking=True,
    )
    base_url = fields.Char(string="Shop URL", tracking=True, help="e.g. https://shop.example.com")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    # Secrets: readable by webshop managers only, never tracked, never copied.
    api_key = fields.Char(string="API Key", copy=False, groups=MANAGER_GROUP)
    api_secret = fields.Char(string="API Secret", copy=False, groups=MANAGER_GROUP)
    webhook_secret = fields.Char(copy=False, groups=MANAGER_GROUP)
    webhook_url = fields.Char(compute="_compute_webhook_url", help="Give this address to the shop's webhook.")

    # Sales
    team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True)
    user_id = fields.Many2one("res.users", string="Salesperson", domain=[("share", "=", False)])
    pricelist_id = fields.Many2one(
        "product.pricelist",
        check_company=True,
        help="Pricelist of the imported orders; its currency must be the shop's currency.",
    )
    currency_policy = fields.Selection(
        [
            ("pricelist", "Only the pricelist's currency"),
            ("any_pricelist", "Any currency with a pricelist of this company"),
        ],
        default="pricelist",
        required=True,
        help="What to do with an order in another currency than the backend pricelist's: "
        "refuse it, or look for an active pricelist in that currency.",
    )
    shipping_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        default=lambda self: self.env.ref(
            "billing_webshop.product_webshop_shipping", raise_if_not_found=False
        ),
    )
    fee_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        default=lambda self: self.env.ref("billing_webshop.product_webshop_fee", raise_if_not_found=False),
    )
    discount_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        default=lambda self: self.env.ref(
            "billing_webshop.product_webshop_discount", raise_if_not_found=False
        ),
        help="Coupon discounts become lines of this product, one per tax combination.",
    )
    refund_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        default=lambda self: self.env.ref("billing_webshop.product_webshop_refund", raise_if_not_found=False),
        help="Partial refunds become credit notes with a line of this product.",
    )
    tax_map_ids = fields.One2many("billing.webshop.tax.map", "backend_id", string="Tax Mapping", copy=True)
    payment_method_ids = fields.One2many(
        "billing.webshop.payment.method", "backend_id", string="Payment Gateways", copy=True
    )

    # Workflow
    confirm_policy = fields.Selection(
        [("paid", "When paid"), ("always", "Always")],
        default="paid",
        required=True,
        string="Confirm Orders",
    )
    invoice_on_confirm = fields.Boolean(
        default=True, help="Create and post the invoice when the order is confirmed."
    )
    register_payment = fields.Boolean(
        default=True, help="Register the shop payment on the invoice, in the journal of the gateway."
    )
    send_confirmation = fields.Boolean(
        string="Send Order Confirmation",
        help="E-mail Odoo's order confirmation to the customer when an imported order is confirmed "
        "(the shop usually sends its own).",
    )
    total_tolerance = fields.Monetary(
        currency_field="currency_id",
        default=0.02,
        help="Largest difference between the shop's total and Odoo's that is absorbed in the "
        "invoice's tax amounts. A larger difference puts the event in error.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")

    # Polling
    poll_enabled = fields.Boolean(string="Poll Orders", default=True)
    poll_cursor = fields.Datetime(copy=False, help="Modification date (UTC) of the last order read.")
    poll_overlap_minutes = fields.Integer(default=10, required=True)
    max_attempts = fields.Integer(default=5, required=True, help="Attempts before an event goes to error.")

    # Push (products, prices, stock from Odoo to the shop)
    push_enabled = fields.Boolean(
        string="Push Products",
        help="Every 10 minutes, send name, description, SKU, price and stock of the bound products "
        "that changed in Odoo to the shop. Off: nothing is sent to the shop.",
    )
    push_stock = fields.Boolean(
        default=True,
        help="Push the free quantity (on hand minus reserved) of the stock location, never a figure "
        "the shop changed since it was last read.",
    )
    stock_location_id = fields.Many2one(
        "stock.location",
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        help="Location whose free quantity is the shop's stock (with its sublocations); all "
        "internal locations of the company when empty.",
    )
    push_price_include_tax = fields.Boolean(
        string="Shop Prices Include Tax",
        help="The shop's prices are entered with tax: push the price with the product's sales taxes.",
    )
    product_binding_ids = fields.One2many("billing.webshop.product.binding", "backend_id")
    product_conflict_count = fields.Integer(compute="_compute_product_conflict_count")

    event_ids = fields.One2many("billing.webshop.event", "backend_id")
    event_error_count = fields.Integer(compute="_compute_event_error_count")
    order_binding_ids = fields.One2many("billing.webshop.order.binding", "backend_id")

    _sql_constraints = [
        (
            "total_tolerance_positive",
            "CHECK(total_tolerance >= 0)",
            "The totals tolerance cannot be negative.",
        ),
    ]

    @api.depends("shop_type")
    def _compute_webhook_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for backend in self:
            backend.webhook_url = f"{base}/billing_webshop/webhook/{backend.id}" if backend.id else False

    def _compute_event_error_count(self):
        counts = dict(
            self.env["billing.webshop.event"]._read_group(
                [("backend_id", "in", self.ids), ("state", "=", "error")], ["backend_id"], ["__count"]
            )
        )
        for backend in self:
            backend.event_error_count = counts.get(backend, 0)

    def _compute_product_conflict_count(self):
        counts = dict(
            self.env["billing.webshop.product.binding"]._read_group(
                [("backend_id", "in", self.ids), ("push_state", "in", ("conflict", "error"))],
                ["backend_id"],
                ["__count"],
            )
        )
        for backend in self:
            backend.product_conflict_count = counts.get(backend, 0)

    @api.constrains("currency_policy", "pricelist_id")
    def _check_pricelist(self):
        for backend in self:
            if backend.currency_policy == "pricelist" and not backend.pricelist_id:
                raise ValidationError(
                    self.env._("Webshop %(name)s needs a pricelist to accept orders.", name=backend.name)
                )

    @api.model
    def _default_pricelist(self, company):
        return self.env["product.pricelist"].search(
            [("company_id", "in", (company.id, False)), ("currency_id", "=", company.currency_id.id)], limit=1
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("pricelist_id"):
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["pricelist_id"] = self._default_pricelist(company).id
        return super().create(vals_list)

    # -- adapter ------------------------------------------------------------------------------------

    def _get_mapped_tax(self, rate_id, percent, country, price_include):
        """The Odoo tax of a shop tax rate: the most specific matching mapping's, or no tax."""
        self.ensure_one()
        mappings = self.tax_map_ids.filtered(
            lambda mapping: mapping._matches(rate_id, percent, country, price_include)
        )
        if not mappings:
            return self.env["account.tax"]
        return max(mappings, key=lambda mapping: mapping._specificity()).tax_id

    def _get_adapter(self, **options):
        """The shop adapter of this backend, holding its credentials (read as superuser)."""
        self.ensure_one()
        backend = self.sudo()
        options = {**self._get_adapter_options(), **options}
        return ADAPTERS[backend.shop_type](backend.base_url, backend.api_key, backend.api_secret, **options)

    def _get_adapter_options(self):
        """Shop-type specific arguments of the adapter (see billing_webshop_backend_shopify.py)."""
        return {}

    # -- webhooks -----------------------------------------------------------------------------------

    @api.model
    def _get_webhook_backend(self, backend_id):
        """The active backend a webhook address names, as superuser; empty when it is missing or
        archived. One query reads it with every column the intake uses (shop type, credentials,
        secrets, company), where ``browse().exists()`` and the first field read take two."""
        Backend = self.sudo()
        if not 0 < backend_id <= PG_MAX_INTEGER:  # the address takes any number of digits
            return Backend.browse()
        columns = [name for name, field in Backend._fields.items() if field.prefetch is True]
        return Backend.search_fetch([("id", "=", backend_id)], columns, limit=1)

    def _verify_webhook(self, adapter, headers, raw_body):
        """Whether a delivery carries the shop's signature of ``raw_body``; never without a secret."""
        self.ensure_one()
        secret = self.sudo().webhook_secret
        return bool(secret) and adapter.verify_webhook(secret, headers, raw_body)

    @api.model
    def _redact_headers(self, headers):
        kept = {}
        for name, value in headers.items():
            lowered = name.lower()
            if lowered.startswith(_KEPT_HEADER_PREFIXES):
                kept[name] = "(redacted)" if lowered in _REDACTED_HEADERS else value
        return kept

    def _receive_webhook(self, headers, raw_body, adapter=None):
        """Store a verified delivery as an event and wake the import cron; return the event.

        The caller has checked the signature (with ``adapter``, this backend's, built again when
        not given). The same content delivered twice (WooCommerce delivers an order.created 10 to
        15 times, woocommerce#28329) is stored once. An authentic delivery is never lost: a body
        that cannot be read as an order is kept as received, in error with the reason, and so is
        one whose storing failed for any other reason (the insert runs in a savepoint). Returns
        no event only when a concurrent transaction stored the same delivery first.
        """
        self.ensure_one()
        adapter = adapter or self._get_adapter()
        raw_body = bytes(raw_body)
        key = adapter.delivery_key(headers, raw_body)
        # In the backend's company: creating then needs no read of the (public) user's company.
        Event = self.env["billing.webshop.event"].with_company(self.company_id)
        # The unique index on (backend, key) stores a delivery once: the insert does nothing for
        # a delivery stored before, which the same statement reads. A concurrent delivery of the same content
        # that commits first is not visible to this transaction's snapshot; the insert waits for
        # it and fails (a serialisation failure under Odoo's isolation), and that one is the
        # delivery stored.
        try:
            with self.env.cr.savepoint():
                event, created = Event._insert_delivery(
                    self._prepare_webhook_event_vals(adapter, headers, raw_body, key)
                )
        except (pg_errors.UniqueViolation, pg_errors.SerializationFailure):
            # Committed by a concurrent request after this transaction's snapshot was taken.
            return Event.browse()
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise  # Odoo runs the whole request again
        except Exception as error:  # whatever failed, the authentic delivery is kept
            _logger.warning(
                "webshop %s: storing a verified delivery failed; it is kept as received",
                self.id,
                exc_info=True,
            )
            reason = self.env._(
                "Storing this delivery failed (%(error)s); it is kept as received, and Retry reads it again.",
                error=storable_text(f"{type(error).__name__}: {error}")[:500],
            )
            with self.env.cr.savepoint():
                event, created = Event._insert_delivery(
                    self._prepare_webhook_raw_vals(headers, raw_body, key, reason)
                )
        if created and event.state == "queued":
            Event._trigger_processing_unless_due()
        return event

    def _prepare_webhook_event_vals(self, adapter, headers, raw_body, key):
        """The values of the event of a verified delivery: the order, or the raw body in error."""
        return {
            **self._prepare_webhook_delivery_vals(adapter, headers, key),
            **self._read_webhook_body(raw_body, adapter),
        }

    def _prepare_webhook_raw_vals(self, headers, raw_body, key, reason):
        """The values of an event that keeps a delivery exactly as received, in error."""
        delivery = self._prepare_webhook_delivery_vals(self._get_adapter(), headers, key)
        return {**delivery, **self._prepare_raw_body_vals(raw_body, reason)}

    def _prepare_webhook_delivery_vals(self, adapter, headers, key):
        """What is kept of a delivery's request besides its body, as text PostgreSQL can store."""
        self.ensure_one()
        return {
            "backend_id": self.id,
            "source": "webhook",
            "topic": storable_text(adapter.webhook_topic(headers))[:64],
            "delivery_key": key,
            # ensure_ascii: NUL or any other character a header may carry is stored escaped.
            "headers": json.dumps(self._redact_headers(headers), sort_keys=True),
        }

    @api.model
    def _prepare_raw_body_vals(self, raw_body, reason):
        """An event in error keeping ``raw_body`` byte for byte, with a printable copy."""
        return {
            "state": "error",
            "error": storable_text(reason),
            "attempts": 1,
            "payload": printable_body(raw_body),
            "raw_body": base64.b64encode(bytes(raw_body)) or False,
        }

    def _read_webhook_body(self, raw_body, adapter=None):
        """Read a verified body as an order: the event values for it, queued or in error.

        A body that cannot be read (not UTF-8, a NUL byte, not a JSON object, a string that
        cannot be stored as text, no order id) is kept byte for byte in ``raw_body``, with the
        reason in ``error`` and a printable copy in ``payload``.
        """
        self.ensure_one()
        try:
            payload = parse_json_body(raw_body)
            return {
                "external_id": (adapter or self._get_adapter()).order_external_id(payload),
                "payload": json.dumps(payload, ensure_ascii=False),
                "state": "queued",
                "error": False,
            }
        except ValueError as error:
            Event = self.env["billing.webshop.event"]
            return {
                **self._prepare_raw_body_vals(raw_body, Event._payload_error_message(error, backend=self)),
                **Event._missing_vals("payload", getattr(error, "field_name", None) or ""),
            }

    # -- RPC ----------------------------------------------------------------------------------------

    def import_order(self, payload):
        """Import one shop order given as its JSON (a dict or a string); return what came of it.

        Public on purpose (the XML-RPC API): it stores the order as a ``manual`` event and
        processes it at once, exactly like a webhook delivery. Webshop managers only.
        """
        ensure_records(self, single=True)
        self.check_access("write")
        if not self.env.user.has_group(MANAGER_GROUP):
            raise UserError(self.env._("Only webshop managers can import orders."))
        Event = self.env["billing.webshop.event"]
        try:
            if isinstance(payload, str):
                # surrogatepass: an unpaired surrogate is refused by parse_json_body, not by encode.
                payload = parse_json_body(payload.encode("utf-8", "surrogatepass"))
            if not isinstance(payload, dict):
                raise WebshopPayloadError(
                    "The order is not a JSON object", problem=PROBLEM_NOT_OBJECT, value=repr(payload)[:60]
                )
            event = Event._create_from_payload(self, payload, source="manual")
        except WebshopPayloadError as error:
            raise UserError(
                self.env._(
                    "The order cannot be imported: %(reason)s",
                    reason=Event._payload_error_message(error, backend=self, rpc=True),
                )
            ) from None
        if event.state in ("received", "queued", "error"):
            event._process()
        return event._summary()

    def action_sync_now(self):
        """Poll the shop for changed orders and process what came in."""
        ensure_records(self, single=True)
        self.check_access("write")
        created = self._poll_orders(self.poll_cursor)
        self.env["billing.webshop.event"]._trigger_processing()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(count)s orders read from the shop.", count=len(created)),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_push_products(self):
        """Push every product of this shop that changed since the last push."""
        ensure_records(self, single=True)
        self.check_access("write")
        bindings = self.product_binding_ids.filtered("need_push")
        if not bindings:
            raise UserError(
                self.env._("No product of %(backend)s changed since the last push.", backend=self.name)
            )
        return bindings.action_push_now()

    def action_view_product_bindings(self):
        ensure_records(self, single=True)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "billing_webshop.billing_webshop_product_binding_action"
        )
        action["domain"] = [("backend_id", "=", self.id)]
        action["context"] = {"search_default_filter_attention": 1, "default_backend_id": self.id}
        return action

    def action_view_events(self):
        ensure_records(self, single=True)
        action = self.env["ir.actions.act_window"]._for_xml_id("billing_webshop.billing_webshop_event_action")
        action["domain"] = [("backend_id", "=", self.id)]
        action["context"] = {"search_default_filter_error": 1}
        return action

    # -- polling ------------------------------------------------------------------------------------

    def _poll_orders(self, since, *, move_cursor=True):
        """Read the orders changed since ``since`` (minus the overlap) into queued events.

        The cursor moves to the newest modification date read. Events already queued or done
        for the same order and modification date are not duplicated; the digest makes
        re-importing an unchanged order a no-op anyway.
        """
        self.ensure_one()
        adapter = self._get_adapter()
        if not adapter.supports_polling:
            return self.env["billing.webshop.event"]
        overlap = timedelta(minutes=self.poll_overlap_minutes)
        start = (since - overlap) if since else fields.Datetime.now() - timedelta(days=2)
        Event = self.env["billing.webshop.event"]
        created = Event
        newest = self.poll_cursor
        for payload in adapter.iter_orders_modified_since(start):
            stamp = adapter.order_modified_at(payload)
            modified = _naive_utc(stamp)
            if modified and (not newest or modified > newest):
                newest = modified
            created |= Event._create_from_payload(
                self,
                payload,
                source="poll",
                delivery_key=f"poll:{adapter.order_external_id(payload)}:{stamp}",
            )
        if move_cursor and newest:
            self.poll_cursor = newest
        return created

    @api.model
    def _cron_poll_orders(self, reconcile=False):
        """Poll every active backend; ``reconcile`` re-reads the last two days."""
        backends = self.search([("poll_enabled", "=", True)])
        for backend in backends:
            since = fields.Datetime.now() - timedelta(days=2) if reconcile else backend.poll_cursor
            try:
                with self.env.cr.savepoint():
                    if reconcile:
                        backend._reconcile_orders(since)
                    else:
                        backend._poll_orders(since)
            except ShopApiError as error:
                _logger.warning("webshop %s: polling failed: %s", backend.name, error)
                backend.message_post(body=self.env._("Polling failed: %(error)s", error=str(error)))
        self.env["billing.webshop.event"]._trigger_processing()

    def _reconcile_orders(self, since):
        """Re-read the orders changed since ``since`` without moving the cursor (daily)."""
        self.ensure_one()
        return self._poll_orders(since, move_cursor=False)
