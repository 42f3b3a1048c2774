from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestEinvoiceTranslations(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_BE")
        cls.env["ir.module.module"]._load_module_terms(["billing_einvoice"], ["fr_BE"], overwrite=True)

    def test_menu_and_field_in_belgian_french(self):
        menu = self.env.ref("billing_einvoice.billing_einvoice_delivery_menu").with_context(lang="fr_BE")
        self.assertEqual(menu.name, "Envois de factures")
        fields = (
            self.env["billing.einvoice.receivable.report"].with_context(lang="fr_BE").fields_get(["channel"])
        )
        self.assertEqual(fields["channel"]["string"], "Canal d'envoi")

    def test_menu_and_field_in_romanian(self):
        self.env["res.lang"]._activate_lang("ro_RO")
        self.env["ir.module.module"]._load_module_terms(["billing_einvoice"], ["ro_RO"], overwrite=True)
        menu = self.env.ref("billing_einvoice.billing_einvoice_delivery_menu").with_context(lang="ro_RO")
        self.assertEqual(menu.name, "Trimiteri de facturi")
        fields = (
            self.env["billing.einvoice.receivable.report"].with_context(lang="ro_RO").fields_get(["channel"])
        )
        self.assertEqual(fields["channel"]["string"], "Canal de trimitere")
