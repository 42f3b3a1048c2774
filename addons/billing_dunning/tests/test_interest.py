from datetime import date
from decimal import Decimal

from odoo.tests import BaseCase, tagged

from ..dunning.interest import (
    B2B_DE,
    B2B_EU,
    B2C_DE,
    PROFILES,
    InterestSegment,
    Payment,
    RatePeriod,
    compensation_due,
    half_year_periods,
    rate_for,
    statutory_interest,
)

# §247 BGB base rate (Basiszinssatz) as test data, per half-year.
GERMAN_BASE_RATES = half_year_periods(
    {
        (2025, 2): Decimal("1.27"),
        (2024, 1): Decimal("3.62"),
        (2025, 1): Decimal("2.27"),
        (2024, 2): Decimal("3.37"),
    }
)
B2B = B2B_DE.margin_points  # +9 points: H1 2025 11.27 %, H2 2025 10.27 %


def _interest(open_amount, due_date, until, payments=(), margin=B2B, **options):
    return statutory_interest(
        Decimal(open_amount), due_date, until, list(payments), GERMAN_BASE_RATES, margin, **options
    )


@tagged("post_install", "-at_install")
class TestRateTable(BaseCase):
    def test_half_year_periods_start_on_1_january_and_1_july_in_date_order(self):
        self.assertEqual(
            GERMAN_BASE_RATES,
            [
                RatePeriod(date(2024, 1, 1), Decimal("3.62")),
                RatePeriod(date(2024, 7, 1), Decimal("3.37")),
                RatePeriod(date(2025, 1, 1), Decimal("2.27")),
                RatePeriod(date(2025, 7, 1), Decimal("1.27")),
            ],
        )

    def test_rate_for_a_day(self):
        self.assertEqual(rate_for(date(2024, 12, 31), GERMAN_BASE_RATES), Decimal("3.37"))
        self.assertEqual(rate_for(date(2025, 6, 30), GERMAN_BASE_RATES), Decimal("2.27"))
        self.assertEqual(rate_for(date(2025, 7, 1), GERMAN_BASE_RATES), Decimal("1.27"))
        # The last period runs on until a newer one is added.
        self.assertEqual(rate_for(date(2030, 12, 31), GERMAN_BASE_RATES), Decimal("1.27"))

    def test_rate_for_a_day_before_the_table_raises(self):
        with self.assertRaises(ValueError):
            rate_for(date(2023, 12, 31), GERMAN_BASE_RATES)

    def test_invalid_tables_raise(self):
        with self.assertRaises(ValueError):
            half_year_periods({(2025, 3): Decimal("1.27")})
        two_rates_same_day = [
            RatePeriod(date(2025, 7, 1), Decimal("1.27")),
            RatePeriod(date(2025, 7, 1), Decimal("1.30")),
        ]
        with self.assertRaises(ValueError):
            rate_for(date(2025, 8, 1), two_rates_same_day)


@tagged("post_install", "-at_install")
class TestStatutoryInterest(BaseCase):
    def test_single_period(self):
        # Interest runs 16 Jul - 15 Aug 2025 (31 days) at 1.27 + 9 = 10.27 %.
        result = _interest("1000.00", date(2025, 7, 15), date(2025, 8, 15))
        self.assertEqual(
            result.segments,
            [
                InterestSegment(
                    start=date(2025, 7, 16),
                    end=date(2025, 8, 15),
                    days=31,
                    base=Decimal("1000.00"),
                    annual_rate=Decimal("10.27"),
                    # 1000.00 * 10.27 % * 31/365 = 8.7224657… → 8.722466 (6 places)
                    interest=Decimal("8.722466"),
                )
            ],
        )
        # 8.7224657… → 8.72
        self.assertEqual(result.total, Decimal("8.72"))

    def test_span_crossing_1_july_is_split_at_the_rate_change(self):
        result = _interest("1000.00", date(2025, 6, 15), date(2025, 7, 31))
        self.assertEqual(
            [(s.start, s.end, s.days, s.annual_rate) for s in result.segments],
            [
                (date(2025, 6, 16), date(2025, 6, 30), 15, Decimal("11.27")),  # 2.27 + 9
                (date(2025, 7, 1), date(2025, 7, 31), 31, Decimal("10.27")),  # 1.27 + 9
            ],
        )
        # 1000.00 * 11.27 % * 15/365 = 4.6315068…
        self.assertEqual(result.segments[0].interest, Decimal("4.631507"))
        # 1000.00 * 10.27 % * 31/365 = 8.7224657…
        self.assertEqual(result.segments[1].interest, Decimal("8.722466"))
        # 4.6315068… + 8.7224657… = 13.3539726… → 13.35
        self.assertEqual(result.total, Decimal("13.35"))

    def test_two_partial_payments_split_the_span(self):
        payments = [
            Payment(date(2025, 7, 10), Decimal("700.00")),
            Payment(date(2025, 6, 20), Decimal("500.00")),
        ]
        result = _interest("2000.00", date(2025, 5, 31), date(2025, 7, 31), payments)
        self.assertEqual(
            [(s.start, s.end, s.days, s.base, s.annual_rate, s.interest) for s in result.segments],
            [
                # 2000.00 * 11.27 % * 20/365 = 12.3506849…; 20 Jun (payment day) still on 2000.00
                (
                    date(2025, 6, 1),
                    date(2025, 6, 20),
                    20,
                    Decimal("2000.00"),
                    Decimal("11.27"),
                    Decimal("12.350685"),
                ),
                # 1500.00 * 11.27 % * 10/365 = 4.6315068…
                (
                    date(2025, 6, 21),
                    date(2025, 6, 30),
                    10,
                    Decimal("1500.00"),
                    Decimal("11.27"),
                    Decimal("4.631507"),
                ),
                # 1500.00 * 10.27 % * 10/365 = 4.2205479…; 10 Jul (payment day) still on 1500.00
                (
                    date(2025, 7, 1),
                    date(2025, 7, 10),
                    10,
                    Decimal("1500.00"),
                    Decimal("10.27"),
                    Decimal("4.220548"),
                ),
                # 800.00 * 10.27 % * 21/365 = 4.7270136…
                (
                    date(2025, 7, 11),
                    date(2025, 7, 31),
                    21,
                    Decimal("800.00"),
                    Decimal("10.27"),
                    Decimal("4.727014"),
                ),
            ],
        )
        # 12.3506849… + 4.6315068… + 4.2205479… + 4.7270136… = 25.9297534… → 25.93
        self.assertEqual(result.total, Decimal("25.93"))

    def test_payment_day_bears_interest_on_the_amount_before_the_payment(self):
        payments = [Payment(date(2025, 7, 20), Decimal("400.00"))]
        result = _interest("1000.00", date(2025, 7, 15), date(2025, 7, 31), payments)
        self.assertEqual(
            [(s.start, s.end, s.base) for s in result.segments],
            [
                (date(2025, 7, 16), date(2025, 7, 20), Decimal("1000.00")),
                (date(2025, 7, 21), date(2025, 7, 31), Decimal("600.00")),
            ],
        )
        # 1000.00 * 10.27 % * 5/365 = 1.4068493… + 600.00 * 10.27 % * 11/365 = 1.8570410…
        # = 3.2638904… → 3.26
        self.assertEqual(result.total, Decimal("3.26"))

    def test_b2b_and_b2c_margins_on_the_same_case(self):
        due, until = date(2025, 6, 15), date(2025, 7, 31)  # 15 days in H1 2025, 31 days in H2 2025
        # +9: 1000.00 * 11.27 % * 15/365 = 4.6315068… + 1000.00 * 10.27 % * 31/365 = 8.7224657…
        # = 13.3539726… → 13.35
        self.assertEqual(
            _interest("1000.00", due, until, margin=B2B_DE.margin_points).total, Decimal("13.35")
        )
        # +8: 1000.00 * 10.27 % * 15/365 = 4.2205479… + 1000.00 * 9.27 % * 31/365 = 7.8731506…
        # = 12.0936986… → 12.09
        self.assertEqual(
            _interest("1000.00", due, until, margin=B2B_EU.margin_points).total, Decimal("12.09")
        )
        # +5: 1000.00 * 7.27 % * 15/365 = 2.9876712… + 1000.00 * 6.27 % * 31/365 = 5.3252054…
        # = 8.3128767… → 8.31
        b2c = _interest("1000.00", due, until, margin=B2C_DE.margin_points)
        self.assertEqual([s.annual_rate for s in b2c.segments], [Decimal("7.27"), Decimal("6.27")])
        self.assertEqual(b2c.total, Decimal("8.31"))

    def test_payment_on_or_before_the_due_date_reduces_the_base_from_the_start(self):
        payments = [
            Payment(date(2025, 7, 1), Decimal("100.00")),  # early
            Payment(date(2025, 7, 15), Decimal("300.00")),  # on the due date
            Payment(date(2025, 8, 15), Decimal("50.00")),  # on `until`: would act from 16 Aug
            Payment(date(2025, 8, 20), Decimal("600.00")),  # after `until`: ignored
        ]
        result = _interest("1000.00", date(2025, 7, 15), date(2025, 8, 15), payments)
        self.assertEqual(
            [(s.start, s.end, s.days, s.base) for s in result.segments],
            [(date(2025, 7, 16), date(2025, 8, 15), 31, Decimal("600.00"))],
        )
        # 600.00 * 10.27 % * 31/365 = 5.2334794… → 5.23
        self.assertEqual(result.total, Decimal("5.23"))

    def test_interest_stops_when_the_base_reaches_zero(self):
        payments = [
            Payment(date(2025, 7, 25), Decimal("600.00")),
            Payment(date(2025, 8, 4), Decimal("400.00")),
        ]
        result = _interest("1000.00", date(2025, 7, 15), date(2025, 8, 31), payments)
        self.assertEqual(
            [(s.start, s.end, s.base) for s in result.segments],
            [
                (date(2025, 7, 16), date(2025, 7, 25), Decimal("1000.00")),
                (date(2025, 7, 26), date(2025, 8, 4), Decimal("400.00")),
            ],
        )
        # 1000.00 * 10.27 % * 10/365 = 2.8136986… + 400.00 * 10.27 % * 10/365 = 1.1254794…
        # = 3.9391780… → 3.94; nothing from 5 Aug on
        self.assertEqual(result.total, Decimal("3.94"))

        # An overpayment ends the interest the same way; it never turns negative.
        overpaid = _interest(
            "1000.00", date(2025, 7, 15), date(2025, 8, 31), [Payment(date(2025, 7, 25), Decimal("1200.00"))]
        )
        self.assertEqual([s.end for s in overpaid.segments], [date(2025, 7, 25)])
        # 1000.00 * 10.27 % * 10/365 = 2.8136986… → 2.81
        self.assertEqual(overpaid.total, Decimal("2.81"))

        paid_when_due = _interest(
            "1000.00", date(2025, 7, 15), date(2025, 8, 31), [Payment(date(2025, 7, 15), Decimal("1000.00"))]
        )
        self.assertEqual(paid_when_due.segments, [])
        self.assertEqual(paid_when_due.total, Decimal("0.00"))

    def test_until_on_or_before_the_due_date_gives_zero(self):
        for until in (date(2025, 7, 15), date(2025, 7, 1)):
            result = _interest("1000.00", date(2025, 7, 15), until)
            self.assertEqual(result.segments, [], until)
            self.assertEqual(result.total, Decimal("0.00"), until)
            self.assertEqual(str(result.total), "0.00", until)
        # The day after the due date is the first interest day.
        first_day = _interest("1000.00", date(2025, 7, 15), date(2025, 7, 16))
        self.assertEqual(
            [(s.start, s.end, s.days) for s in first_day.segments],
            [(date(2025, 7, 16), date(2025, 7, 16), 1)],
        )
        # 1000.00 * 10.27 % * 1/365 = 0.2813698… → 0.28
        self.assertEqual(first_day.total, Decimal("0.28"))

    def test_missing_rate_for_the_first_interest_day_raises(self):
        # The table starts 1 Jan 2024; the first interest day would be 16 Dec 2023.
        with self.assertRaises(ValueError):
            _interest("1000.00", date(2023, 12, 15), date(2024, 1, 31))
        # Even when payments leave nothing to charge: a gap in the table is a setup error.
        with self.assertRaises(ValueError):
            _interest(
                "1000.00",
                date(2023, 12, 15),
                date(2024, 1, 31),
                [Payment(date(2023, 12, 1), Decimal("1000.00"))],
            )

    def test_invalid_inputs_raise(self):
        due, until = date(2025, 7, 15), date(2025, 8, 15)
        with self.assertRaises(ValueError):
            _interest("-1.00", due, until)
        with self.assertRaises(ValueError):
            _interest("1000.00", due, until, [Payment(date(2025, 7, 20), Decimal("-5.00"))])
        with self.assertRaises(ValueError):
            _interest("1000.00", due, until, margin=Decimal("-1"))
        with self.assertRaises(ValueError):
            _interest("1000.00", due, until, day_count=366)
        with self.assertRaises(TypeError):
            statutory_interest(1000.0, due, until, [], GERMAN_BASE_RATES, B2B)

    def test_total_is_rounded_once_from_the_exact_sum(self):
        result = _interest("1000.00", date(2025, 6, 15), date(2025, 7, 10))
        # 1000.00 * 11.27 % * 15/365 = 4.6315068… (alone → 4.63)
        # 1000.00 * 10.27 % * 10/365 = 2.8136986… (alone → 2.81)
        self.assertEqual([s.interest for s in result.segments], [Decimal("4.631507"), Decimal("2.813699")])
        # Sum of rounded segments would be 4.63 + 2.81 = 7.44; the exact sum 7.4452054… → 7.45.
        self.assertEqual(result.total, Decimal("7.45"))

    def test_a_true_half_cent_rounds_up(self):
        rates = [RatePeriod(date(2025, 1, 1), Decimal("1.00"))]
        result = statutory_interest(
            Decimal("18.25"), date(2025, 3, 1), date(2025, 3, 2), [], rates, Decimal("9")
        )
        # 18.25 * 10 % * 1/365 = 0.005 exactly → 0.01 (ROUND_HALF_UP; half-even would give 0.00)
        self.assertEqual(result.segments[0].interest, Decimal("0.005000"))
        self.assertEqual(result.total, Decimal("0.01"))

    def test_day_count_conventions(self):
        # actual/360: 1000.00 * 10.27 % * 31/360 = 8.8436111… → 8.84
        self.assertEqual(
            _interest("1000.00", date(2025, 7, 15), date(2025, 8, 15), day_count=360).total, Decimal("8.84")
        )
        # 16 Dec 2024 - 15 Jan 2025: 16 days at 3.37 + 9 = 12.37 %, 15 days at 2.27 + 9 = 11.27 %.
        due, until = date(2024, 12, 15), date(2025, 1, 15)
        # actual/365: 1000.00 * 12.37 % * 16/365 = 5.4224657… + 1000.00 * 11.27 % * 15/365 = 4.6315068…
        # = 10.0539726… → 10.05
        self.assertEqual(_interest("1000.00", due, until).total, Decimal("10.05"))
        # actual/actual, 2024 a leap year: 1000.00 * 12.37 % * 16/366 = 5.4076502… + 4.6315068…
        # = 10.0391571… → 10.04
        actual = _interest("1000.00", due, until, day_count="actual")
        self.assertEqual(actual.segments[0].interest, Decimal("5.407650"))
        self.assertEqual(actual.total, Decimal("10.04"))

    def test_currency_without_decimals(self):
        # 100000 * 10.27 % * 31/365 = 872.2465… → 872
        result = _interest("100000", date(2025, 7, 15), date(2025, 8, 15), currency_decimals=0)
        self.assertEqual(str(result.total), "872")


@tagged("post_install", "-at_install")
class TestInterestProfiles(BaseCase):
    def test_margins_and_compensation_per_late_invoice(self):
        self.assertEqual(
            {code: (p.margin_points, compensation_due(p)) for code, p in PROFILES.items()},
            {
                "B2B_EU": (Decimal("8"), Decimal("40.00")),
                "B2B_DE": (Decimal("9"), Decimal("40.00")),
                "B2C_DE": (Decimal("5"), Decimal("0")),
            },
        )
