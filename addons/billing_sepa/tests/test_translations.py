import re
from html import escape
from pathlib import Path

import polib

from odoo.exceptions import MissingError, UserError, ValidationError
from odoo.tests import TransactionCase, tagged

I18N_DIR = Path(__file__).resolve().parent.parent / "i18n"
# Python %-format directives: %s, %d, %(name)s, %%, ...
FORMAT_DIRECTIVE = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")
MARKUP_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@tagged("post_install", "-at_install")
class TestSepaTranslations(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in ("nl_NL", "de_DE", "fr_BE"):
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"]._load_module_terms(
            ["billing_sepa"], ["nl_NL", "de_DE", "fr_BE"], overwrite=True
        )
        cls.creditor_name = escape(cls.env.company.name)
        cls.debtor = cls.env["res.partner"].create({"name": "Jan Jansen", "lang": "nl_NL"})
        cls.bank = cls.env["res.partner.bank"].create(
            {"acc_number": "NL91ABNA0417164300", "partner_id": cls.debtor.id}
        )

    def _create_mandate(self, **vals):
        return self.env["billing.sepa.mandate"].create(
            {"partner_id": self.debtor.id, "partner_bank_id": self.bank.id, **vals}
        )

    def _render_mandate_form(self, mandate):
        return (
            self.env["ir.actions.report"]
            ._render_qweb_html("billing_sepa.report_sepa_mandate", mandate.ids)[0]
            .decode()
        )

    def test_core_mandate_form_in_dutch(self):
        html = self._render_mandate_form(self._create_mandate())
        self.assertIn("SEPA-incassomachtiging Algemeen", html)
        self.assertNotIn("SEPA Core Direct Debit Mandate", html)
        self.assertIn("Machtigingskenmerk", html)
        self.assertIn("Doorlopende betaling", html)
        # The authorisation text stays one sentence around the creditor's name.
        self.assertRegex(
            html,
            r"Door ondertekening van dit formulier geeft u toestemming aan\s*<span[^>]*>"
            + re.escape(self.creditor_name)
            + r"</span>\s+om incasso-opdrachten te sturen",
        )
        self.assertIn("binnen 8 weken na afschrijving contact op met uw bank", html)

    def test_b2b_mandate_form_in_german(self):
        self.debtor.lang = "de_DE"
        html = self._render_mandate_form(self._create_mandate(scheme="B2B"))
        self.assertIn("SEPA-Firmenlastschrift-Mandat", html)
        self.assertIn("Mandatsreferenz", html)
        name = re.escape(self.creditor_name)
        self.assertRegex(html, r"Ich ermächtige\s*<span[^>]*>" + name + r"</span>\s+hiermit, Zahlungen")
        # German puts the verb after the second name: the term after it must keep its leading space.
        self.assertRegex(
            html, r"die von\s*<span[^>]*>" + name + r"</span> auf mein Konto gezogenen Lastschriften"
        )
        self.assertIn("Dieses Lastschriftmandat dient nur dem Einzug von Lastschriften", html)

    def test_core_mandate_form_in_belgian_french(self):
        self.debtor.lang = "fr_BE"
        html = self._render_mandate_form(self._create_mandate())
        self.assertIn("Mandat de domiciliation européenne SEPA (Core)", html)
        self.assertIn("Référence du mandat", html)
        self.assertRegex(
            html,
            r"vous autorisez \(A\)\s*<span[^>]*>"
            + re.escape(self.creditor_name)
            + r"</span>\s+à envoyer\s+des instructions à votre banque",
        )
        self.assertIn("dans les 8 semaines suivant la date de débit de votre compte", html)
        menu = self.env.ref("billing_sepa.billing_sepa_mandate_menu").with_context(lang="fr_BE")
        self.assertEqual(menu.name, "Mandats")

    def test_validation_error_in_dutch(self):
        mandates = self.env["billing.sepa.mandate"].with_context(lang="nl_NL")
        with self.assertRaises(ValidationError) as caught:
            mandates.create({"partner_id": self.debtor.id, "partner_bank_id": self.bank.id, "name": "AB//CD"})
        self.assertEqual(
            str(caught.exception),
            "Machtigingskenmerk AB//CD is geen geldig SEPA-kenmerk; vereist: geen '//'.",
        )

    def test_no_record_or_a_missing_one_in_dutch(self):
        batches = self.env["billing.sepa.batch"].with_context(lang="nl_NL")
        for records in (batches, batches.browse([False])):
            with self.subTest(ids=records.ids), self.assertRaises(UserError) as caught:
                records.action_generate_file()
            self.assertEqual(
                str(caught.exception),
                "Er is geen record van het type SEPA-incassobatch opgegeven: roep dit aan met het id "
                "van een bestaand record.",
            )
        missing_id = (self.env["billing.sepa.batch"].search([], order="id desc", limit=1).id or 0) + 1000
        with self.assertRaises(UserError) as caught:
            batches.browse([missing_id, missing_id + 1]).get_files()
        self.assertEqual(
            str(caught.exception),
            "Dit werkt op één record van het type SEPA-incassobatch tegelijk, niet op 2.",
        )
        with self.assertRaises(MissingError) as caught:
            batches.browse(missing_id).get_files()
        self.assertEqual(
            str(caught.exception),
            f"Er bestaat geen record van het type SEPA-incassobatch met id {missing_id}: misschien is het "
            "verwijderd.",
        )

    def test_po_files_complete_and_keep_placeholders(self):
        template = polib.pofile(str(I18N_DIR / "billing_sepa.pot"))
        msgids = {(entry.msgctxt, entry.msgid) for entry in template}
        for lang in ("nl", "de", "fr", "fi", "sv"):
            po = polib.pofile(str(I18N_DIR / f"{lang}.po"))
            self.assertEqual(po.metadata.get("Language"), lang)
            self.assertEqual({(entry.msgctxt, entry.msgid) for entry in po}, msgids)
            for entry in po:
                with self.subTest(lang=lang, msgid=entry.msgid):
                    self.assertTrue(entry.msgstr)
                    self.assertCountEqual(
                        FORMAT_DIRECTIVE.findall(entry.msgstr), FORMAT_DIRECTIVE.findall(entry.msgid)
                    )
                    self.assertEqual(MARKUP_TAG.findall(entry.msgstr), MARKUP_TAG.findall(entry.msgid))

    def test_core_mandate_form_menu_and_field_in_romanian(self):
        self.env["res.lang"]._activate_lang("ro_RO")
        self.env["ir.module.module"]._load_module_terms(["billing_sepa"], ["ro_RO"], overwrite=True)
        menu = self.env.ref("billing_sepa.billing_sepa_mandate_menu").with_context(lang="ro_RO")
        self.assertEqual(menu.name, "Mandate")
        fields = self.env["res.partner"].with_context(lang="ro_RO").fields_get(["sepa_direct_debit"])
        self.assertEqual(fields["sepa_direct_debit"]["string"], "Încasare prin debitare directă")
        self.debtor.lang = "ro_RO"
        html = self._render_mandate_form(self._create_mandate())
        self.assertIn("Mandat de debitare directă SEPA Core", html)
        self.assertIn("Referința mandatului", html)
        self.assertRegex(
            html,
            r"autorizați \(A\)\s*<span[^>]*>"
            + re.escape(self.creditor_name)
            + r"</span>\s+să trimită\s+instrucțiuni băncii dumneavoastră",
        )
        self.assertIn("în termen de 8 săptămâni de la data la care contul dumneavoastră a fost debitat", html)

    def test_menu_and_field_in_finnish(self):
        self.env["res.lang"]._activate_lang("fi_FI")
        self.env["ir.module.module"]._load_module_terms(["billing_sepa"], ["fi_FI"], overwrite=True)
        menu = self.env.ref("billing_sepa.billing_sepa_mandate_menu").with_context(lang="fi_FI")
        self.assertEqual(menu.name, "Valtuutukset")
        fields = self.env["res.partner"].with_context(lang="fi_FI").fields_get(["sepa_direct_debit"])
        self.assertEqual(fields["sepa_direct_debit"]["string"], "Peri suoraveloituksella")

    def test_menu_and_field_in_swedish(self):
        self.env["res.lang"]._activate_lang("sv_SE")
        self.env["ir.module.module"]._load_module_terms(["billing_sepa"], ["sv_SE"], overwrite=True)
        menu = self.env.ref("billing_sepa.billing_sepa_mandate_menu").with_context(lang="sv_SE")
        self.assertEqual(menu.name, "Medgivanden")
        fields = self.env["res.partner"].with_context(lang="sv_SE").fields_get(["sepa_direct_debit"])
        self.assertEqual(fields["sepa_direct_debit"]["string"], "Dra via autogiro")
