"""Which dunning level an open item reaches on a given day.

Plain Python, no Odoo import: the run maps its records to ``LevelStep`` tuples and item
states, and asks this module for the level each item should be at.

Rules (the policy is an ordered ladder of steps):

- A step counts its days either from the item's **due date** or from the **previous
  reminder** sent for the item (``from_previous``).
- **Pre-due** steps count from the due date with zero or negative days: a friendly reminder
  on or before the due date. They come first in the ladder and are skipped once the item is
  overdue (day after the due date), so an overdue item is never sent a "before due" text.
- The first overdue step counts from the due date (there is no overdue reminder before it).
- **Entry** (no overdue reminder sent yet): with catch-up ``"age"`` the item enters at the
  highest overdue step its age has reached, following the ladder as if every earlier reminder
  had gone out on time; with ``"first"`` it enters at the first overdue step.
- After the entry, an item climbs **one step per run**, when that step's day is reached:
  ``due date + days`` or, for ``from_previous`` steps, ``last reminder date + days``.
"""

from dataclasses import dataclass
from datetime import timedelta

CATCH_UP_MODES = ("age", "first")


@dataclass(frozen=True)
class LevelStep:
    """One rung of the ladder. ``key`` is whatever the caller uses to identify it."""

    key: object
    days: int
    from_previous: bool = False

    @property
    def pre_due(self):
        return not self.from_previous and self.days <= 0


def check_ladder(steps):
    """Raise ValueError with a reason when ``steps`` (in ladder order) are inconsistent."""
    seen_overdue = False
    previous_due_days = None
    for index, step in enumerate(steps):
        if step.pre_due:
            if seen_overdue:
                raise ValueError("pre-due levels must come before every overdue level")
        elif not seen_overdue:
            seen_overdue = True
            if step.from_previous:
                raise ValueError("the first overdue level must count its days from the due date")
        if step.from_previous:
            if index == 0:
                raise ValueError("the first level must count its days from the due date")
            if step.days <= 0:
                raise ValueError("a level counted from the previous reminder needs at least one day")
            continue
        if previous_due_days is not None and step.days <= previous_due_days:
            raise ValueError("levels counted from the due date must come at strictly increasing days")
        previous_due_days = step.days


def nominal_dates(steps, due_date):
    """The day each step is reached when every earlier reminder went out on time."""
    dates = []
    for step in steps:
        if step.from_previous and dates:
            dates.append(dates[-1] + timedelta(days=step.days))
        else:
            dates.append(due_date + timedelta(days=step.days))
    return dates


def target_step(steps, due_date, run_date, current_index=None, last_date=None, catch_up="age"):
    """Index in ``steps`` of the level the item moves to on ``run_date``, or None.

    ``current_index`` is the index of the level the item is at (None: never reminded) and
    ``last_date`` the date of that reminder.
    """
    if catch_up not in CATCH_UP_MODES:
        raise ValueError(f"catch-up must be one of {CATCH_UP_MODES}, not {catch_up!r}")
    if not steps:
        return None
    overdue = run_date > due_date
    dates = nominal_dates(steps, due_date)
    at_pre_due = current_index is not None and steps[current_index].pre_due

    if not overdue:
        start = 0 if current_index is None else current_index + 1
        reached = [
            index for index in range(start, len(steps)) if steps[index].pre_due and dates[index] <= run_date
        ]
        return reached[-1] if reached else None

    if current_index is None or at_pre_due:
        overdue_indexes = [index for index, step in enumerate(steps) if not step.pre_due]
        if not overdue_indexes:
            return None
        if catch_up == "first":
            first = overdue_indexes[0]
            return first if dates[first] <= run_date else None
        reached = [index for index in overdue_indexes if dates[index] <= run_date]
        return reached[-1] if reached else None

    following = current_index + 1
    if following >= len(steps):
        return None
    step = steps[following]
    if step.from_previous:
        reach = (last_date or dates[current_index]) + timedelta(days=step.days)
    else:
        reach = dates[following]
    return following if reach <= run_date else None


def next_action_date(steps, due_date, today, current_index=None, last_date=None):
    """The first day on which the item could move to another level, or None at the top.

    Pre-due steps no longer count once the item is overdue on ``today``.
    """
    if not steps:
        return None
    dates = nominal_dates(steps, due_date)
    start = 0 if current_index is None else current_index + 1
    overdue = today > due_date
    for index in range(start, len(steps)):
        step = steps[index]
        if step.pre_due and overdue:
            continue
        if step.from_previous and current_index is not None and index == current_index + 1:
            return (last_date or dates[current_index]) + timedelta(days=step.days)
        return dates[index]
    return None
