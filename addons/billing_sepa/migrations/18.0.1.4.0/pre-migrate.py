"""18.0.1.4.0: a booked return records whether it is followed up (``followed_up``).

The returns of a large bank report are now booked by one scheduled action and followed up (the
reasons' actions, notes, activities, fees) by another. Before, both happened in the transaction
that booked a return: every return booked so far is followed up. The column is created and
filled here, before the update would create it empty.
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute("ALTER TABLE billing_sepa_return ADD COLUMN IF NOT EXISTS followed_up boolean")
    cr.execute("UPDATE billing_sepa_return SET followed_up = (state = 'booked')")
