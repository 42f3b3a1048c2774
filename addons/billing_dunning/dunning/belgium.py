"""Belgian consumer debts (Book XIX of the Code of Economic Law, in force 1 Sep / 1 Dec 2023).

Plain Python, no Odoo. What this module applies, from the domain note:

- the **first reminder is free**: no fee, interest or damages with it;
- nothing may be charged before a **14-calendar-day wait** after that first reminder, counted
  from the day after an e-mail is sent or from the third working day after a letter is posted;
- a later reminder costs at most **EUR 7.50** (plus postage, not charged here).

Not applied (facts marked "verify" in the note, or not given): the caps on interest and lump-sum
damages by amount band, the three free reminders per calendar year for subscriptions, and the
Belgian consumer interest rate.
"""

from datetime import timedelta
from decimal import Decimal

WAIT_DAYS = 14
LETTER_WORKING_DAYS = 3
MAX_REMINDER_FEE_EUR = Decimal("7.50")


def add_working_days(day, count):
    """``day`` plus ``count`` working days (Monday to Friday; public holidays not known here)."""
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def first_chargeable_day(first_reminder_day, channel):
    """The first day on which anything may be charged, after a first reminder sent on
    ``first_reminder_day`` by ``channel`` (``"email"`` or ``"letter"``)."""
    if channel == "letter":
        start = add_working_days(first_reminder_day, LETTER_WORKING_DAYS)
    else:
        start = first_reminder_day + timedelta(days=1)
    # The wait runs 14 calendar days from its start day included.
    return start + timedelta(days=WAIT_DAYS)


def may_charge(first_reminder_day, channel, day):
    """Whether charges may be posted on ``day`` for an item first reminded on
    ``first_reminder_day`` (``None``: this is the first reminder, which is free)."""
    if first_reminder_day is None:
        return False
    return day >= first_chargeable_day(first_reminder_day, channel)
