from collections import defaultdict

from odoo import Command, models
from odoo.exceptions import UserError


class BillingRecurringRun(models.Model):
    _inherit = "billing.recurring.run"

    def _invoice_plans(self, plans, skipped=0, accumulate=False):
        """Create and post the invoices of ``plans``, move the contract lines on and mark the
        usage billed, all in batches. A customer whose invoice cannot be made is logged in the
        run's errors and left for the next pass; the others go on."""
        self.ensure_one()
        journal = self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", self.company_id.id)], limit=1
        )
        if plans and not journal:
            raise UserError(
                self.env._("Company %(company)s has no sales journal.", company=self.company_id.name)
            )
        errors = []
        moves = self.env["account.move"]
        try:
            if plans:
                with self.env.cr.savepoint():
                    moves = self._create_invoices(plans, journal)
        except (UserError, ValueError) as error:
            # One plan spoils the batch: invoice the customers one by one to find it.
            moves = self.env["account.move"]
            self.env.invalidate_all()
            for plan in plans:
                try:
                    with self.env.cr.savepoint():
                        moves |= self._create_invoices([plan], journal)
                except (UserError, ValueError) as plan_error:
                    self.env.invalidate_all()
                    errors.append(f"{plan['partner'].display_name} ({plan['key']}): {plan_error}")
            if not errors:
                errors.append(str(error))
        messages = errors
        if accumulate:
            skipped += self.skipped_count
            messages = [*(self.error_log or "").splitlines(), *messages]
        self.write(
            {
                "invoice_count": self.invoice_count + len(moves),
                "customer_count": self.customer_count + len(moves.commercial_partner_id),
                "line_count": self.line_count + len(moves.invoice_line_ids),
                "amount_total": self.amount_total + sum(moves.mapped("amount_total")),
                "skipped_count": skipped,
                "error_count": len(messages),
                "error_log": "\n".join(messages) or False,
            }
        )
        return moves

    def _create_invoices(self, plans, journal):
        """One create for the invoices, one write per new last invoiced date and per new price,
        one post.

        The invoices are created without the hidden "Invoice Created" note and without making
        the user who runs the billing a follower of each: one message and one follower per
        invoice were a tenth of a run's time. The customer still follows each invoice once it
        is posted, and the posting is tracked in its chatter as usual."""
        vals_list = [self._prepare_invoice_vals(plan, journal) for plan in plans]
        moves = (
            self.env["account.move"]
            .with_context(mail_create_nolog=True, mail_create_nosubscribe=True)
            .create(vals_list)
            .with_env(self.env)
        )
        # A line that caught up several periods ends at the last one.
        last_dates = {}
        last_prices = {}
        for plan in plans:
            for value in plan["lines"]:
                line = value["contract_line"]
                last_dates[line] = max(
                    last_dates.get(line, value["last_date_invoiced"]), value["last_date_invoiced"]
                )
                if value["price_at_end"] is not None and not line.automatic_price:
                    last_prices[line] = value["price_at_end"]  # values run in date order
        by_date = defaultdict(lambda: self.env["contract.line"])
        for line, date in last_dates.items():
            by_date[date] |= line
        for date, lines in by_date.items():
            lines.write({"last_date_invoiced": date})
        by_price = defaultdict(lambda: self.env["contract.line"])
        for line, price in last_prices.items():
            if line.price_unit != price:
                by_price[price] |= line
        for price, lines in by_price.items():
            lines.write({"price_unit": price})
        moves.action_post()
        return moves

    def _prepare_invoice_vals(self, plan, journal):
        contracts = plan["contracts"]
        first = contracts[:1]
        if first:
            vals = first._prepare_invoice(self.date, journal=journal)
        else:
            vals = {
                "move_type": "out_invoice",
                "company_id": self.company_id.id,
                "partner_id": plan["partner"].address_get(["invoice"])["invoice"],
                "currency_id": plan["currency"].id,
                "invoice_date": self.date,
                "journal_id": journal.id,
                "invoice_line_ids": [],
            }
        vals.update(
            {
                "invoice_origin": ", ".join(name for name in contracts.mapped("name") if name) or False,
                "ref": first.code if len(contracts) == 1 else False,
                "billing_recurring_key": plan["key"],
                "billing_recurring_run_id": self.id,
            }
        )
        lines = [Command.create(value["vals"]) for value in plan["lines"]]
        for usage in plan["usages"]:
            usage_vals = {
                "product_id": usage.product_id.id,
                "quantity": usage.quantity,
                "billing_recurring_usage_ids": [Command.link(usage.id)],
            }
            if usage.name:
                usage_vals["name"] = usage.name
            if usage.price_unit:
                usage_vals["price_unit"] = usage.price_unit
            lines.append(Command.create(usage_vals))
        vals["invoice_line_ids"] = lines
        if vals["currency_id"] == self.company_id.currency_id.id and vals["move_type"] == "out_invoice":
            for _command, _id, line_vals in lines:
                self._prefill_line_amount(line_vals, plan["currency"])
        return vals

    def _prefill_line_amount(self, line_vals, currency):
        """Give an invoice line in the company's currency its untaxed amount as ``balance``.

        Created without it, each line of each invoice is written a second time by the tax
        sync of ``account.move.create`` to set it: a third of the create. Given, that sync
        finds a line without taxes right and leaves it, and still computes the taxes of a
        taxed line and writes the line again only where its figures differ (price-included
        taxes, tax grids, global rounding): the invoice is the same either way."""
        if "price_unit" not in line_vals or "balance" in line_vals:
            return
        discount = line_vals.get("discount") or 0.0
        untaxed = line_vals["price_unit"] * line_vals.get("quantity", 1.0) * (1 - discount / 100)
        amount = -currency.round(untaxed)
        line_vals.update({"balance": amount, "amount_currency": amount})
