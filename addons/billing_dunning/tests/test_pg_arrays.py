from datetime import date, datetime
from decimal import Decimal

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from ..dunning.pg_arrays import array_literal


@tagged("post_install", "-at_install")
class TestPgArrays(TransactionCase):
    """The array texts of ``dunning.pg_arrays`` read back as the values they were made of."""

    def _round_trip(self, values, pg_type):
        self.env.cr.execute(SQL("SELECT %s::%s[]", array_literal(values), SQL.identifier(pg_type)))
        return self.env.cr.fetchone()[0]

    def test_texts_keep_every_character(self):
        values = ['a "quoted" word', "back\\slash", "comma, {braces}", "NULL", "", "Köhler & Söhne", None]
        self.assertEqual(self._round_trip(values, "varchar"), values)

    def test_numbers_dates_and_booleans(self):
        self.assertEqual(self._round_trip([1, None, -3], "int4"), [1, None, -3])
        self.assertEqual(self._round_trip([], "int4"), [])
        numbers = self._round_trip([12.5, 0.1, None, Decimal("7.35"), 3, 1e-05], "numeric")
        self.assertEqual(
            [None if number is None else Decimal(str(number)) for number in numbers],
            [Decimal("12.5"), Decimal("0.1"), None, Decimal("7.35"), Decimal("3"), Decimal("0.00001")],
        )
        self.assertEqual(self._round_trip([date(2026, 12, 7), None], "date"), [date(2026, 12, 7), None])
        self.assertEqual(self._round_trip([date(2026, 2, 28)], "date"), [date(2026, 2, 28)])
        stamp = datetime(2026, 12, 7, 4, 30, 15, 250)
        self.assertEqual(self._round_trip([stamp, None], "timestamp"), [stamp, None])
        self.assertEqual(self._round_trip([True, False, None], "bool"), [True, False, None])

    def test_other_values_are_refused(self):
        with self.assertRaises(TypeError):
            array_literal([{"a": 1}])
