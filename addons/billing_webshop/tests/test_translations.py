from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestWebshopTranslations(TransactionCase):
    def test_menu_and_field_in_romanian(self):
        self.env["res.lang"]._activate_lang("ro_RO")
        self.env["ir.module.module"]._load_module_terms(["billing_webshop"], ["ro_RO"], overwrite=True)
        menu = self.env.ref("billing_webshop.billing_webshop_menu_root").with_context(lang="ro_RO")
        self.assertEqual(menu.name, "Magazin online")
        fields = self.env["billing.webshop.backend"].with_context(lang="ro_RO").fields_get(["shop_type"])
        self.assertEqual(fields["shop_type"]["string"], "Tip magazin")
