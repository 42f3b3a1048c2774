from collections import defaultdict
from datetime import timedelta
from itertools import pairwise

from dateutil.relativedelta import relativedelta

from odoo import models
from odoo.tools import float_round

ONE_DAY = timedelta(days=1)


def billing_period(date, interval):
    """(first day, last day, label) of the billing period of ``interval`` containing ``date``."""
    if interval == "yearly":
        start = date.replace(month=1, day=1)
        return start, start + relativedelta(years=1) - ONE_DAY, f"{date.year}"
    if interval == "quarterly":
        quarter = (date.month - 1) // 3
        start = date.replace(month=3 * quarter + 1, day=1)
        return start, start + relativedelta(months=3) - ONE_DAY, f"{date.year}-Q{quarter + 1}"
    start = date.replace(day=1)
    return start, start + relativedelta(months=1) - ONE_DAY, f"{date:%Y-%m}"


class BillingRecurringRun(models.Model):
    _inherit = "billing.recurring.run"

    def _due_line_domain(self):
        """The contract lines a run may invoice: due by the end of the run's year at the latest
        (a yearly customer's horizon); each customer's own horizon is applied in ``_plan``."""
        self.ensure_one()
        return [
            ("contract_id.company_id", "=", self.company_id.id),
            ("contract_id.contract_type", "=", "sale"),
            ("contract_id.billing_recurring", "=", True),
            ("contract_id.active", "=", True),
            ("is_canceled", "=", False),
            ("display_type", "=", False),
            ("recurring_next_date", "!=", False),
            ("recurring_next_date", "<=", billing_period(self.date, "yearly")[1]),
        ]

    def _due_usage_domain(self):
        self.ensure_one()
        return [
            ("company_id", "=", self.company_id.id),
            ("state", "=", "pending"),
            ("date", "<=", billing_period(self.date, "yearly")[1]),
        ]

    def _candidate_partners(self, after=0):
        """Ids of the customers (commercial partners) with something due, above ``after``,
        in ascending order: two grouped reads."""
        self.ensure_one()
        contracts = self.env["contract.contract"]._read_group(
            [("contract_line_ids", "any", self._due_line_domain())], ["commercial_partner_id"]
        )
        usages = self.env["billing.recurring.usage"]._read_group(self._due_usage_domain(), ["partner_id"])
        partners = {partner.id for (partner,) in contracts}
        partners.update(partner.commercial_partner_id.id for (partner,) in usages)
        return sorted(partner for partner in partners if partner > after)

    def _plan(self, partner_ids=None):
        """What this run invoices for the customers ``partner_ids`` (all when None): (plans,
        number of customer periods invoiced before). Plans: one per invoice still to create,
        each a dict with ``key`` (customer, period and, per contract, the contract),
        ``partner`` (commercial), ``contracts``, ``currency``, ``lines`` (invoice line values
        with the contract line and its new last invoiced date and price) and ``usages``. Reads
        in batches and writes nothing: the dry-run preview shows it as it is.
        """
        self.ensure_one()
        company = self.company_id
        line_domain, usage_domain = self._due_line_domain(), self._due_usage_domain()
        if partner_ids is not None:
            line_domain.append(("contract_id.commercial_partner_id", "in", partner_ids))
            usage_domain.append(("partner_id.commercial_partner_id", "in", partner_ids))
        lines = self.env["contract.line"].search(line_domain, order="contract_id, sequence, id")
        usages = self.env["billing.recurring.usage"].search(usage_domain, order="date, id")
        partners = lines.contract_id.commercial_partner_id | usages.partner_id.commercial_partner_id
        periods = {
            partner: billing_period(self.date, partner.billing_recurring_interval) for partner in partners
        }
        prices = defaultdict(list)
        for change in self.env["billing.recurring.price"].search([("contract_line_id", "in", lines.ids)]):
            prices[change.contract_line_id].append((change.date, change.price_unit))
        lang_formats = {lang.code: lang.date_format for lang in self.env["res.lang"].search([])}

        plans = {}

        def plan_for(partner, contract, currency, period_label):
            by_contract = partner.billing_recurring_grouping == "contract"
            key = f"{company.id}/{partner.id}/{period_label}"
            if by_contract:
                key += f"/c{contract.id}" if contract else "/usage"
            if currency != company.currency_id:
                key += f"/{currency.name}"
            if key not in plans:
                plans[key] = {
                    "key": key,
                    "partner": partner,
                    "contracts": self.env["contract.contract"],
                    "currency": currency,
                    "lines": [],
                    "usages": self.env["billing.recurring.usage"],
                }
            plan = plans[key]
            if contract:
                plan["contracts"] |= contract
            return plan

        for line in lines:
            contract = line.contract_id
            partner = contract.commercial_partner_id
            _start, horizon, label = periods[partner]
            values = self._plan_line(line, horizon, prices.get(line, []), lang_formats)
            if values:
                plan_for(partner, contract, contract.currency_id, label)["lines"].extend(values)
        for usage in usages:
            partner = usage.partner_id.commercial_partner_id
            _start, horizon, label = periods[partner]
            if usage.date > horizon:
                continue
            contract = usage.contract_id
            currency = contract.currency_id or company.currency_id
            plan_for(partner, contract, currency, label)["usages"] |= usage

        done = set(
            self.env["account.move"]
            .search([("billing_recurring_key", "in", list(plans))])
            .mapped("billing_recurring_key")
        )
        return [plan for key, plan in sorted(plans.items()) if key not in done], len(done)

    def _plan_line(self, line, horizon, price_changes, lang_formats):
        """The invoice line values of every period of ``line`` due up to ``horizon`` (a line
        behind catches up), prorated on its start and end dates and split at price changes."""
        next_date = line.recurring_next_date
        last_invoiced = line.last_date_invoiced
        rule, interval = line.recurring_rule_type, line.recurring_interval
        values = []
        while next_date and next_date <= horizon:
            first = last_invoiced + ONE_DAY if last_invoiced else line.date_start
            last = line.get_next_period_date_end(
                first,
                rule,
                interval,
                max_date_end=line.date_end,
                next_invoice_date=next_date,
                recurring_invoicing_type=line.recurring_invoicing_type,
                recurring_invoicing_offset=line.recurring_invoicing_offset,
            )
            if not last or last < first:
                break
            values.extend(self._plan_period(line, first, last, price_changes, lang_formats))
            last_invoiced = last
            next_date = line.get_next_invoice_date(
                last + ONE_DAY,
                line.recurring_invoicing_type,
                line.recurring_invoicing_offset,
                rule,
                interval,
                max_date_end=line.date_end,
            )
        return values

    def _plan_period(self, line, first, last, price_changes, lang_formats):
        """Invoice line values of one period [first, last] of ``line``: one per price segment,
        each prorated to its share of the line's nominal period."""
        rule, interval = line.recurring_rule_type, line.recurring_interval
        nominal_end = line.get_next_period_date_end(first, rule, interval, max_date_end=False)
        back = (
            relativedelta(months=interval)
            if rule == "monthlylastday"
            else line.get_relative_delta(rule, interval)
        )
        nominal_start = nominal_end + ONE_DAY - back
        nominal_days = (nominal_end - nominal_start).days + 1
        cuts = sorted({date for date, _price in price_changes if first < date <= last})
        bounds = [first, *cuts, last + ONE_DAY]
        currency = line.contract_id.currency_id
        date_format = lang_formats.get(line.contract_id.partner_id.lang) or "%m/%d/%Y"
        values = []
        for start, stop in pairwise(bounds):
            days = (stop - start).days
            price = line.price_unit
            for date, new_price in price_changes:
                if date <= start:
                    price = new_price
            price_at_start = price
            name = (line.name or "").replace("#START#", start.strftime(date_format))
            name = name.replace("#END#", (stop - ONE_DAY).strftime(date_format))
            if days != nominal_days:
                price = float_round(price * days / nominal_days, precision_rounding=currency.rounding)
                name = self.env._(
                    "%(name)s (%(start)s to %(end)s, %(days)s of %(period)s days)",
                    name=name,
                    start=start.strftime(date_format),
                    end=(stop - ONE_DAY).strftime(date_format),
                    days=days,
                    period=nominal_days,
                )
            values.append(
                {
                    "contract_line": line,
                    "last_date_invoiced": last,
                    "price_at_end": price_at_start if price_changes else None,
                    "vals": {
                        "product_id": line.product_id.id,
                        "name": name,
                        "quantity": line.quantity,
                        "product_uom_id": line.uom_id.id,
                        "price_unit": price,
                        "discount": line.discount,
                        "analytic_distribution": line.analytic_distribution,
                        "contract_line_id": line.id,
                    },
                }
            )
        return values
