from datetime import date

from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningTranslations(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in ("nl_NL", "de_DE", "fr_BE"):
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"]._load_module_terms(
            ["billing_dunning"], ["nl_NL", "de_DE", "fr_BE"], overwrite=True
        )

    def _reminder_message(self, partner):
        self._invoice(partner, 100.0, date(2025, 3, 1))
        self._run(date(2025, 3, 9))
        reminder = self._reminders(partner)
        return reminder, reminder.message_ids.filtered(lambda message: message.message_type == "comment")

    def test_reminder_email_and_letter_in_german(self):
        self.b2b.lang = "de_DE"
        reminder, message = self._reminder_message(self.b2b)
        self.assertIn("Nach unseren Unterlagen sind die folgenden Rechnungen überfällig", str(message.body))
        self.assertIn("Online bezahlen", str(message.body))
        html = self.env["ir.actions.report"]._render_qweb_html(
            "billing_dunning.report_reminder", reminder.ids
        )[0]
        self.assertIn("Zu zahlender Betrag", html.decode())

    def test_reminder_email_in_dutch(self):
        self.b2c.lang = "nl_NL"
        _reminder, message = self._reminder_message(self.b2c)
        self.assertIn("volgens onze gegevens zijn de volgende facturen vervallen", str(message.body))
        self.assertNotIn("according to our records", str(message.body))

    def test_reminder_email_and_letter_in_belgian_french(self):
        self.b2c.lang = "fr_BE"
        reminder, message = self._reminder_message(self.b2c)
        self.assertIn("selon nos données, les factures suivantes sont échues", str(message.body))
        self.assertIn("Payer en ligne", str(message.body))
        self.assertNotIn("according to our records", str(message.body))
        html = self.env["ir.actions.report"]._render_qweb_html(
            "billing_dunning.report_reminder", reminder.ids
        )[0]
        self.assertIn("Total à payer", html.decode())

    def test_menu_in_belgian_french(self):
        menu = self.env.ref("billing_dunning.billing_dunning_run_menu")
        self.assertEqual(menu.with_context(lang="fr_BE").name, "Campagnes de relance")

    def test_menu_field_and_reminder_in_romanian(self):
        self.env["res.lang"]._activate_lang("ro_RO")
        self.env["ir.module.module"]._load_module_terms(["billing_dunning"], ["ro_RO"], overwrite=True)
        menu = self.env.ref("billing_dunning.billing_dunning_run_menu").with_context(lang="ro_RO")
        self.assertEqual(menu.name, "Campanii de somare")
        fields = self.env["res.partner"].with_context(lang="ro_RO").fields_get(["billing_dunning_profile"])
        self.assertEqual(fields["billing_dunning_profile"]["string"], "Profil pentru întârzieri la plată")
        self.b2c.lang = "ro_RO"
        _reminder, message = self._reminder_message(self.b2c)
        self.assertIn("conform evidențelor noastre, următoarele facturi sunt restante", str(message.body))
        self.assertNotIn("according to our records", str(message.body))

    def test_menu_field_and_reminder_in_finnish(self):
        self.env["res.lang"]._activate_lang("fi_FI")
        self.env["ir.module.module"]._load_module_terms(["billing_dunning"], ["fi_FI"], overwrite=True)
        menu = self.env.ref("billing_dunning.billing_dunning_run_menu").with_context(lang="fi_FI")
        self.assertEqual(menu.name, "Muistutusajot")
        fields = self.env["res.partner"].with_context(lang="fi_FI").fields_get(["billing_dunning_profile"])
        self.assertEqual(fields["billing_dunning_profile"]["string"], "Viivästysprofiili")
        self.b2c.lang = "fi_FI"
        _reminder, message = self._reminder_message(self.b2c)
        self.assertIn("kirjanpitomme mukaan seuraavat laskut ovat erääntyneet", str(message.body))
        self.assertNotIn("according to our records", str(message.body))

    def test_menu_field_and_reminder_in_swedish(self):
        self.env["res.lang"]._activate_lang("sv_SE")
        self.env["ir.module.module"]._load_module_terms(["billing_dunning"], ["sv_SE"], overwrite=True)
        menu = self.env.ref("billing_dunning.billing_dunning_run_menu").with_context(lang="sv_SE")
        self.assertEqual(menu.name, "Påminnelsekörningar")
        fields = self.env["res.partner"].with_context(lang="sv_SE").fields_get(["billing_dunning_profile"])
        self.assertEqual(fields["billing_dunning_profile"]["string"], "Profil för sen betalning")
        self.b2c.lang = "sv_SE"
        _reminder, message = self._reminder_message(self.b2c)
        self.assertIn("enligt vår bokföring är följande fakturor förfallna", str(message.body))
        self.assertNotIn("according to our records", str(message.body))
