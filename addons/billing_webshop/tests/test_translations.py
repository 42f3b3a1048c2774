from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestWebshopTranslations(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_BE")
        cls.env["ir.module.module"]._load_module_terms(["billing_webshop"], ["fr_BE"], overwrite=True)

    def test_menu_and_field_in_belgian_french(self):
        menu = self.env.ref("billing_webshop.billing_webshop_menu_root").with_context(lang="fr_BE")
        self.assertEqual(menu.name, "Boutique en ligne")
        fields = self.env["billing.webshop.backend"].with_context(lang="fr_BE").fields_get(["shop_type"])
        self.assertEqual(fields["shop_type"]["string"], "Type de boutique")

    def test_menu_and_field_in_romanian(self):
        self.env["res.lang"]._activate_lang("ro_RO")
        self.env["ir.module.module"]._load_module_terms(["billing_webshop"], ["ro_RO"], overwrite=True)
        menu = self.env.ref("billing_webshop.billing_webshop_menu_root").with_context(lang="ro_RO")
        self.assertEqual(menu.name, "Magazin online")
        fields = self.env["billing.webshop.backend"].with_context(lang="ro_RO").fields_get(["shop_type"])
        self.assertEqual(fields["shop_type"]["string"], "Tip magazin")

    def test_menu_and_field_in_finnish(self):
        self.env["res.lang"]._activate_lang("fi_FI")
        self.env["ir.module.module"]._load_module_terms(["billing_webshop"], ["fi_FI"], overwrite=True)
        menu = self.env.ref("billing_webshop.billing_webshop_menu_root").with_context(lang="fi_FI")
        self.assertEqual(menu.name, "Verkkokauppa")
        fields = self.env["billing.webshop.backend"].with_context(lang="fi_FI").fields_get(["shop_type"])
        self.assertEqual(fields["shop_type"]["string"], "Kaupan tyyppi")

    def test_menu_and_field_in_swedish(self):
        self.env["res.lang"]._activate_lang("sv_SE")
        self.env["ir.module.module"]._load_module_terms(["billing_webshop"], ["sv_SE"], overwrite=True)
        menu = self.env.ref("billing_webshop.billing_webshop_menu_root").with_context(lang="sv_SE")
        self.assertEqual(menu.name, "Webbutik")
        fields = self.env["billing.webshop.backend"].with_context(lang="sv_SE").fields_get(["shop_type"])
        self.assertEqual(fields["shop_type"]["string"], "Butikstyp")
