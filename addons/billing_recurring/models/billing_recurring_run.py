import logging

from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records

_logger = logging.getLogger(__name__)


class BillingRecurringRun(models.Model):
    _name = "billing.recurring.run"
    _description = "Billing Run"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="Invoices every contract line and usage due up to the end of each customer's billing "
        "period containing this date; the invoices are dated this day.",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("done", "Done")],
        default="draft",
        required=True,
        readonly=True,
        help="Running: customers are left to invoice (a run that stopped midway continues where "
        "it stopped when started again or by the scheduled action).",
    )
    move_ids = fields.One2many("account.move", "billing_recurring_run_id", string="Invoices", readonly=True)
    invoice_count = fields.Integer(string="Invoices Created", readonly=True)
    customer_count = fields.Integer(string="Customers Invoiced", readonly=True)
    line_count = fields.Integer(string="Invoice Lines", readonly=True)
    skipped_count = fields.Integer(
        string="Already Invoiced", readonly=True, help="Customer periods a previous run had invoiced."
    )
    error_count = fields.Integer(string="Errors", readonly=True)
    error_log = fields.Text(string="Errors of the Last Pass", readonly=True)
    partner_cursor = fields.Integer(
        string="Last Customer Done",
        readonly=True,
        help="The scheduled action invoices the customers in batches in the order of their id: "
        "the id of the last customer of the last batch it committed.",
    )
    amount_total = fields.Monetary(string="Invoiced Total", readonly=True, currency_field="currency_id")
    currency_id = fields.Many2one(related="company_id.currency_id")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("billing.recurring.run") or "/"
        return super().create(vals_list)

    def action_run(self):
        """Invoice everything due for the run's date (callable over RPC). A run that stopped
        midway continues: customer periods already invoiced are skipped. Returns True."""
        ensure_records(self)
        for run in self:
            run.with_company(run.company_id)._process()
        return True

    def action_preview(self):
        """The dry-run preview: what this run would invoice, nothing written."""
        ensure_records(self, single=True)
        wizard = self.env["billing.recurring.preview"].create({"run_id": self.id})
        wizard._fill()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Billing Run Preview"),
            "res_model": "billing.recurring.preview",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_view_invoices(self):
        """The invoices this run created."""
        ensure_records(self)
        action = self.env["ir.actions.act_window"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [("billing_recurring_run_id", "in", self.ids)]
        action["context"] = {"default_move_type": "out_invoice"}
        return action

    def _process(self, limit=None):
        """Invoice the customers with something due: all of them (the button, in one
        transaction), or the next ``limit`` customers after the run's cursor (the scheduled
        action, which commits between calls). Returns how many customers are left after the
        cursor. The run is done when none is left and no customer failed."""
        self.ensure_one()
        after = self.partner_cursor if limit else 0
        partner_ids = self._candidate_partners(after)
        chunk = partner_ids[:limit] if limit else partner_ids
        plans, skipped = self._plan(chunk)
        # The scheduled action's batches add up; the button's pass counts on its own.
        created = self._invoice_plans(plans, skipped, accumulate=bool(limit))
        remaining = len(partner_ids) - len(chunk)
        self.write(
            {
                "partner_cursor": chunk[-1] if chunk else after,
                "state": "running" if remaining or self.error_count else "done",
            }
        )
        _logger.info(
            "Billing run %s: %s invoices created, %s customers left", self.name, len(created), remaining
        )
        return remaining

    @api.model
    def _cron_billing_run(self, batch_size=200):
        """The daily billing run of the companies that switched it on, ``batch_size`` customer
        periods per transaction; the cron commits between batches, so a crash loses one batch
        at most and the next call continues."""
        companies = self.env["res.company"].search([("billing_recurring_auto_run", "=", True)])
        today = fields.Date.context_today(self)
        remaining = done = 0
        for company in companies:
            runs = self.search([("company_id", "=", company.id), ("date", "=", today)])
            if runs and all(run.state == "done" for run in runs):
                continue
            run = runs.filtered(lambda run: run.state != "done")[:1] or self.create(
                {"company_id": company.id, "date": today}
            )
            before = run.invoice_count
            remaining += run.with_company(company)._process(limit=batch_size)
            done += run.invoice_count - before
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        if remaining:
            self.env.ref("billing_recurring.ir_cron_billing_recurring_run")._trigger()
        return True
