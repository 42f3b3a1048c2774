from datetime import date

from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestEcbReferenceRate(DunningCommon):
    """Business customers in EU countries other than Germany: ECB main refinancing rate in
    force on 1 January / 1 July, plus 8 points (Directive 2011/7/EU), and EUR 40 per invoice."""

    def test_shipped_ecb_rates_per_half_year(self):
        rates = self.env["billing.dunning.interest.rate"]._get_rate_periods("ecb_mro")
        by_start = {period.start: float(period.reference_rate) for period in rates}
        self.assertEqual(by_start[date(2025, 1, 1)], 3.15)
        self.assertEqual(by_start[date(2025, 7, 1)], 2.15)

    def test_b2b_eu_interest_across_a_rate_change(self):
        belgian = self._make_partner("Dupont SRL", "b2b_eu", country_id=self.env.ref("base.be").id)
        invoice = self._invoice(belgian, 1000.0, date(2025, 6, 20))
        self._run(date(2025, 7, 15))  # L2: fee, interest, compensation
        amounts = {charge.kind: charge.amount for charge in self._charges(invoice)}
        # 21-30 June: 1000.00 * (3.15 + 8) % * 10/365 = 3.0547945…
        # 1-15 July:  1000.00 * (2.15 + 8) % * 15/365 = 4.1712328…  → 7.2260273… → 7.23
        self.assertEqual(amounts, {"fee": 5.0, "interest": 7.23, "compensation": 40.0})
        interest = self._charges(invoice).filtered(lambda charge: charge.kind == "interest")
        self.assertIn("11.15", interest.interest_detail)
        self.assertIn("10.15", interest.interest_detail)
