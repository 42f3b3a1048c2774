import copy
import json

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tools import file_open

from .shopify_emulator import ShopifyEmulator

WEBHOOK_SECRET = "whsec_shop_test"

# SKU → (name, shop tax rate id) of the products in the fixture orders.
FIXTURE_PRODUCTS = {
    "MUG-DB": "Koffiemok Delfts Blauw",
    "STRP-8": "Stroopwafels 8 stuks",
    "KS-RVS": "Kaasschaaf RVS",
    "DROP-500": "Drop mix 500 g",
    "PLAID-OKER": "Plaid Wafelkatoen - Oker",
    "BEL-KL": "Fietsbel Klassiek",
    "KAART-NL": "Fietskaart Nederland",
    "TD-MOLEN": "Theedoek Molen",
    "HAGEL-400": "Hagelslag puur 400 g",
}


def load_fixture(name):
    with file_open(f"billing_webshop/tests/fixtures/{name}.json") as fixture:
        return json.load(fixture)


class WebshopCommon(AccountTestInvoicingCommon):
    """A Dutch company (EUR) with 21 % and 9 % VAT, the fixture products and a WooCommerce backend."""

    country_code = "NL"
    chart_template = "generic_coa"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id |= cls.env.ref("billing_webshop.group_billing_webshop_manager")
        cls.company = cls.company_data["company"]
        cls.eur = cls.company.currency_id
        cls.nl = cls.env.ref("base.nl")
        cls.tax_21 = cls._sale_tax("BTW 21%", 21.0)
        cls.tax_9 = cls._sale_tax("BTW 9%", 9.0, group_name="BTW laag")
        cls.tax_21_incl = cls._sale_tax("BTW 21% incl.", 21.0, included=True)
        cls.tax_9_incl = cls._sale_tax("BTW 9% incl.", 9.0, included=True, group=cls.tax_9.tax_group_id)
        cls.products = {
            sku: cls._create_product(
                name=name, default_code=sku, type="consu", invoice_policy="order", taxes_id=[Command.clear()]
            )
            for sku, name in FIXTURE_PRODUCTS.items()
        }
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.pricelist = cls.env["product.pricelist"].create(
            {"name": "Webshop EUR", "currency_id": cls.eur.id, "company_id": cls.company.id}
        )
        cls.backend = cls._create_backend(cls.company, cls.pricelist, cls.bank_journal)

    @classmethod
    def _sale_tax(cls, name, amount, included=False, group=None, group_name=None, company=None):
        company = company or cls.company
        if group is None and group_name:
            group = cls.env["account.tax.group"].create({"name": group_name, "company_id": company.id})
        values = {
            "name": name,
            "amount": amount,
            "amount_type": "percent",
            "type_tax_use": "sale",
            "company_id": company.id,
            "price_include_override": "tax_included" if included else "tax_excluded",
        }
        if group:
            values["tax_group_id"] = group.id
        return cls.env["account.tax"].create(values)

    @classmethod
    def _create_backend(cls, company, pricelist, journal, **values):
        taxes = cls.env["account.tax"].search(
            [("company_id", "=", company.id), ("type_tax_use", "=", "sale")]
        )

        def tax(amount, included):
            return taxes.filtered(lambda t: t.amount == amount and t.price_include == included)[:1]

        tax_maps = [
            Command.create({"external_rate_id": "1", "rate": 21.0, "tax_id": tax(21.0, False).id}),
            Command.create({"external_rate_id": "2", "rate": 9.0, "tax_id": tax(9.0, False).id}),
            Command.create(
                {"external_rate_id": "1", "rate": 21.0, "price_include": True, "tax_id": tax(21.0, True).id}
            ),
            Command.create(
                {"external_rate_id": "2", "rate": 9.0, "price_include": True, "tax_id": tax(9.0, True).id}
            ),
        ]
        gateways = [
            Command.create({"code": code, "journal_id": journal.id})
            for code in ("mollie_wc_gateway_ideal", "stripe")
        ] + [Command.create({"code": "bacs", "journal_id": journal.id})]
        return cls.env["billing.webshop.backend"].create(
            {
                "name": f"Winkel {company.name}",
                "company_id": company.id,
                "base_url": "http://127.0.0.1:9",
                "api_key": "ck_test",
                "api_secret": "cs_test",
                "webhook_secret": WEBHOOK_SECRET,
                "pricelist_id": pricelist.id,
                "tax_map_ids": [tm for tm in tax_maps if tm[2]["tax_id"]],
                "payment_method_ids": gateways,
                "poll_enabled": False,
                **values,
            }
        )

    # -- helpers --------------------------------------------------------------------------------

    def fixture(self, name, **changes):
        payload = copy.deepcopy(load_fixture(name))
        payload.update(changes)
        return payload

    def import_payload(self, payload, backend=None):
        """Import like the RPC API does; return the event."""
        summary = (backend or self.backend).import_order(payload)
        return self.env["billing.webshop.event"].browse(summary["event_id"])

    def binding_of(self, external_id, backend=None):
        return self.env["billing.webshop.order.binding"].search(
            [("backend_id", "=", (backend or self.backend).id), ("external_id", "=", str(external_id))]
        )

    def assertImported(self, event, msg=None):
        self.assertEqual(event.state, "done", msg or event.error)
        return event.order_binding_id.sale_order_id


CLIENT_ID = "shopify-client-id"
CLIENT_SECRET = "shopify-client-secret"
LOCATION = "gid://shopify/Location/1"
VAT_21 = [("BTW", 0.21, "21.00")]


class ShopifyCommon(WebshopCommon):
    """A Shopify backend of the Dutch company, talking to a local emulator."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = ShopifyEmulator(CLIENT_ID, CLIENT_SECRET)
        cls.shop.start()
        cls.addClassCleanup(cls.shop.stop)
        cls.shopify = cls._create_shopify_backend(cls.company, cls.pricelist, cls.bank_journal)
        cls.variants = {
            sku: cls.shop.add_variant(sku, available=10) for sku in ("MUG-DB", "STRP-8", "KS-RVS")
        }

    @classmethod
    def _create_shopify_backend(cls, company, pricelist, journal, **values):
        taxes = cls.env["account.tax"].search(
            [("company_id", "=", company.id), ("type_tax_use", "=", "sale")]
        )
        if company == cls.company:
            taxes = cls.tax_21 | cls.tax_9 | cls.tax_21_incl | cls.tax_9_incl

        def tax(amount, included):
            return taxes.filtered(lambda t: t.amount == amount and t.price_include == included)[:1]

        return cls.env["billing.webshop.backend"].create(
            {
                "name": f"Shopify {company.name}",
                "shop_type": "shopify",
                "company_id": company.id,
                "base_url": cls.shop.base_url,
                "api_key": CLIENT_ID,
                "api_secret": CLIENT_SECRET,
                "webhook_secret": CLIENT_SECRET,
                "pricelist_id": pricelist.id,
                "poll_enabled": False,
                "shopify_location_id": LOCATION,
                "tax_map_ids": [
                    Command.create(
                        {"rate": rate, "price_include": included, "tax_id": tax(rate, included).id}
                    )
                    for rate in (21.0, 9.0)
                    for included in (False, True)
                    if tax(rate, included)
                ],
                "payment_method_ids": [
                    Command.create({"code": code, "journal_id": journal.id})
                    for code in ("shopify_payments", "gift_card")
                ],
                **values,
            }
        )

    def add_order(self, lines=None, **options):
        lines = lines or [("MUG-DB", self.variants["MUG-DB"]["id"], 2, "50.00", VAT_21, 0)]
        return self.shop.add_order(lines, **options)

    def import_gid(self, gid, backend=None):
        """Import an order as polling would (a reference the importer reads again)."""
        return self.import_payload(
            {"id": gid, "updatedAt": self.shop.orders[gid]["updatedAt"]}, backend or self.shopify
        )
