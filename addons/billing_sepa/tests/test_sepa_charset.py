from odoo.tests import BaseCase, tagged

from ..sepa.charset import is_sepa_text, to_sepa_identifier, to_sepa_text
from ..sepa.identifiers import identifier_errors


@tagged("post_install", "-at_install")
class TestSepaCharset(BaseCase):
    def assertConverted(self, cases):
        for value, expected in cases.items():
            converted = to_sepa_text(value)
            self.assertEqual(converted, expected, value)
            self.assertTrue(is_sepa_text(converted), converted)

    def test_sepa_text_is_kept(self):
        text = "Invoice INV/2026/0001 (part 1 of 2): 10.50 EUR, ref. A-B+C?'"
        self.assertEqual(to_sepa_text(text), text)

    def test_german_and_ampersand(self):
        self.assertConverted(
            {
                "Müller & Söhne": "Mueller + Soehne",
                "Ärger Öl Übel": "Aerger Oel Uebel",
                "MÜLLER GMBH": "MUELLER GMBH",
                "Straße": "Strasse",
                # Decomposed input (as macOS writes it) gives the same result.
                "Mu\N{COMBINING DIAERESIS}ller": "Mueller",
            }
        )

    def test_other_latin_letters(self):
        self.assertConverted(
            {
                "François Crème Brûlée": "Francois Creme Brulee",
                "Łódź Żabka": "Lodz Zabka",
                "Søren Ærø": "Soeren Aeroe",
                "Œuvre": "Oeuvre",
                "Çağr\N{LATIN SMALL LETTER DOTLESS I} İnce": "Cagri Ince",
                "\N{FULLWIDTH LATIN CAPITAL LETTER F}\N{FULLWIDTH LATIN SMALL LETTER U}\N{IDEOGRAPHIC SPACE}width": "Fu width",
            }
        )

    def test_cyrillic(self):
        self.assertConverted(
            {
                "Иван Петров": "Ivan Petrov",
                "Жечка Щерева": "Zhechka Shtereva",
                "ЖУКОВ": "ZHUKOV",
                "Жельо Игорь": "Zhelyo Igor",
                "Ђорђе Јовановић": "Djordje Jovanovic",
            }
        )

    def test_greek(self):
        self.assertConverted(
            {
                "Γιώργος Παπαδόπουλος": "Giorgos Papadopoulos",
                "ΑΥΓΟΥΣΤΟΣ": "AVGOUSTOS",
                "Ναύπλιο": "Nafplio",
                "Θεσσαλονίκη": "Thessaloniki",
            }
        )

    def test_names_in_other_scripts_never_end_up_empty(self):
        for name in ("Петров", "Ωμέγα", "Щ", "Ψ"):
            self.assertTrue(to_sepa_text(name), name)

    def test_symbols(self):
        self.assertConverted(
            {
                "foo_bar@example.com": "foo-bar(at)example.com",
                "“Quoted” \N{LEFT SINGLE QUOTATION MARK}text\N{RIGHT SINGLE QUOTATION MARK} «x»": "'Quoted' 'text' 'x'",
                "A \N{EN DASH} B \N{EM DASH} C": "A - B - C",
                "10% for €5; now!": "10 pct for EUR5, now.",
                "<b>[x]{y}</b>": "(b)(x)(y)(/b)",
                "C:\\path|x": "C:/path/x",
                "½": "1/2",
                "Col·legi": "Col.legi",
                "A*B=C #1 ~^$": "A B C 1",
            }
        )

    def test_control_characters_and_whitespace(self):
        self.assertConverted(
            {
                "a\x00b\x07c": "abc",
                "zero\N{ZERO WIDTH SPACE}width soft\N{SOFT HYPHEN}hyphen\N{ZERO WIDTH NO-BREAK SPACE}": "zerowidth softhyphen",
                "  line\none\r\n\tline two  ": "line one line two",
                "no\N{NO-BREAK SPACE}break": "no break",
            }
        )

    def test_empty_values(self):
        self.assertEqual(to_sepa_text(None), "")
        self.assertEqual(to_sepa_text(""), "")
        self.assertEqual(to_sepa_text("   \t"), "")
        # No Latin equivalent: callers of mandatory fields refuse the empty result.
        self.assertEqual(to_sepa_text("\N{CJK UNIFIED IDEOGRAPH-674E}"), "")

    def test_truncation(self):
        self.assertEqual(to_sepa_text("abcdefghij", 4), "abcd")
        # Truncation happens after conversion and never leaves a trailing space.
        self.assertEqual(to_sepa_text("Müller Söhne", 7), "Mueller")
        self.assertEqual(to_sepa_text("Müller & Söhne", 8), "Mueller")
        self.assertEqual(len(to_sepa_text("ä" * 100, 70)), 70)
        self.assertEqual(to_sepa_text("short", 70), "short")

    def test_identifier(self):
        cases = {
            "INV/2026/0001": "INV/2026/0001",
            "/INV//2026_001/ ": "INV/2026-001",
            " Münch/": "Muench",
            "Rg. 12 & 13": "Rg. 12 + 13",
        }
        for value, expected in cases.items():
            identifier = to_sepa_identifier(value)
            self.assertEqual(identifier, expected, value)
            self.assertEqual(identifier_errors(identifier), [], value)

    def test_identifier_is_not_cut(self):
        # Cutting would merge distinct references: the caller's validation reports it.
        identifier = to_sepa_identifier("X" * 40)
        self.assertEqual(len(identifier), 40)
        self.assertEqual(identifier_errors(identifier), ["too_long"])
