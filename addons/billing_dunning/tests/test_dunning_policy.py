from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDunningPolicy(TransactionCase):
    def test_levels_must_increase(self):
        policy = self.env["billing.dunning.policy"].create(
            {
                "name": "Test ladder",
                "level_ids": [
                    Command.create({"sequence": 1, "name": "L1", "delay_days": 10}),
                    Command.create({"sequence": 2, "name": "L2", "delay_days": 30}),
                ],
            }
        )
        self.assertEqual(policy.level_ids.mapped("delay_days"), [10, 30])
        with self.assertRaises(ValidationError):
            policy.level_ids[1].delay_days = 5
