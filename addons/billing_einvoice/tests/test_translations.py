from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestEinvoiceTranslations(TransactionCase):
    def test_menu_and_field_in_romanian(self):
        self.env["res.lang"]._activate_lang("ro_RO")
        self.env["ir.module.module"]._load_module_terms(["billing_einvoice"], ["ro_RO"], overwrite=True)
        menu = self.env.ref("billing_einvoice.billing_einvoice_delivery_menu").with_context(lang="ro_RO")
        self.assertEqual(menu.name, "Trimiteri de facturi")
        fields = (
            self.env["billing.einvoice.receivable.report"].with_context(lang="ro_RO").fields_get(["channel"])
        )
        self.assertEqual(fields["channel"]["string"], "Canal de trimitere")
