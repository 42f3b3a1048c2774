"""The Shopify side of a webshop backend: API version, credentials and token, webhooks, bulk
reconciliation. Orders go through the same events and importer as WooCommerce's."""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError, ValidationError

from ..webshop.adapters import ShopApiError
from ..webshop.shopify import WEBHOOK_TOPICS
from ..webshop.shopify_client import DEFAULT_API_VERSION
from .billing_webshop_backend import MANAGER_GROUP

_logger = logging.getLogger(__name__)

ORDER_TOPICS = frozenset({"orders/create", "orders/updated", "orders/cancelled", "refunds/create"})


class BillingWebshopBackend(models.Model):
    _inherit = "billing.webshop.backend"

    shopify_api_version = fields.Char(
        string="Shopify API Version",
        default=DEFAULT_API_VERSION,
        help="The quarterly GraphQL Admin API version all calls are pinned to (e.g. 2025-10). Each "
        "version is supported for at least 12 months: move on before it lapses.",
    )
    shopify_auth = fields.Selection(
        [
            ("client_credentials", "App client credentials (Dev Dashboard app)"),
            ("token", "Admin API access token (legacy custom app)"),
        ],
        string="Shopify Authentication",
        default="client_credentials",
        help="Client credentials: the API Key is the app's client id and the API Secret its client "
        "secret; Odoo gets an access token and refreshes it before it expires. Access token: "
        "the token of a custom app, which does not expire.",
    )
    shopify_access_token = fields.Char(string="Shopify Access Token", copy=False, groups=MANAGER_GROUP)
    shopify_token_expires_at = fields.Datetime(
        string="Token Expires At", copy=False, readonly=True, groups=MANAGER_GROUP
    )
    webhook_secret_previous = fields.Char(
        string="Previous Webhook Secret",
        copy=False,
        groups=MANAGER_GROUP,
        help="While the app's client secret is rotated, Shopify signs with the old one for up to an "
        "hour: deliveries signed with this one are accepted too. Empty it when the rotation is done.",
    )
    shopify_money = fields.Selection(
        [("shop", "Shop currency (shop money)"), ("presentment", "Customer's currency (presentment money)")],
        string="Shopify Amounts In",
        default="shop",
        help="Shopify gives every amount in the shop's currency and in the currency the customer "
        "paid in. Shop currency: orders are imported in the shop's currency, whatever the "
        "customer saw. Customer's currency: in that currency, which then needs a pricelist in "
        "it (see Currency Policy).",
    )
    shopify_location_id = fields.Char(
        string="Shopify Location",
        help="The GID of the location whose available quantity is the pushed stock, "
        "e.g. gid://shopify/Location/123.",
    )

    @api.constrains("shop_type", "shopify_api_version")
    def _check_shopify_api_version(self):
        for backend in self.filtered(lambda backend: backend.shop_type == "shopify"):
            version = backend.shopify_api_version or ""
            if not (len(version) == 7 and version[4] == "-" and version.replace("-", "").isdigit()):
                raise ValidationError(
                    self.env._(
                        "The Shopify API version of %(name)s must read like 2025-10, not %(version)s.",
                        name=backend.name,
                        version=version or "-",
                    )
                )

    def _get_adapter_options(self):
        options = super()._get_adapter_options()
        if self.shop_type != "shopify":
            return options
        backend = self.sudo()
        client_credentials = backend.shopify_auth == "client_credentials"
        return {
            **options,
            "api_version": backend.shopify_api_version or DEFAULT_API_VERSION,
            "access_token": backend.shopify_access_token or "",
            "token_expires_at": backend.shopify_token_expires_at if client_credentials else None,
            "money": backend.shopify_money or "shop",
            "location_id": backend.shopify_location_id or "",
            "on_token": backend._store_shopify_token if client_credentials else None,
        }

    def _get_adapter(self, **options):
        adapter = super()._get_adapter(**options)
        if self.shop_type == "shopify" and self.sudo().shopify_auth != "client_credentials":
            # A fixed token: the API key and secret are not client credentials to exchange.
            adapter.client.client_id = adapter.client.client_secret = ""
        return adapter

    def _store_shopify_token(self, token, expires_at):
        """Keep a refreshed token (never logged, never tracked) for the next calls."""
        self.sudo().write({"shopify_access_token": token, "shopify_token_expires_at": expires_at})

    # -- webhooks -----------------------------------------------------------------------------------

    def _verify_webhook(self, adapter, headers, raw_body):
        """Shopify: the current client secret, then the previous one during a rotation."""
        if self.shop_type != "shopify":
            return super()._verify_webhook(adapter, headers, raw_body)
        backend = self.sudo()
        secrets = [secret for secret in (backend.webhook_secret, backend.webhook_secret_previous) if secret]
        return bool(backend.webhook_secret) and adapter.verify_webhook(secrets, headers, raw_body)

    def _prepare_webhook_event_vals(self, adapter, headers, raw_body, key):
        """A Shopify delivery of another topic than an order's is kept, not imported."""
        if self.shop_type != "shopify":
            return super()._prepare_webhook_event_vals(adapter, headers, raw_body, key)
        topic = adapter.webhook_topic(headers).strip().lower()
        if topic in ORDER_TOPICS:
            return super()._prepare_webhook_event_vals(adapter, headers, raw_body, key)
        values = self._prepare_webhook_delivery_vals(adapter, headers, key)
        body = self._read_webhook_body(raw_body, adapter)
        return {
            **values,
            "payload": body.get("payload") or bytes(raw_body).decode("utf-8", "backslashreplace"),
            "state": "done" if adapter.is_uninstall(headers) else "ignored",
            "result": "app uninstalled: webshop archived"
            if adapter.is_uninstall(headers)
            else "not an order",
            "processed_at": fields.Datetime.now(),
        }

    def _receive_webhook(self, headers, raw_body, adapter=None):
        adapter = adapter or self._get_adapter()
        event = super()._receive_webhook(headers, raw_body, adapter)
        if event and adapter.is_uninstall(headers) and self.active:
            self._disable_after_uninstall()
        return event

    def _disable_after_uninstall(self):
        """The shop removed the app: its token is dead. Archive the webshop and say why."""
        self.ensure_one()
        self.sudo().write(
            {"active": False, "poll_enabled": False, "push_enabled": False, "shopify_access_token": False}
        )
        self.message_post(
            body=self.env._(
                "Shopify reported that the app was uninstalled from the shop: the webshop is archived, "
                "polling and push are off. Install the app again, then unarchive the webshop and "
                "register its webhooks."
            )
        )

    def action_register_webhooks(self):
        """Subscribe this webshop's webhook address to the order, refund and uninstall topics."""
        ensure_records(self, single=True)
        self.check_access("write")
        if self.shop_type != "shopify":
            raise UserError(
                self.env._(
                    "Webshop %(name)s is not a Shopify shop: register its webhooks in the shop.",
                    name=self.name,
                )
            )
        try:
            results = self._get_adapter().register_webhooks(self.webhook_url, WEBHOOK_TOPICS)
        except ShopApiError as error:
            raise UserError(
                self.env._("Shopify refused the webhook subscriptions: %(error)s", error=str(error))
            ) from None
        failed = {topic: error for topic, error in results.items() if error}
        if failed:
            raise UserError(
                self.env._(
                    "Shopify refused the webhook subscriptions of %(topics)s: %(errors)s",
                    topics=", ".join(failed),
                    errors="; ".join(failed.values()),
                )
            )
        self.message_post(
            body=self.env._(
                "Webhooks registered at %(url)s: %(topics)s", url=self.webhook_url, topics=", ".join(results)
            )
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(count)s webhook topics registered.", count=len(results)),
            },
        }

    # -- reconciliation -----------------------------------------------------------------------------

    def _reconcile_orders(self, since):
        """Shopify: a bulk operation lists the orders changed since ``since``; each is queued."""
        if self.shop_type != "shopify":
            return super()._reconcile_orders(since)
        self.ensure_one()
        adapter = self._get_adapter()
        Event = self.env["billing.webshop.event"]
        created = Event
        for row in adapter.bulk_orders_since(since - timedelta(minutes=self.poll_overlap_minutes)):
            created |= Event._create_from_payload(
                self,
                {"id": row["id"], "updatedAt": row.get("updatedAt")},
                source="poll",
                delivery_key=f"poll:{row['id']}:{row.get('updatedAt')}",
            )
        _logger.info("webshop %s: bulk reconciliation queued %s orders", self.id, len(created))
        return created

    @api.model
    def _cron_register_webhooks(self):
        """Shopify deletes subscriptions after repeated failed deliveries: subscribe again daily
        (an existing subscription is left as it is)."""
        for backend in self.search([("shop_type", "=", "shopify")]):
            try:
                failed = {
                    topic: error
                    for topic, error in backend._get_adapter().register_webhooks(backend.webhook_url).items()
                    if error
                }
            except ShopApiError as error:
                failed = {"*": str(error)}
            if failed:
                _logger.info("webshop %s: webhook subscriptions refused: %s", backend.id, failed)
                backend.message_post(
                    body=self.env._(
                        "Shopify refused the webhook subscriptions of %(topics)s: %(errors)s",
                        topics=", ".join(failed),
                        errors="; ".join(failed.values()),
                    )
                )
