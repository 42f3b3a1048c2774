import base64
import time
from datetime import UTC, datetime, timedelta

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL, file_open

from ..webshop.adapters import GenericAdapter
from .common import WebshopCommon


@tagged("post_install", "-at_install")
class TestWebshopBackend(WebshopCommon):
    def test_secrets_hidden_from_salesmen_and_never_copied(self):
        backend = self.env["billing.webshop.backend"].create(
            {"name": "Shop", "base_url": "http://127.0.0.1:9", "webhook_secret": "s3cret", "api_secret": "cs"}
        )
        salesman = new_test_user(self.env, "webshop_salesman", groups="sales_team.group_sale_salesman")
        self.assertEqual(backend.with_user(salesman).name, "Shop")
        with self.assertRaises(AccessError):
            backend.with_user(salesman).webhook_secret  # noqa: B018
        with self.assertRaises(AccessError):
            backend.with_user(salesman).api_secret  # noqa: B018
        copied = backend.copy()
        self.assertFalse(copied.webhook_secret or copied.api_secret or copied.api_key)
        self.assertNotIn("s3cret", repr(backend._get_adapter()))
        self.assertFalse(backend.message_ids.filtered(lambda message: "s3cret" in (message.body or "")))
        self.assertTrue(backend.pricelist_id)

    def test_only_managers_import_over_rpc(self):
        salesman = new_test_user(self.env, "webshop_salesman2", groups="sales_team.group_sale_salesman")
        with self.assertRaises(AccessError):
            self.backend.with_user(salesman).import_order(self.fixture("woo_order_tax_excluded"))

    def test_neutralize_disables_backends(self):
        with file_open("billing_webshop/data/neutralize.sql") as neutralize:
            self.env.cr.execute(SQL(neutralize.read()))  # pylint: disable=sql-injection
        self.backend.invalidate_recordset()
        self.assertFalse(self.backend.active)
        self.assertFalse(self.backend.poll_enabled)

    def test_generic_signed_json_adapter(self):
        secret = "whsec_" + base64.b64encode(b"generic-secret-key").decode()
        body = b'{"id": 1}'
        now = datetime.now(UTC).replace(tzinfo=None)
        timestamp = str(int(time.time()))
        headers = {
            "webhook-id": "msg_1",
            "webhook-timestamp": timestamp,
            "webhook-signature": GenericAdapter.sign(secret, "msg_1", timestamp, body),
        }
        adapter = GenericAdapter()
        self.assertTrue(adapter.verify_webhook(secret, headers, body, now=now))
        self.assertFalse(
            adapter.verify_webhook("whsec_" + base64.b64encode(b"other").decode(), headers, body, now=now)
        )
        self.assertFalse(adapter.verify_webhook(secret, headers, b'{"id": 2}', now=now))
        self.assertFalse(adapter.verify_webhook(secret, headers, body, now=now + timedelta(minutes=6)))
        self.assertFalse(adapter.verify_webhook("", headers, body, now=now))
        self.assertEqual(adapter.delivery_key(headers, body), "generic:msg_1")


@tagged("post_install", "-at_install")
class TestMultiCompany(WebshopCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_data_2 = cls.setup_other_company(name="Winkel BV Twee")
        cls.company_2 = cls.company_data_2["company"]
        cls._sale_tax("BTW 21% (2)", 21.0, company=cls.company_2)
        cls._sale_tax("BTW 9% (2)", 9.0, company=cls.company_2)
        pricelist_2 = cls.env["product.pricelist"].create(
            {"name": "Webshop 2", "currency_id": cls.company_2.currency_id.id, "company_id": cls.company_2.id}
        )
        cls.backend_2 = cls._create_backend(
            cls.company_2, pricelist_2, cls.company_data_2["default_journal_bank"]
        )

    def test_same_shop_order_in_two_companies(self):
        order_1 = self.assertImported(self.import_payload(self.fixture("woo_order_tax_excluded")))
        order_2 = self.assertImported(
            self.import_payload(
                self.fixture("woo_order_tax_excluded"), backend=self.backend_2.with_company(self.company_2)
            )
        )
        self.assertNotEqual(order_1, order_2)
        self.assertEqual(order_1.company_id, self.company)
        self.assertEqual(order_2.company_id, self.company_2)
        self.assertEqual(order_2.invoice_ids.company_id, self.company_2)
        self.assertEqual(order_2.invoice_ids.amount_total, 52.43)
        self.assertEqual(self.binding_of(4711, self.backend_2).company_id, self.company_2)

    def test_record_rules_hide_the_other_company(self):
        self.import_payload(
            self.fixture("woo_order_tax_excluded"), backend=self.backend_2.with_company(self.company_2)
        )
        user = new_test_user(
            self.env,
            "webshop_company_1",
            groups="billing_webshop.group_billing_webshop_manager",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        Event = self.env["billing.webshop.event"].with_user(user)
        self.assertFalse(Event.search([("backend_id", "=", self.backend_2.id)]))
        self.assertFalse(
            self.env["billing.webshop.backend"].with_user(user).search([("id", "=", self.backend_2.id)])
        )
        self.assertFalse(
            self.env["billing.webshop.order.binding"]
            .with_user(user)
            .search([("backend_id", "=", self.backend_2.id)])
        )
