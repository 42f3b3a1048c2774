"""TARGET2 calendar: the interbank business days that SEPA direct debit deadlines count.

TARGET2 is closed on Saturdays and Sundays, on 1 January, Good Friday, Easter Monday,
1 May, 25 December and 26 December. Core and B2B collections must reach the debtor
bank on the TARGET2 business day before the collection date (D-1); creditor banks
add their own lead days and cut-off times on top, which callers pass as a larger
``lead_days``.
"""

import datetime
import functools

_SATURDAY = 5


def easter_sunday(year):
    """Return the date of Easter Sunday in the Gregorian calendar.

    Anonymous Gregorian algorithm (Meeus/Jones/Butcher): the Sunday after the
    ecclesiastical full moon that falls on or after 21 March.
    """
    golden_number = year % 19
    century, year_of_century = divmod(year, 100)
    leap_centuries, century_remainder = divmod(century, 4)
    moon_correction = (century + 8) // 25
    solar_correction = (century - moon_correction + 1) // 3
    epact = (19 * golden_number + century - leap_centuries - solar_correction + 15) % 30
    leap_years, year_remainder = divmod(year_of_century, 4)
    weekday_offset = (32 + 2 * century_remainder + 2 * leap_years - epact - year_remainder) % 7
    late_march_correction = (golden_number + 11 * epact + 22 * weekday_offset) // 451
    month, day = divmod(epact + weekday_offset - 7 * late_march_correction + 114, 31)
    return datetime.date(year, month, day + 1)


@functools.lru_cache(maxsize=64)
def target2_closing_days(year):
    """Return the frozenset of weekday closing days of TARGET2 in ``year``."""
    easter = easter_sunday(year)
    return frozenset(
        {
            datetime.date(year, 1, 1),
            easter - datetime.timedelta(days=2),  # Good Friday
            easter + datetime.timedelta(days=1),  # Easter Monday
            datetime.date(year, 5, 1),
            datetime.date(year, 12, 25),
            datetime.date(year, 12, 26),
        }
    )


def _as_date(value):
    # A datetime is a date too, but it would never compare equal to a closing day.
    return value.date() if isinstance(value, datetime.datetime) else value


def is_target2_business_day(date):
    """Whether TARGET2 settles on ``date`` (a date or datetime)."""
    date = _as_date(date)
    return date.weekday() < _SATURDAY and date not in target2_closing_days(date.year)


def next_target2_business_day(date):
    """Return ``date`` itself when it is a TARGET2 business day, else the next one."""
    date = _as_date(date)
    while not is_target2_business_day(date):
        date += datetime.timedelta(days=1)
    return date


def add_target2_business_days(date, days):
    """Return the date ``days`` TARGET2 business days after ``date``.

    ``date`` itself need not be a business day and is never counted. A negative
    ``days`` counts backwards; zero returns ``date`` unchanged.
    """
    date = _as_date(date)
    step = datetime.timedelta(days=1 if days >= 0 else -1)
    remaining = abs(days)
    while remaining:
        date += step
        if is_target2_business_day(date):
            remaining -= 1
    return date


def earliest_collection_date(submission_date, lead_days=1):
    """Return the earliest collection date for a file submitted on ``submission_date``.

    That is the first TARGET2 business day D such that ``submission_date`` lies at
    least ``lead_days`` TARGET2 business days before D (D-1 by default). A file sent
    on a closing day counts as sent on the next business day. Cut-off times are the
    caller's business: a file sent after the bank's cut-off should be passed with the
    next day as ``submission_date``.
    """
    if lead_days < 1:
        raise ValueError("lead_days must be at least 1 (the D-1 rule)")
    return add_target2_business_days(next_target2_business_day(submission_date), lead_days)
