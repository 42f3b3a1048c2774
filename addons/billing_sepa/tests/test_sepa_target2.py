import datetime

from odoo.tests import BaseCase, tagged

from ..sepa import target2

date = datetime.date


@tagged("post_install", "-at_install")
class TestTarget2Calendar(BaseCase):
    def test_easter(self):
        self.assertEqual(target2.easter_sunday(2024), date(2024, 3, 31))
        self.assertEqual(target2.easter_sunday(2025), date(2025, 4, 20))
        self.assertEqual(target2.easter_sunday(2026), date(2026, 4, 5))
        self.assertEqual(target2.easter_sunday(2027), date(2027, 3, 28))
        self.assertEqual(target2.easter_sunday(2038), date(2038, 4, 25))

    def test_closing_days_2026(self):
        self.assertEqual(
            sorted(target2.target2_closing_days(2026)),
            [
                date(2026, 1, 1),
                date(2026, 4, 3),  # Good Friday
                date(2026, 4, 6),  # Easter Monday
                date(2026, 5, 1),
                date(2026, 12, 25),
                date(2026, 12, 26),
            ],
        )

    def test_business_days(self):
        closed = [
            date(2026, 1, 1),
            date(2026, 4, 3),
            date(2026, 4, 4),  # Saturday
            date(2026, 4, 5),  # Easter Sunday
            date(2026, 4, 6),
            date(2026, 5, 1),
            date(2026, 12, 25),
            date(2026, 12, 26),
            date(2026, 11, 21),  # Saturday
            date(2026, 11, 22),  # Sunday
        ]
        open_days = [
            date(2026, 1, 2),
            date(2026, 4, 2),  # Maundy Thursday
            date(2026, 4, 7),
            date(2026, 4, 30),
            date(2026, 5, 4),
            date(2026, 12, 24),
            date(2026, 12, 31),
            date(2026, 5, 14),  # Ascension Day: a bank holiday in many countries, not in TARGET2
        ]
        for day in closed:
            self.assertFalse(target2.is_target2_business_day(day), day)
        for day in open_days:
            self.assertTrue(target2.is_target2_business_day(day), day)
        self.assertFalse(target2.is_target2_business_day(datetime.datetime(2026, 4, 3, 9, 30)))

    def test_next_business_day(self):
        self.assertEqual(target2.next_target2_business_day(date(2026, 4, 2)), date(2026, 4, 2))
        self.assertEqual(target2.next_target2_business_day(date(2026, 4, 3)), date(2026, 4, 7))
        self.assertEqual(target2.next_target2_business_day(date(2026, 12, 25)), date(2026, 12, 28))
        self.assertEqual(target2.next_target2_business_day(date(2026, 5, 1)), date(2026, 5, 4))

    def test_add_business_days(self):
        self.assertEqual(target2.add_target2_business_days(date(2026, 4, 2), 1), date(2026, 4, 7))
        self.assertEqual(target2.add_target2_business_days(date(2026, 4, 2), 2), date(2026, 4, 8))
        self.assertEqual(target2.add_target2_business_days(date(2026, 4, 7), -1), date(2026, 4, 2))
        self.assertEqual(target2.add_target2_business_days(date(2026, 4, 4), 0), date(2026, 4, 4))
        # From Christmas Eve over Christmas, the weekend and into the next year.
        self.assertEqual(target2.add_target2_business_days(date(2026, 12, 24), 1), date(2026, 12, 28))
        self.assertEqual(target2.add_target2_business_days(date(2026, 12, 31), 1), date(2027, 1, 4))

    def test_earliest_collection_date(self):
        cases = [
            # (submission date, lead days, earliest collection date)
            (date(2026, 11, 18), 1, date(2026, 11, 19)),  # Wednesday: D-1 is Thursday
            (date(2026, 11, 20), 1, date(2026, 11, 23)),  # Friday: next Monday
            (date(2026, 11, 21), 1, date(2026, 11, 24)),  # Saturday counts as Monday
            (date(2026, 4, 2), 1, date(2026, 4, 7)),  # over Good Friday and Easter Monday
            (date(2026, 4, 3), 1, date(2026, 4, 8)),  # submitted on Good Friday
            (date(2026, 4, 2), 2, date(2026, 4, 8)),  # bank asks one extra day
            (date(2026, 4, 30), 1, date(2026, 5, 4)),  # over 1 May and the weekend
            (date(2026, 12, 23), 1, date(2026, 12, 24)),
            (date(2026, 12, 24), 1, date(2026, 12, 28)),
            (date(2026, 12, 24), 5, date(2027, 1, 4)),  # over Christmas and New Year
        ]
        for submission, lead_days, expected in cases:
            collection = target2.earliest_collection_date(submission, lead_days)
            self.assertEqual(collection, expected, (submission, lead_days))

            def is_valid(day, submission=submission, lead_days=lead_days):
                # The definition, checked backwards from the collection date.
                return target2.is_target2_business_day(day) and (
                    target2.add_target2_business_days(day, -lead_days) >= submission
                )

            self.assertTrue(is_valid(collection))
            day = submission
            while day < collection:
                self.assertFalse(is_valid(day), (submission, lead_days, day))
                day += datetime.timedelta(days=1)

    def test_lead_days_must_be_positive(self):
        with self.assertRaises(ValueError):
            target2.earliest_collection_date(date(2026, 4, 2), 0)
