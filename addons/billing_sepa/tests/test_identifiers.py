from odoo.tests import BaseCase, tagged

from ..sepa.identifiers import identifier_errors


@tagged("post_install", "-at_install")
class TestSepaIdentifiers(BaseCase):
    def test_valid_references(self):
        for value in ("MD-2026-000001", "ABC/123", "A:B?C(1).2,3'4+5 6", "x" * 35):
            self.assertEqual(identifier_errors(value), [], value)

    def test_invalid_references(self):
        cases = {
            "": ["empty"],
            "x" * 36: ["too_long"],
            "/ABC": ["leading_or_trailing_slash"],
            "ABC/": ["leading_or_trailing_slash"],
            "AB//C": ["double_slash"],
            "Müller&Co": ["charset"],
            " ABC": ["surrounding_space"],
        }
        for value, expected in cases.items():
            self.assertEqual(identifier_errors(value), expected, value)
