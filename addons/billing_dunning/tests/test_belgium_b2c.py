from datetime import date

from odoo.tests import tagged

from ..dunning.belgium import first_chargeable_day, may_charge
from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestBelgianConsumer(DunningCommon):
    """Book XIX: the first reminder is free, nothing is charged during the 14-day wait after
    it, and a reminder fee is at most EUR 7.50."""

    def test_wait_after_the_first_reminder(self):
        # E-mail on Saturday 8 March 2025: the wait runs from the 9th, charges from the 23rd.
        self.assertEqual(first_chargeable_day(date(2025, 3, 8), "email"), date(2025, 3, 23))
        # Letter posted on Friday 7 March: third working day Wednesday 12th, charges from the 26th.
        self.assertEqual(first_chargeable_day(date(2025, 3, 7), "letter"), date(2025, 3, 26))
        self.assertFalse(may_charge(None, "email", date(2025, 6, 1)), "the first reminder is free")
        self.assertFalse(may_charge(date(2025, 3, 8), "email", date(2025, 3, 22)))
        self.assertTrue(may_charge(date(2025, 3, 8), "email", date(2025, 3, 23)))

    def test_first_reminder_free_then_wait_then_capped_fee(self):
        consumer = self._make_partner("Marie Dubois", "b2c_be", country_id=self.env.ref("base.be").id)
        invoice = self._invoice(consumer, 2000.0, date(2025, 3, 1))
        self._run(date(2025, 3, 8))  # L1 by e-mail: the first reminder
        self._run(date(2025, 3, 22))  # L2 (fee EUR 5, interest, EUR 40 for others): still waiting
        self.assertEqual(invoice.billing_dunning_level_id, self.level_2)
        self.assertFalse(self._charges(invoice))
        # 5 April: L3, 1 % = EUR 20, capped by the level at USD 25 = EUR 12.50, by Book XIX at 7.50;
        # no statutory interest and no fixed compensation.
        self._run(date(2025, 4, 5))
        self.assertEqual(invoice.billing_dunning_level_id, self.level_3)
        charges = self._charges(invoice)
        self.assertEqual(
            [(charge.level_id, charge.kind, charge.amount) for charge in charges],
            [(self.level_3, "fee", 7.5)],
        )

    def test_first_reminder_free_whatever_its_level(self):
        consumer = self._make_partner("Luc Peeters", "b2c_be")
        invoice = self._invoice(consumer, 100.0, date(2025, 3, 1))
        self._run(date(2025, 3, 30))  # enters at L2 by age: a German consumer pays fee and interest
        self.assertEqual(invoice.billing_dunning_level_id, self.level_2)
        self.assertFalse(self._charges(invoice))
