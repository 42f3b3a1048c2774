"""Statutory late-payment interest and the fixed compensation per late invoice.

Law implemented (see the domain note, sections 1 and 2):

- Directive 2011/7/EU and §288 BGB: simple interest, never compounded, at a reference rate
  plus a margin (B2B directive +8 points, B2B Germany +9, consumer Germany +5).
- The reference rate is fixed per half-year (1 Jan and 1 Jul); the German §247 BGB base
  rate is published by the Bundesbank. Rates come in as a dated table, never hard-coded.
- Interest starts on the day after the due date; the base is the open amount including VAT
  (CJEU C-585/20), reduced by each partial payment; a span is split at every rate change and
  at every payment date.
- EUR 40 fixed compensation per late invoice for businesses (Art. 6 of the directive,
  §288(5) BGB, CJEU C-585/20); none for consumers.

Amounts are ``Decimal`` (or ``int``); floats are refused because a float such as 0.1 is not
the amount the user typed. Interest is computed exactly (``fractions.Fraction``) and only the
total is rounded, once, to the currency's decimals with ROUND_HALF_UP.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

ONE_DAY = timedelta(days=1)
# Segments are rounded for display only; the total is rounded from the exact sum.
SEGMENT_DECIMALS = 6
DAY_COUNTS = (365, 360, "actual")


@dataclass(frozen=True)
class RatePeriod:
    """A reference rate in percent per year (``Decimal("1.27")``) valid from ``start``
    until the day before the next period of the same table starts."""

    start: date
    reference_rate: Decimal


@dataclass(frozen=True)
class Payment:
    """Money received for the item on ``date`` (value date of the payment)."""

    date: date
    amount: Decimal


@dataclass(frozen=True)
class InterestSegment:
    """Interest on a constant ``base`` at a constant ``annual_rate`` (percent: reference
    rate + margin) from ``start`` to ``end``, both days included (``days`` days).
    ``interest`` is rounded to SEGMENT_DECIMALS places, for display."""

    start: date
    end: date
    days: int
    base: Decimal
    annual_rate: Decimal
    interest: Decimal


@dataclass(frozen=True)
class InterestResult:
    """The segments in date order and the total rounded to the currency's decimals."""

    segments: list[InterestSegment] = field(default_factory=list)
    total: Decimal = Decimal("0")


@dataclass(frozen=True)
class InterestProfile:
    """Margin over the reference rate (percentage points) and the fixed compensation
    due per late invoice for one kind of debtor."""

    code: str
    margin_points: Decimal
    fixed_compensation: Decimal


# Directive 2011/7/EU Art. 4(1)/12 and Art. 6: business debtor, +8 points, EUR 40.
B2B_EU = InterestProfile("B2B_EU", Decimal("8"), Decimal("40.00"))
# §288(2) and (5) BGB: no consumer involved, +9 points, EUR 40.
B2B_DE = InterestProfile("B2B_DE", Decimal("9"), Decimal("40.00"))
# §288(1) BGB: a consumer is involved, +5 points, no lump sum.
B2C_DE = InterestProfile("B2C_DE", Decimal("5"), Decimal("0"))
PROFILES = {profile.code: profile for profile in (B2B_EU, B2B_DE, B2C_DE)}


def compensation_due(profile):
    """Fixed compensation for ONE late invoice under ``profile``.

    It is owed per late invoice, also when several invoices are claimed together (CJEU
    C-585/20), so the caller adds it once for every overdue invoice, not once per reminder.
    """
    return profile.fixed_compensation


def half_year_periods(rates_by_half_year):
    """Rate periods from ``{(year, half): reference_rate}`` where ``half`` is 1 (starting
    1 Jan) or 2 (starting 1 Jul), sorted by start date."""
    periods = []
    for (year, half), rate in rates_by_half_year.items():
        if half not in (1, 2):
            raise ValueError(f"half-year must be 1 or 2, not {half!r} (year {year})")
        periods.append(RatePeriod(date(year, 1 if half == 1 else 7, 1), _as_decimal(rate, "reference rate")))
    return sorted(periods, key=lambda period: period.start)


def rate_for(day, rate_periods):
    """Reference rate in force on ``day``: the latest period starting on or before it.

    Raises ValueError when no period starts on or before ``day``.
    """
    in_force = [period for period in _sorted_periods(rate_periods) if period.start <= day]
    if not in_force:
        raise ValueError(f"no reference rate covers {day.isoformat()}")
    return in_force[-1].reference_rate


def statutory_interest(
    open_amount_at_due,
    due_date,
    until,
    payments,
    rate_periods,
    margin_points,
    *,
    day_count=365,
    currency_decimals=2,
):
    """Simple interest on an overdue item from the day after ``due_date`` to ``until``
    (both included).

    Conventions:

    - **Payment day**: a payment made on day P counts against the base from P + 1. Day P
      itself still bears interest on the amount before the payment (interest runs until
      the day of payment, the usual German/EU practice). Payments on or before
      ``due_date`` therefore reduce the base from the first interest day; payments on or
      after ``until`` change nothing.
    - **until <= due_date**: not an error; no interest has started, so the result has no
      segments and a zero total (lets a run ask for every open item without filtering).
    - **Base reaching zero**: once payments bring the base to zero or below, interest stops
      (an overpayment does not earn the debtor negative interest).
    - **Segments** start at the first interest day, at each rate period start and on the day
      after each payment; the rate of a segment is the reference rate in force on its first
      day plus ``margin_points``.
    - **Day count** ``365`` (default, actual/365), ``360`` (actual/360) or ``"actual"``
      (actual/actual: each day weighs 1/366 in a leap year, 1/365 otherwise).
    - **Rounding**: the exact sum of all segments is rounded once to ``currency_decimals``
      with ROUND_HALF_UP; segment amounts are rounded to SEGMENT_DECIMALS for display and
      are not what the total is built from.

    Raises ValueError for a negative open amount, payment or margin, an unknown day count,
    or when no rate period covers the first interest day. Reference rates may be negative
    (the German base rate was -0.88 % from 2016 to 2022).
    """
    open_amount = _as_decimal(open_amount_at_due, "open amount")
    margin = _as_decimal(margin_points, "margin points")
    if open_amount < 0:
        raise ValueError(f"open amount must not be negative: {open_amount}")
    if margin < 0:
        raise ValueError(f"margin points must not be negative: {margin}")
    if day_count not in DAY_COUNTS:
        raise ValueError(f"day count must be one of {DAY_COUNTS}, not {day_count!r}")
    reduction_by_date = {}
    for payment in payments:
        amount = _as_decimal(payment.amount, "payment amount")
        if amount < 0:
            raise ValueError(f"payment amount must not be negative: {amount} on {payment.date}")
        reduction_by_date[payment.date] = reduction_by_date.get(payment.date, Decimal("0")) + amount

    zero_total = _round_half_up(Fraction(0), currency_decimals)
    if until <= due_date:
        return InterestResult(segments=[], total=zero_total)

    periods = _sorted_periods(rate_periods)
    first_day = due_date + ONE_DAY
    rate_for(first_day, periods)  # fail early on a missing rate, even if nothing is owed

    base = open_amount - sum(
        (amount for day, amount in reduction_by_date.items() if day <= due_date), Decimal("0")
    )
    # Day on which the base drops -> amount it drops by (the day after the payment).
    reduction_from = {
        day + ONE_DAY: amount for day, amount in reduction_by_date.items() if due_date < day < until
    }
    starts = sorted(
        {first_day}
        | {period.start for period in periods if first_day < period.start <= until}
        | set(reduction_from)
    )

    segments = []
    exact_total = Fraction(0)
    for index, start in enumerate(starts):
        base -= reduction_from.get(start, Decimal("0"))
        if base <= 0:
            break
        end = starts[index + 1] - ONE_DAY if index + 1 < len(starts) else until
        annual_rate = rate_for(start, periods) + margin
        interest = Fraction(base) * Fraction(annual_rate) / 100 * _year_fraction(start, end, day_count)
        exact_total += interest
        segments.append(
            InterestSegment(
                start=start,
                end=end,
                days=(end - start).days + 1,
                base=base,
                annual_rate=annual_rate,
                interest=_round_half_up(interest, SEGMENT_DECIMALS),
            )
        )
    return InterestResult(segments=segments, total=_round_half_up(exact_total, currency_decimals))


def _as_decimal(value, what):
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise TypeError(f"{what} must be a Decimal or int, not {type(value).__name__} ({value!r})")


def _sorted_periods(rate_periods):
    periods = sorted(rate_periods, key=lambda period: period.start)
    for previous, current in pairwise(periods):
        if previous.start == current.start:
            raise ValueError(f"two reference rates start on {current.start.isoformat()}")
    return periods


def _year_fraction(start, end, day_count):
    """Days from ``start`` to ``end`` (both included) as an exact fraction of a year."""
    if day_count != "actual":
        return Fraction((end - start).days + 1, day_count)
    fraction = Fraction(0)
    for year in range(start.year, end.year + 1):
        first = max(start, date(year, 1, 1))
        last = min(end, date(year, 12, 31))
        year_length = (date(year + 1, 1, 1) - date(year, 1, 1)).days
        fraction += Fraction((last - first).days + 1, year_length)
    return fraction


def _round_half_up(value, decimals):
    """``value`` (an exact Fraction) as a Decimal with ``decimals`` places, halves away from zero."""
    # Integer arithmetic on the exact value: no Decimal context (precision, rounding) involved,
    # so a true half-cent always rounds up and the caller's context cannot change the result.
    units = int(abs(value) * 10**decimals + Fraction(1, 2))
    sign = "-" if value < 0 and units else ""
    return Decimal(f"{sign}{units}e-{decimals}")
