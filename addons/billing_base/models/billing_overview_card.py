from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records

FIGURE_TYPES = [("amount", "Amount"), ("count", "Count")]


class BillingOverviewCard(models.Model):
    """One card of the "Getting Paid" overview: a headline figure and a second one, each a link
    to the records behind it. The cards are data; their figures are computed when read, for the
    companies selected in the company switcher, by ``_get_card_figures``, which each addon of the
    suite extends for the codes of its own cards (one grouped query per figure, whatever the
    number of records behind it)."""

    _name = "billing.overview.card"
    _description = "Getting Paid Overview Card"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True, help="Names the figures of the card: the addon that computes them knows it."
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    group_ids = fields.Many2many(
        "res.groups", string="Groups", help="When set, only members of these groups see the card."
    )
    figure_type = fields.Selection(FIGURE_TYPES, required=True, default="count")
    label = fields.Char(translate=True, help="Says what the headline figure counts.")
    second_type = fields.Selection(FIGURE_TYPES, required=True, default="count")
    second_label = fields.Char(translate=True, help="Says what the second figure counts.")
    currency_id = fields.Many2one("res.currency", compute="_compute_figures")
    amount = fields.Monetary(compute="_compute_figures")
    count = fields.Integer(compute="_compute_figures")
    second_amount = fields.Monetary(compute="_compute_figures")
    second_count = fields.Integer(compute="_compute_figures")

    _sql_constraints = [("code_unique", "unique(code)", "Each card has a code of its own.")]

    @api.depends_context("allowed_company_ids")
    def _compute_figures(self):
        figures = self._get_card_figures(set(self.mapped("code")))
        for card in self:
            values = figures.get(card.code, {})
            card.currency_id = self.env.company.currency_id
            card.amount = values.get("amount", 0.0)
            card.count = values.get("count", 0)
            card.second_amount = values.get("second_amount", 0.0)
            card.second_count = values.get("second_count", 0)

    def action_open(self):
        """The records behind the headline figure."""
        ensure_records(self, single=True)
        return self._get_card_action(self.code, second=False)

    def action_open_second(self):
        """The records behind the second figure."""
        ensure_records(self, single=True)
        return self._get_card_action(self.code, second=True)

    # --- extension points ---------------------------------------------------------------

    @api.model
    def _get_card_figures(self, codes):
        """``{code: {"amount", "count", "second_amount", "second_count"}}`` for the given codes,
        in the currency of the current company, over the companies selected in the switcher.
        Extend it for the codes of your cards: call super() and add your own."""
        figures = {}
        if "receivable" in codes and self.env["account.move.line"].has_access("read"):
            today = fields.Date.context_today(self)
            open_amount, open_count = self._sum_by_company(
                "account.move.line", self._receivable_domain(), "amount_residual", "move_id"
            )
            late_amount, late_count = self._sum_by_company(
                "account.move.line",
                [*self._receivable_domain(), ("date_maturity", "<", today)],
                "amount_residual",
                "move_id",
            )
            figures["receivable"] = {
                "amount": open_amount,
                "count": open_count,
                "second_amount": late_amount,
                "second_count": late_count,
            }
        return figures

    @api.model
    def _get_card_action(self, code, second=False):
        """The window action on the records behind a card's figure. Extend it for your codes."""
        if code == "receivable":
            today = fields.Date.context_today(self)
            lines = self._receivable_domain()
            if second:
                lines = [*lines, ("date_maturity", "<", today)]
            return self._card_window_action(
                "account.action_move_out_invoice_type",
                self.env._("Overdue Invoices") if second else self.env._("Open Invoices"),
                [("line_ids", "any", lines)],
            )
        return False

    # --- helpers for the figures --------------------------------------------------------

    @api.model
    def _receivable_domain(self):
        """What customers owe on posted receivable lines of the selected companies: the debit
        lines not paid in full (an open credit note or an unapplied payment is not deducted, so
        the overdue part is never more than the whole)."""
        return [
            ("company_id", "in", self.env.companies.ids),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
            ("amount_residual", ">", 0),
        ]

    @api.model
    def _card_window_action(self, xmlid, name, domain, view_modes=("list", "form")):
        """The window action ``xmlid`` (its views, help and model) opened on ``domain`` in
        ``view_modes``, without the default filters of its menu, which would hide part of the
        records the figure counts."""
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        own_views = {mode: view_id for view_id, mode in action.get("views") or []}
        action.update(
            {
                "name": name,
                "domain": domain,
                "context": {"create": False},
                "views": [(own_views.get(mode, False), mode) for mode in view_modes],
                "view_mode": ",".join(view_modes),
            }
        )
        action.pop("view_id", None)
        return action

    @api.model
    def _sum_by_company(self, model, domain, amount_field=None, count_field=None, currency_field=None):
        """``(amount, count)`` of the records of ``model`` matching ``domain``: the sum of
        ``amount_field`` converted to the current company's currency at today's rate (from
        ``currency_field``, else from each company's currency) and the number of records, or of
        distinct ``count_field`` values. One grouped query, by company (and currency)."""
        groupby = ["company_id", *([currency_field] if currency_field else [])]
        aggregates = [f"{count_field}:count_distinct" if count_field else "__count"]
        if amount_field:
            aggregates.append(f"{amount_field}:sum")
        groups = self.env[model]._read_group(domain, groupby, aggregates)
        currency = self.env.company.currency_id
        today = fields.Date.context_today(self)
        amount = count = 0
        for group in groups:
            from_currency = group[1] if currency_field else group[0].currency_id
            count += group[len(groupby)]
            group_amount = group[len(groupby) + 1] if amount_field else 0
            if group_amount:
                amount += from_currency._convert(group_amount, currency, self.env.company, today, round=False)
        return currency.round(amount), count
