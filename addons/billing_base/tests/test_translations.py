from odoo.tests import TransactionCase, tagged

# The menu and the receivable card as each language of the suite names them.
EXPECTED = {
    "nl_NL": ("Betaald krijgen", "Openstaande vorderingen"),
    "de_DE": ("Zahlungseingang", "Offene Forderungen"),
    "fr_BE": ("Se faire payer", "Créances ouvertes"),
    "ro_RO": ("Încasări", "Creanțe deschise"),
    "fi_FI": ("Maksujen saaminen", "Avoimet saatavat"),
    "sv_SE": ("Få betalt", "Öppna kundfordringar"),
}


@tagged("post_install", "-at_install")
class TestBaseTranslations(TransactionCase):
    def test_menu_and_card_in_each_language(self):
        for lang, (menu_name, card_name) in EXPECTED.items():
            with self.subTest(lang=lang):
                self.env["res.lang"]._activate_lang(lang)
                self.env["ir.module.module"]._load_module_terms(["billing_base"], [lang], overwrite=True)
                menu = self.env.ref("billing_base.billing_base_menu").with_context(lang=lang)
                self.assertEqual(menu.name, menu_name)
                card = self.env.ref("billing_base.billing_overview_card_receivable").with_context(lang=lang)
                self.assertEqual(card.name, card_name)
