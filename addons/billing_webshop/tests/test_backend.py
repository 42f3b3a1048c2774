from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestWebshopBackend(TransactionCase):
    def test_secrets_hidden_from_salesmen_and_never_copied(self):
        backend = self.env["billing.webshop.backend"].create(
            {"name": "Shop", "base_url": "http://127.0.0.1:9", "webhook_secret": "s3cret"}
        )
        salesman = new_test_user(self.env, "webshop_salesman", groups="sales_team.group_sale_salesman")
        self.assertEqual(backend.with_user(salesman).name, "Shop")
        with self.assertRaises(AccessError):
            backend.with_user(salesman).webhook_secret  # noqa: B018
        self.assertFalse(backend.copy().webhook_secret)
