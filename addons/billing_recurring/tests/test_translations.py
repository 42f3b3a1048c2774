from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestRecurringTranslations(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_BE")
        cls.env["ir.module.module"]._load_module_terms(["billing_recurring"], ["fr_BE"], overwrite=True)

    def test_menu_and_field_in_belgian_french(self):
        menu = self.env.ref("billing_recurring.billing_recurring_run_menu").with_context(lang="fr_BE")
        self.assertEqual(menu.name, "Campagnes de facturation")
        fields = self.env["res.partner"].with_context(lang="fr_BE").fields_get(["billing_recurring_interval"])
        self.assertEqual(fields["billing_recurring_interval"]["string"], "Intervalle de facturation")

    def test_menu_and_field_in_romanian(self):
        self.env["res.lang"]._activate_lang("ro_RO")
        self.env["ir.module.module"]._load_module_terms(["billing_recurring"], ["ro_RO"], overwrite=True)
        menu = self.env.ref("billing_recurring.billing_recurring_run_menu").with_context(lang="ro_RO")
        self.assertEqual(menu.name, "Campanii de facturare")
        fields = self.env["res.partner"].with_context(lang="ro_RO").fields_get(["billing_recurring_interval"])
        self.assertEqual(fields["billing_recurring_interval"]["string"], "Interval de facturare")

    def test_menu_and_field_in_finnish(self):
        self.env["res.lang"]._activate_lang("fi_FI")
        self.env["ir.module.module"]._load_module_terms(["billing_recurring"], ["fi_FI"], overwrite=True)
        menu = self.env.ref("billing_recurring.billing_recurring_run_menu").with_context(lang="fi_FI")
        self.assertEqual(menu.name, "Laskutusajot")
        fields = self.env["res.partner"].with_context(lang="fi_FI").fields_get(["billing_recurring_interval"])
        self.assertEqual(fields["billing_recurring_interval"]["string"], "Laskutusväli")

    def test_menu_and_field_in_swedish(self):
        self.env["res.lang"]._activate_lang("sv_SE")
        self.env["ir.module.module"]._load_module_terms(["billing_recurring"], ["sv_SE"], overwrite=True)
        menu = self.env.ref("billing_recurring.billing_recurring_run_menu").with_context(lang="sv_SE")
        self.assertEqual(menu.name, "Faktureringskörningar")
        fields = self.env["res.partner"].with_context(lang="sv_SE").fields_get(["billing_recurring_interval"])
        self.assertEqual(fields["billing_recurring_interval"]["string"], "Faktureringsintervall")
