from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..dunning.interest import PROFILES, RatePeriod

# Which reference rate each dunning profile of a customer uses.
RATE_SET_BY_PROFILE = {"b2b_eu": "ecb_mro", "b2b_de": "de_base", "b2c_de": "de_base"}


class BillingDunningInterestRate(models.Model):
    """A reference rate in force from ``date_start`` until the next row of the same set.

    Legal data shared by all companies: no company field. The law fixes these rates per
    half-year, so a row starts on 1 January or 1 July.
    """

    _name = "billing.dunning.interest.rate"
    _description = "Reference Interest Rate"
    _order = "rate_set, date_start desc"
    _rec_name = "date_start"

    rate_set = fields.Selection(
        [("de_base", "German base rate (§247 BGB)"), ("ecb_mro", "ECB main refinancing rate")],
        required=True,
        default="de_base",
    )
    date_start = fields.Date(string="Valid From", required=True)
    rate = fields.Float(
        string="Reference Rate (%)",
        digits=(16, 4),
        required=True,
        help="Percent per year; may be negative (the German base rate was -0.88 % in 2016-2022).",
    )

    _sql_constraints = [
        ("rate_set_date_uniq", "unique(rate_set, date_start)", "One reference rate per set and start date."),
    ]

    @api.constrains("date_start")
    def _check_date_start(self):
        for row in self:
            if (row.date_start.month, row.date_start.day) not in ((1, 1), (7, 1)):
                raise ValidationError(
                    self.env._(
                        "A reference rate is fixed per half-year: start it on 1 January or 1 July, "
                        "not on %(date)s.",
                        date=row.date_start,
                    )
                )

    @api.model
    def _get_rate_periods(self, rate_set):
        """All periods of ``rate_set`` as plain ``RatePeriod`` tuples for the calculator."""
        rows = self.sudo().search_fetch(
            [("rate_set", "=", rate_set)], ["date_start", "rate"], order="date_start"
        )
        return [RatePeriod(row.date_start, Decimal(str(row.rate))) for row in rows]

    @api.model
    def _get_profile_rates(self, profile_code):
        """(calculator profile, rate periods) for a customer's dunning profile."""
        rate_set = RATE_SET_BY_PROFILE[profile_code]
        return PROFILES[profile_code.upper()], self._get_rate_periods(rate_set)

    @api.model
    def _raise_missing_rate(self, rate_set, day):
        label = dict(self._fields["rate_set"]._description_selection(self.env))[rate_set]
        raise UserError(
            self.env._(
                "No %(rate_set)s is entered for %(date)s. Add the missing half-year under "
                "Invoicing > Configuration > Reference Interest Rates.",
                rate_set=label,
                date=day,
            )
        )
