from collections import defaultdict, namedtuple
from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..dunning.levels import target_step
from .billing_collection_dossier import LADDER_STOPPED_STATES

# Customers per batch: a batch is one transaction in the scheduled action.
BATCH_SIZE = 500

# What level selection needs of one candidate invoice: its amounts (the open amount in its
# currency and in company currency), the level it is at (None: never reminded), the date of
# that reminder and every level it was reminded at.
DunningItem = namedtuple(
    "DunningItem",
    "move_id partner_id due_date amount_residual amount_residual_signed level_id last_date reminded_level_ids",
)

# What level selection needs of a policy, read once per batch: its levels in ladder order,
# their ids, their ``dunning.levels`` steps, the index of each level id in the ladder, the
# target steps found so far by (due date, current index, last reminder date) (the invoices of
# a batch share a handful of these, and level selection asks for each), and its thresholds.
Ladder = namedtuple(
    "Ladder", "levels level_ids steps level_index targets min_amount_item min_amount_partner catch_up"
)

# What to send one customer: the ``DunningItem`` reaching a new level with that level, the
# other overdue invoices, the unapplied credits, and the highest of the new levels, which sets
# the reminder's wording and channel.
Plan = namedtuple("Plan", "partner policy escalations others credits level")


class BillingDunningRun(models.Model):
    """Dunning for one company on one date.

    The run walks the customers with open receivable invoices in id order, a batch at a
    time (``partner_cursor`` keeps the place, so a run interrupted by a crash or a time limit
    resumes where it stopped). Per batch: one query selects the candidate invoices, one locks
    them (``FOR UPDATE SKIP LOCKED``: a concurrent run skips the customers this one holds),
    one reads what level selection needs of them (amounts, the levels reached so far), the
    level of every invoice is computed by ``dunning.levels`` on plain values, the reminders
    and their lines are inserted in one statement each (letters already in the state their
    dispatch gives them), and charges and charges documents are created in a few batched
    calls.
    """

    _name = "billing.dunning.run"
    _description = "Dunning Run"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        readonly=True,
        help="Levels, thresholds, interest and charges are computed for this day.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, readonly=True
    )
    user_id = fields.Many2one(
        "res.users", string="Started By", default=lambda self: self.env.user, readonly=True
    )
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("done", "Done")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    partner_cursor = fields.Integer(
        string="Last Customer Processed", readonly=True, help="Technical: where a resumed run continues."
    )
    reminder_ids = fields.One2many("billing.dunning.reminder", "run_id", string="Reminders", readonly=True)
    reminder_count = fields.Integer(compute="_compute_counts", string="Reminder Count")
    charge_count = fields.Integer(compute="_compute_counts", string="Charge Count")
    letter_count = fields.Integer(compute="_compute_counts", string="Letters to Print")

    @api.depends("date", "company_id")
    def _compute_name(self):
        for run in self:
            run.name = self.env._("Dunning %(date)s", date=run.date) if run.date else False

    def _compute_counts(self):
        reminders = dict(
            self.env["billing.dunning.reminder"]._read_group(
                [("run_id", "in", self.ids)], ["run_id"], ["__count"]
            )
        )
        charges = dict(
            self.env["billing.dunning.charge"]._read_group(
                [("run_id", "in", self.ids)], ["run_id"], ["__count"]
            )
        )
        letters = dict(
            self.env["billing.dunning.reminder"]._read_group(
                [("run_id", "in", self.ids), ("state", "=", "to_print")], ["run_id"], ["__count"]
            )
        )
        for run in self:
            run.reminder_count = reminders.get(run, 0)
            run.charge_count = charges.get(run, 0)
            run.letter_count = letters.get(run, 0)

    # ------------------------------------------------------------------ actions

    def action_run(self):
        """Run now, all batches in this transaction (button and RPC)."""
        ensure_records(self)
        for run in self:
            run._check_runnable()
            run.state = "running"
            while run._process_batch():
                pass
        return True

    def action_run_in_background(self):
        """Let the scheduled action run it, in committed batches."""
        ensure_records(self)
        for run in self:
            run._check_runnable()
        self.state = "running"
        self.env.ref("billing_dunning.ir_cron_billing_dunning_run")._trigger()
        return True

    def action_view_reminders(self):
        ensure_records(self, single=True)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "billing_dunning.billing_dunning_reminder_action"
        )
        action["domain"] = [("run_id", "=", self.id)]
        return action

    def action_print_letters(self):
        """One PDF with the letters of the run still to print (letter channel, or e-mail
        reminders of customers without an address), in customer order."""
        ensure_records(self, single=True)
        letters = self.env["billing.dunning.reminder"].search(
            [("run_id", "=", self.id), ("state", "=", "to_print")], order="partner_id, id"
        )
        if not letters:
            raise UserError(
                self.env._("The dunning run %(run)s has no letter to print.", run=self.display_name)
            )
        action = self.env.ref("billing_dunning.action_report_billing_dunning_reminder").report_action(
            letters, config=False
        )
        # Without the empty values: the action is also returned over XML-RPC, which has no None.
        action["context"] = {key: value for key, value in action["context"].items() if value is not None}
        return {key: value for key, value in action.items() if value is not None}

    def _check_runnable(self):
        self.ensure_one()
        if self.state == "done":
            raise UserError(self.env._("The dunning run %(run)s is done already.", run=self.display_name))
        if self.date > fields.Date.context_today(self):
            raise UserError(self.env._("A dunning run cannot be dated in the future."))

    @api.model
    def _cron_run_dunning(self, batch_size=BATCH_SIZE):
        """Daily: a run per company with the daily run on, then one batch of work per call."""
        today = fields.Date.context_today(self)
        companies = self.env["res.company"].search(
            [("billing_dunning_auto_run", "=", True), ("billing_dunning_policy_id", "!=", False)]
        )
        existing = self.search([("company_id", "in", companies.ids), ("date", "=", today)])
        missing = companies - existing.company_id
        if missing:
            self.create(
                [{"company_id": company.id, "date": today, "state": "running"} for company in missing]
            )
        runs = self.search([("state", "=", "running")], order="id")
        if not runs:
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)
            return
        run = runs[0]
        more = run.with_company(run.company_id)._process_batch(batch_size)
        remaining = len(runs) - 1 + (1 if more else 0)
        self.env["ir.cron"]._notify_progress(done=1, remaining=remaining)
        if remaining:
            self.env.ref("billing_dunning.ir_cron_billing_dunning_run")._trigger()

    # ------------------------------------------------------------------ batches

    def _process_batch(self, limit=BATCH_SIZE):
        """Process the next ``limit`` customers; return whether customers are left."""
        self.ensure_one()
        lead_days = self._get_lead_days()
        partner_ids = self._get_candidate_partner_ids(limit + 1, lead_days)
        batch = partner_ids[:limit]
        if batch:
            self._process_partners(batch, lead_days)
            self.partner_cursor = batch[-1]
        if len(partner_ids) > limit:
            return True
        self._finish()
        return False

    def _finish(self):
        self.state = "done"
        self._send_thank_you()

    def _get_lead_days(self):
        """How many days before their due date invoices may be reminded: those of the
        company's earliest pre-due level, else none."""
        self.ensure_one()
        return max(
            [
                -days
                for days in self.env["billing.dunning.level"]
                .search([("company_id", "=", self.company_id.id), ("pre_due", "=", True)])
                .mapped("delay_days")
            ]
            or [0]
        )

    def _get_candidate_domain(self, partner_domain=(), lead_days=None):
        """Open posted customer invoices of the run's company that may be reminded on its date,
        of the customers of ``partner_domain`` if given. ``lead_days``: ``_get_lead_days()``,
        when the caller has it already (a run asks for each batch)."""
        self.ensure_one()
        if lead_days is None:
            lead_days = self._get_lead_days()
        return [
            ("company_id", "=", self.company_id.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            # Odoo's own "blocked" payment state is respected: it is not in this list.
            ("payment_state", "in", ("not_paid", "partial")),
            ("billing_dunning_is_charge", "=", False),
            ("invoice_date_due", "<=", self.date + timedelta(days=lead_days)),
            ("billing_dunning_court_state", "=", False),
            # Handed over to a collection agency: the agency claims it, the ladder stops.
            ("billing_collection_dossier_ids", "not any", [("state", "in", LADDER_STOPPED_STATES)]),
            "|",
            ("billing_dunning_block_reason", "=", False),
            ("billing_dunning_block_until", "<", self.date),
            # The customer's block, checked in one subquery on the customers of
            # ``partner_domain``: given a batch's customers, PostgreSQL reads them by id
            # instead of reading every customer for each batch.
            (
                "commercial_partner_id",
                "any",
                [
                    *partner_domain,
                    "|",
                    ("billing_dunning_block_reason", "=", False),
                    ("billing_dunning_block_until", "<", self.date),
                ],
            ),
        ]

    def _get_candidate_partner_ids(self, limit, lead_days=None):
        """Ids of the next ``limit`` customers after the cursor with candidate invoices."""
        after_cursor = [("id", ">", self.partner_cursor)] if self.partner_cursor else []
        domain = self._get_candidate_domain(after_cursor, lead_days)
        if self.partner_cursor:
            domain += [("commercial_partner_id", ">", self.partner_cursor)]
        query = self.env["account.move"]._search(domain)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT %s FROM %s WHERE %s ORDER BY 1 LIMIT %s",
                SQL.identifier(query.table, "commercial_partner_id"),
                query.from_clause,
                query.where_clause,
                limit,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _lock_candidates(self, partner_ids, lead_days=None):
        """Candidate invoices of ``partner_ids``, locked; customers of which a concurrent run
        holds any invoice are left out entirely (that run reminds them)."""
        Move = self.env["account.move"]
        query = Move._search(
            [
                *self._get_candidate_domain([("id", "in", partner_ids)], lead_days),
                ("commercial_partner_id", "in", partner_ids),
            ],
            order="id",
        )
        self.env.cr.execute(
            query.select(
                SQL.identifier(query.table, "id"), SQL.identifier(query.table, "commercial_partner_id")
            )
        )
        wanted = self.env.cr.fetchall()
        locked = self._lock_rows(query)
        held_elsewhere = {partner_id for move_id, partner_id in wanted if move_id not in locked}
        return Move.browse(move_id for move_id, partner_id in wanted if partner_id not in held_elsewhere)

    def _lock_rows(self, query):
        """Lock the rows of ``query`` that no other transaction holds; return their ids."""
        self.env.cr.execute(
            SQL("%s FOR UPDATE OF %s SKIP LOCKED", query.select(), SQL.identifier(query.table))
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _process_partners(self, partner_ids, lead_days=None):
        self.ensure_one()
        moves = self._lock_candidates(partner_ids, lead_days)
        if not moves:
            return
        already = {
            partner.id
            for [partner] in self.env["billing.dunning.reminder"]._read_group(
                [
                    ("company_id", "=", self.company_id.id),
                    ("date", "=", self.date),
                    ("partner_id", "in", partner_ids),
                ],
                ["partner_id"],
            )
        }
        items_by_partner = defaultdict(list)
        for item in self._get_items(moves):
            if item.partner_id not in already:
                items_by_partner[item.partner_id].append(item)
        if not items_by_partner:
            return
        partners = self.env["res.partner"].browse(sorted(items_by_partner))
        credits_by_partner = self._get_unapplied_credits(partners)
        policies = self._get_policies(partners)
        ladders = {}
        plans = []
        for partner in partners:
            policy = policies[partner]
            if not policy:
                continue
            if policy not in ladders:
                levels = list(policy._get_levels())
                level_ids = [level.id for level in levels]
                ladders[policy] = Ladder(
                    levels,
                    level_ids,
                    policy._get_steps(),
                    {level_id: index for index, level_id in enumerate(level_ids)},
                    {},
                    policy.min_amount_item,
                    policy.min_amount_partner,
                    policy.catch_up,
                )
            plan = self._plan_partner(
                partner,
                policy,
                ladders[policy],
                items_by_partner[partner.id],
                credits_by_partner.get(partner.id),
            )
            if plan:
                plans.append(plan)
        if not plans:
            return
        reminders, drafts = self._create_reminders(plans)
        self._create_charges(reminders, plans)
        drafts._dispatch()

    def _get_items(self, moves):
        """What level selection needs of ``moves``, as ``DunningItem`` tuples in due date order,
        read in one query: a run selects the levels of thousands of invoices at once, and
        reading them as records (and the invoices' computed levels) cost most of its time.

        The last level and its date are those of ``account.move``'s
        ``_compute_billing_dunning_level``: the line of the latest date, then of the highest
        level sequence, then the latest line.

        The lines are aggregated once for all ``moves`` and joined, not per invoice (a
        ``LATERAL`` subquery): a run inserts its lines in its own transaction, so PostgreSQL
        has no statistics on them, and its estimate of a per-invoice subquery, multiplied by
        the 2 500 invoices of a batch, grew with every batch until it compiled the query
        with JIT (up to a second per batch at 100 000 items for a query that runs in 30 ms)."""
        self.env["account.move"].flush_model(
            ["commercial_partner_id", "invoice_date_due", "amount_residual", "amount_residual_signed"]
        )
        self.env["billing.dunning.reminder.line"].flush_model(["move_id", "level_id", "date"])
        self.env["billing.dunning.level"].flush_model(["sequence"])
        self.env.cr.execute(
            SQL(
                """
                SELECT move.id, move.commercial_partner_id, move.invoice_date_due,
                       move.amount_residual, move.amount_residual_signed,
                       reminded.level_ids, reminded.last_date
                  FROM account_move move
             LEFT JOIN (
                        SELECT line.move_id,
                               ARRAY_AGG(line.level_id ORDER BY line.date DESC, level.sequence DESC, line.id DESC)
                                   AS level_ids,
                               MAX(line.date) AS last_date
                          FROM billing_dunning_reminder_line line
                          JOIN billing_dunning_level level ON level.id = line.level_id
                         WHERE line.move_id = ANY(%(ids)s)
                      GROUP BY line.move_id
                       ) reminded ON reminded.move_id = move.id
                 WHERE move.id = ANY(%(ids)s)
              ORDER BY move.invoice_date_due, move.id
                """,
                ids=moves.ids,
            )
        )
        return [
            DunningItem(
                move_id,
                partner_id,
                due_date,
                amount_residual,
                amount_residual_signed,
                level_ids[0] if level_ids else None,
                last_date,
                frozenset(level_ids or ()),
            )
            for (
                move_id,
                partner_id,
                due_date,
                amount_residual,
                amount_residual_signed,
                level_ids,
                last_date,
            ) in self.env.cr.fetchall()
        ]

    def _get_unapplied_credits(self, partners):
        """Open receivable credits (payments, credit notes) per customer id."""
        lines = self.env["account.move.line"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("partner_id", "child_of", partners.ids),
                ("account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual", "<", 0),
            ]
        )
        return dict(lines.grouped(lambda line: line.partner_id.commercial_partner_id.id))

    def _get_policy(self, partner):
        company = self.company_id
        return partner.with_company(company).billing_dunning_policy_id or company.billing_dunning_policy_id

    def _get_policies(self, partners):
        """{customer: its dunning policy in the run's company} for ``partners``, in one read."""
        default = self.company_id.billing_dunning_policy_id
        in_company = partners.with_company(self.company_id)
        in_company.fetch(["billing_dunning_policy_id"])
        policy_ids = [partner.billing_dunning_policy_id.id for partner in in_company]
        policies = {
            policy_id: self.env["billing.dunning.policy"].browse(policy_id)
            for policy_id in set(policy_ids)
            if policy_id
        }
        return {
            partner: policies.get(policy_id, default)
            for partner, policy_id in zip(partners, policy_ids, strict=True)
        }

    def _plan_partner(self, partner, policy, ladder, items, credits):
        """What to send ``partner``: a ``Plan``, or None. ``ladder`` is the ``Ladder`` of
        ``policy``; ``items`` are the ``DunningItem`` of the customer's candidate invoices in due
        date order.

        The amounts are compared as ``compare_amounts`` does, which is only called when they
        are close (a batch compares tens of thousands)."""
        levels, level_ids, steps, level_index, targets, min_amount_item, min_amount_partner, catch_up = ladder
        run_date = self.date
        currency = self.company_id.currency_id
        escalations, listed, others = [], [], []
        top = None
        for item in items:
            if (
                item.amount_residual_signed < min_amount_item
                and currency.compare_amounts(item.amount_residual_signed, min_amount_item) < 0
            ):
                continue
            listed.append(item)
            key = (item.due_date, level_index.get(item.level_id), item.last_date)
            if key not in targets:
                targets[key] = target_step(steps, key[0], run_date, key[1], key[2], catch_up)
            index = targets[key]
            if index is not None and level_ids[index] not in item.reminded_level_ids:
                escalations.append((item, levels[index]))
                top = index if top is None else max(top, index)
            elif item.due_date < run_date:
                others.append(item.move_id)
        if not escalations:
            return None
        credits = credits or self.env["account.move.line"]
        total = sum(item.amount_residual_signed for item in listed)
        if credits:
            total += sum(credits.mapped("amount_residual"))
        # A total above a whole rounding unit is above zero once rounded.
        if (total <= currency.rounding and currency.compare_amounts(total, 0) <= 0) or (
            total < min_amount_partner and currency.compare_amounts(total, min_amount_partner) < 0
        ):
            return None
        # The ladder is in (sequence, id) order: its highest step reached is the highest level.
        return Plan(
            partner, policy, escalations, self.env["account.move"].browse(others), credits, levels[top]
        )

    def _create_reminders(self, plans):
        """Insert the reminders of ``plans`` and their lines, one statement each; return the
        reminders and those of them left to dispatch (in draft).

        No defaults, "created" message, follower or tracking per reminder (the run posts one
        message per reminder when it sends it). A reminder that is sent as a letter (or is an
        e-mail to a customer without an address) is inserted in the state its dispatch would
        give it, waiting to be printed: dispatching it would only update that state, an
        UPDATE of every reminder of the batch right after its INSERT."""
        channels = {plan.level.id: plan.level.channel for plan in plans}
        sent_by_email = [plan.partner for plan in plans if channels[plan.level.id] == "email"]
        emails = {partner.id: partner.email for partner in sent_by_email}
        reminders_vals = [
            {
                "run_id": self.id,
                "company_id": self.company_id.id,
                "partner_id": plan.partner.id,
                "date": self.date,
                "level_id": plan.level.id,
                "other_move_ids": plan.others.ids,
                "credit_line_ids": plan.credits.ids,
                **self._get_reminder_state_vals(channels[plan.level.id], emails.get(plan.partner.id)),
            }
            for plan in plans
        ]
        reminders = self.env["billing.dunning.reminder"]._insert_batch(reminders_vals)
        drafts = reminders.browse(
            reminder.id
            for reminder, vals in zip(reminders, reminders_vals, strict=True)
            if vals["state"] == "draft"
        )
        run_date = self.date
        self.env["billing.dunning.reminder.line"]._insert_batch(
            [
                self._prepare_reminder_line_vals(reminder.id, item, level.id, run_date)
                for reminder, plan in zip(reminders, plans, strict=True)
                for item, level in plan.escalations
            ]
        )
        return reminders, drafts

    def _get_reminder_state_vals(self, channel, email):
        """State and note of a new reminder of ``channel`` to a customer with the address
        ``email``: those of a letter to print when sending it is only that, else draft."""
        if channel == "phone" or (channel == "email" and email):
            return {"state": "draft", "note": False}
        return {"note": False, **self.env["billing.dunning.reminder"]._get_print_vals(channel)}

    def _prepare_reminder_line_vals(self, reminder_id, item, level_id, run_date):
        """Values of the line of ``item`` (a ``DunningItem``) at the level ``level_id`` in the
        reminder ``reminder_id`` of this run, dated ``run_date``, the run's date (ids and the
        date are passed as plain values: a batch prepares thousands of lines)."""
        return {
            "reminder_id": reminder_id,
            "date": run_date,
            "move_id": item.move_id,
            "level_id": level_id,
            "due_date": item.due_date,
            "days_overdue": max((run_date - item.due_date).days, 0),
            "amount_residual": item.amount_residual,
            "amount_residual_company": item.amount_residual_signed,
        }

    # ------------------------------------------------------------------ thank you

    def _send_thank_you(self):
        """Thank customers once for each reminded (overdue) invoice that got paid."""
        moves = self.env["account.move"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("billing_dunning_line_ids.level_id.pre_due", "=", False),
                ("payment_state", "in", ("paid", "in_payment")),
                ("billing_dunning_thanked", "=", False),
            ]
        )
        if not moves:
            return
        template = self.env.ref("billing_dunning.mail_template_thank_you")
        moves.filtered(lambda move: move.partner_id.email).message_post_with_source(
            template, message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        moves.billing_dunning_thanked = True
