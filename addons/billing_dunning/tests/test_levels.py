from datetime import date

from odoo.tests import BaseCase, tagged

from ..dunning.levels import LevelStep, check_ladder, next_action_date, nominal_dates, target_step

DUE = date(2025, 5, 1)
# Pre-due -3, L1 +7 from the due date, L2 +14 after the previous reminder, L3 +35 from the due date.
LADDER = [
    LevelStep("pre", -3),
    LevelStep("L1", 7),
    LevelStep("L2", 14, from_previous=True),
    LevelStep("L3", 35),
]


def _key(index):
    return None if index is None else LADDER[index].key


@tagged("post_install", "-at_install")
class TestLevelSelection(BaseCase):
    def test_nominal_dates_chain_previous_levels(self):
        self.assertEqual(
            nominal_dates(LADDER, DUE),
            [date(2025, 4, 28), date(2025, 5, 8), date(2025, 5, 22), date(2025, 6, 5)],
        )

    def test_pre_due_reminder_on_or_after_its_day_and_only_before_the_due_date(self):
        self.assertIsNone(target_step(LADDER, DUE, date(2025, 4, 27)))
        self.assertEqual(_key(target_step(LADDER, DUE, date(2025, 4, 28))), "pre")
        self.assertEqual(_key(target_step(LADDER, DUE, date(2025, 5, 1))), "pre")
        # Overdue and never reminded: the pre-due level is skipped, L1 not reached yet.
        self.assertIsNone(target_step(LADDER, DUE, date(2025, 5, 2)))
        # Already at the pre-due level before the due date: nothing more.
        self.assertIsNone(target_step(LADDER, DUE, date(2025, 4, 30), 0, date(2025, 4, 28)))

    def test_after_a_pre_due_reminder_the_item_enters_like_a_new_one(self):
        self.assertEqual(_key(target_step(LADDER, DUE, date(2025, 5, 8), 0, date(2025, 4, 28))), "L1")
        self.assertEqual(_key(target_step(LADDER, DUE, date(2025, 6, 10), 0, date(2025, 4, 28))), "L3")
        self.assertEqual(
            _key(target_step(LADDER, DUE, date(2025, 6, 10), 0, date(2025, 4, 28), catch_up="first")), "L1"
        )

    def test_catch_up_by_age(self):
        self.assertIsNone(target_step(LADDER, DUE, date(2025, 5, 7)))
        self.assertEqual(_key(target_step(LADDER, DUE, date(2025, 5, 8))), "L1")
        self.assertEqual(_key(target_step(LADDER, DUE, date(2025, 5, 21))), "L1")
        self.assertEqual(_key(target_step(LADDER, DUE, date(2025, 5, 22))), "L2")
        self.assertEqual(_key(target_step(LADDER, DUE, date(2025, 6, 5))), "L3")
        self.assertEqual(_key(target_step(LADDER, DUE, date(2026, 6, 5))), "L3")

    def test_catch_up_first_level(self):
        for day in (date(2025, 5, 8), date(2025, 6, 5), date(2026, 1, 1)):
            self.assertEqual(_key(target_step(LADDER, DUE, day, catch_up="first")), "L1", day)
        self.assertIsNone(target_step(LADDER, DUE, date(2025, 5, 7), catch_up="first"))

    def test_one_level_per_run_after_the_entry(self):
        # L1 sent late on 1 June: L2 counts 14 days from that reminder, not from the due date.
        self.assertIsNone(target_step(LADDER, DUE, date(2025, 6, 14), 1, date(2025, 6, 1)))
        self.assertEqual(_key(target_step(LADDER, DUE, date(2025, 6, 15), 1, date(2025, 6, 1))), "L2")
        # L3 counts from the due date: reached at once, one run after L2, never skipped over.
        self.assertEqual(_key(target_step(LADDER, DUE, date(2025, 6, 16), 2, date(2025, 6, 15))), "L3")
        self.assertIsNone(target_step(LADDER, DUE, date(2025, 6, 1), 2, date(2025, 5, 22)))
        # Top of the ladder.
        self.assertIsNone(target_step(LADDER, DUE, date(2026, 1, 1), 3, date(2025, 6, 5)))

    def test_next_action_date(self):
        today = date(2025, 4, 20)
        self.assertEqual(next_action_date(LADDER, DUE, today), date(2025, 4, 28))
        # Overdue: the pre-due level no longer counts.
        self.assertEqual(next_action_date(LADDER, DUE, date(2025, 5, 3)), date(2025, 5, 8))
        self.assertEqual(
            next_action_date(LADDER, DUE, date(2025, 6, 2), 1, date(2025, 6, 1)), date(2025, 6, 15)
        )
        self.assertEqual(
            next_action_date(LADDER, DUE, date(2025, 6, 20), 2, date(2025, 6, 15)), date(2025, 6, 5)
        )
        self.assertIsNone(next_action_date(LADDER, DUE, date(2025, 7, 1), 3, date(2025, 6, 16)))
        self.assertIsNone(next_action_date([], DUE, today))

    def test_invalid_ladders(self):
        check_ladder(LADDER)
        invalid = {
            "pre-due after overdue": [LevelStep(1, 7), LevelStep(2, -3)],
            "first overdue from previous": [LevelStep(1, -3), LevelStep(2, 7, from_previous=True)],
            "first level from previous": [LevelStep(1, 7, from_previous=True)],
            "zero days from previous": [LevelStep(1, 7), LevelStep(2, 0, from_previous=True)],
            "due-date days not increasing": [
                LevelStep(1, 7),
                LevelStep(2, 3, from_previous=True),
                LevelStep(3, 7),
            ],
        }
        for name, ladder in invalid.items():
            with self.subTest(name), self.assertRaises(ValueError):
                check_ladder(ladder)
        with self.assertRaises(ValueError):
            target_step(LADDER, DUE, date(2025, 6, 1), catch_up="never")
