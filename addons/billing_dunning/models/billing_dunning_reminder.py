from collections import defaultdict

from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..dunning.pg_arrays import array_literal


class BillingDunningReminder(models.Model):
    """One reminder for one customer in one run: every item that reaches a new level, the
    other overdue items and the unapplied credits. The highest level sets the wording and
    the channel."""

    _name = "billing.dunning.reminder"
    _description = "Dunning Reminder"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, default="/", copy=False)
    run_id = fields.Many2one(
        "billing.dunning.run",
        string="Run",
        ondelete="set null",
        index=True,
        readonly=True,
        check_company=True,
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True, check_company=True
    )
    date = fields.Date(required=True, readonly=True)
    level_id = fields.Many2one(
        "billing.dunning.level",
        string="Highest Level",
        required=True,
        readonly=True,
        check_company=True,
        help="Sets the wording and the channel of the reminder.",
    )
    channel = fields.Selection(related="level_id.channel", store=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_print", "To Print"),
            ("to_call", "To Call"),
            ("sent", "Sent"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    note = fields.Char(readonly=True)
    line_ids = fields.One2many("billing.dunning.reminder.line", "reminder_id", string="Items at a New Level")
    other_move_ids = fields.Many2many(
        "account.move",
        "billing_dunning_reminder_other_move_rel",
        "reminder_id",
        "move_id",
        string="Other Overdue Items",
        readonly=True,
        check_company=True,
    )
    credit_line_ids = fields.Many2many(
        "account.move.line",
        "billing_dunning_reminder_credit_line_rel",
        "reminder_id",
        "line_id",
        string="Unapplied Credits",
        readonly=True,
        check_company=True,
    )
    charge_ids = fields.One2many("billing.dunning.charge", "reminder_id", string="Charges", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    amount_due = fields.Monetary(
        string="Total Due",
        compute="_compute_amount_due",
        currency_field="currency_id",
        help="Open amount of all listed items less the unapplied credits, in company currency.",
    )

    _sql_constraints = [
        (
            "partner_date_uniq",
            "unique(company_id, partner_id, date)",
            "A customer gets one reminder per company and day.",
        ),
    ]

    @api.depends("line_ids.amount_residual_company", "other_move_ids", "credit_line_ids")
    def _compute_amount_due(self):
        for reminder in self:
            reminder.amount_due = (
                sum(reminder.line_ids.mapped("amount_residual_company"))
                + sum(reminder.other_move_ids.mapped("amount_residual_signed"))
                + sum(reminder.credit_line_ids.mapped("amount_residual"))
            )

    @api.model_create_multi
    def create(self, vals_list):
        unnamed = [vals for vals in vals_list if vals.get("name", "/") == "/"]
        for vals, name in zip(unnamed, self._get_next_names(len(unnamed)), strict=True):
            vals["name"] = name
        return super().create(vals_list)

    @api.model
    def _insert_batch(self, vals_list):
        """Create the reminders of a dunning run in one INSERT and return them.

        What ``create`` would store for a run, without its per-record work (defaults, company
        checks, chatter, followers, tracking), which cost a run of thousands of reminders
        more than inserting them: the numbers of the sequence, the log columns, the defaults
        (evaluated once for the batch), the stored channel of the level and the rows of the
        many2many fields. ``vals_list`` holds plain values, all with the same keys and
        without ``name`` and ``channel``: ids for many2one fields, lists of ids for many2many
        ones. A customer or level of another company raises as in ``create``. As for the
        reminder lines, the values go as one array per column (``UNNEST``): less to quote in
        Python and to parse in PostgreSQL than a row of values per reminder.
        """
        if not vals_list:
            return self.browse()
        names = [name for name in vals_list[0] if self._fields[name].column_type]
        relations = [name for name in vals_list[0] if self._fields[name].type == "many2many"]
        levels = self.env["billing.dunning.level"].browse({vals["level_id"] for vals in vals_list})
        channel_by_level = {level.id: level.channel for level in levels}
        columns = [
            name
            for name, field in self._fields.items()
            if field.store
            and field.column_type
            and not field.compute
            and name not in names
            and name not in models.LOG_ACCESS_COLUMNS
            and name not in ("id", "name")
        ]
        defaults = self.default_get(columns)
        now = self.env.cr.now()
        log_values = {
            "create_uid": self.env.uid,
            "create_date": now,
            "write_uid": self.env.uid,
            "write_date": now,
        }
        constant = {
            name: self._fields[name].convert_to_column_insert(value, self)
            for name, value in {**defaults, **log_values}.items()
        }
        columns = {
            "name": self._get_next_names(len(vals_list)),
            "channel": [channel_by_level[vals["level_id"]] for vals in vals_list],
        }
        for name in names:
            values = [vals[name] for vals in vals_list]
            # False is Odoo's empty value: NULL in a column, but for a boolean.
            if self._fields[name].type != "boolean":
                values = [None if value is False else value for value in values]
            columns[name] = values
        self.env.cr.execute(
            SQL(
                "INSERT INTO %s (%s) SELECT *, %s FROM UNNEST(%s) RETURNING id",
                SQL.identifier(self._table),
                SQL(", ").join(SQL.identifier(name) for name in [*columns, *constant]),
                SQL(", ").join(constant.values()),
                SQL(", ").join(
                    SQL(
                        "%s::%s[]",
                        array_literal(values),
                        SQL.identifier(self._fields[name].column_type[0]),
                    )
                    for name, values in columns.items()
                ),
            )
        )
        reminders = self.browse(reminder_id for [reminder_id] in self.env.cr.fetchall())
        for name in relations:
            field = self._fields[name]
            pairs = [
                (reminder.id, related_id)
                for reminder, vals in zip(reminders, vals_list, strict=True)
                for related_id in vals[name]
            ]
            if pairs:
                self.env.cr.execute(
                    SQL(
                        "INSERT INTO %s (%s, %s) SELECT * FROM UNNEST(%s::int4[], %s::int4[]) ON CONFLICT DO NOTHING",
                        SQL.identifier(field.relation),
                        SQL.identifier(field.column1),
                        SQL.identifier(field.column2),
                        array_literal([reminder_id for reminder_id, _related_id in pairs]),
                        array_literal([related_id for _reminder_id, related_id in pairs]),
                    )
                )
        self._check_batch_companies(reminders, vals_list)
        # The one2many fields on the customers and the runs list the new reminders.
        for name in [*names, *relations]:
            for inverse in self.pool.field_inverses[self._fields[name]]:
                self.env[inverse.model_name].invalidate_model([inverse.name])
        stored_computed = [
            field
            for field in self._fields.values()
            if field.store and field.compute and field.name != "channel"
        ]
        for field in stored_computed:
            self.env.add_to_compute(field, reminders)
        reminders._validate_fields([*names, *relations])
        reminders.check_access("create")
        # As a create with tracking_disable: no "State: Draft -> Sent" message when the run
        # dispatches them (the reminder's own message says it all).
        reminders._track_discard()
        return reminders

    def _check_batch_companies(self, reminders, vals_list):
        """Raise, as ``create`` would, when a customer or a level of ``vals_list`` belongs to
        another company than its reminder (one query per company: the customers' records are
        not read)."""
        partners_by_company = defaultdict(set)
        for vals in vals_list:
            partners_by_company[vals["company_id"]].add(vals["partner_id"])
        wrong_partners = set()
        for company_id, partner_ids in partners_by_company.items():
            wrong_partners.update(
                self.env["res.partner"]
                .sudo()
                .with_context(active_test=False)
                ._search([("id", "in", list(partner_ids)), ("company_id", "not in", [False, company_id])])
            )
        levels = self.env["billing.dunning.level"].browse({vals["level_id"] for vals in vals_list})
        level_company = {level.id: level.company_id.id for level in levels}
        wrong = self.browse(
            reminder.id
            for reminder, vals in zip(reminders, vals_list, strict=True)
            if vals["partner_id"] in wrong_partners
            or level_company[vals["level_id"]] not in (False, vals["company_id"])
        )
        wrong._check_company(["partner_id", "level_id"])

    @api.model
    def _get_next_names(self, count):
        """``count`` reminder numbers, drawn in one query from a standard sequence (a run
        numbers thousands of reminders at once)."""
        if not count:
            return []
        sequence = (
            self.env["ir.sequence"]
            .sudo()
            .search(
                [
                    ("code", "=", "billing.dunning.reminder"),
                    ("company_id", "in", [self.env.company.id, False]),
                ],
                order="company_id",
                limit=1,
            )
        )
        if not sequence:
            return ["/"] * count
        if sequence.implementation != "standard" or sequence.use_date_range:
            return [sequence.next_by_id() for _index in range(count)]
        self.env.cr.execute(
            SQL("SELECT nextval(%s) FROM generate_series(1, %s)", f"ir_sequence_{sequence.id:03d}", count)
        )
        prefix, suffix = sequence._get_prefix_suffix()
        return [f"{prefix}{number:0{sequence.padding}d}{suffix}" for [number] in self.env.cr.fetchall()]

    @api.ondelete(at_uninstall=False)
    def _unlink_except_dispatched(self):
        if any(reminder.state not in ("draft", "cancel") for reminder in self):
            raise UserError(self.env._("A reminder that went out cannot be deleted."))

    def action_mark_sent(self):
        """A letter was printed and posted, or the customer was called."""
        ensure_records(self)
        reminders = self.filtered(lambda reminder: reminder.state in ("to_print", "to_call"))
        reminders.activity_ids.action_feedback()
        reminders.state = "sent"
        return True

    def _get_mail_template(self):
        self.ensure_one()
        if self.level_id.mail_template_id:
            return self.level_id.mail_template_id
        xmlid = (
            "mail_template_reminder_pre_due" if self.level_id.pre_due else "mail_template_reminder_overdue"
        )
        return self.env.ref(f"billing_dunning.{xmlid}")

    def _get_overdue_moves(self):
        """Every item the reminder lists, in due date order (for templates)."""
        self.ensure_one()
        return (self.line_ids.move_id | self.other_move_ids).sorted(
            lambda move: (move.invoice_date_due, move.id)
        )

    def _get_report(self):
        """The letter of this reminder: the level's report, or the standard one."""
        self.ensure_one()
        return self.level_id.report_id or self.env.ref(
            "billing_dunning.action_report_billing_dunning_reminder"
        )

    def _get_report_items(self):
        """Every listed item with its level, open amount and this reminder's charges on it (for
        the letter): a list of dicts in due date order."""
        self.ensure_one()
        lines = {line.move_id: line for line in self.line_ids}
        charges = defaultdict(lambda: defaultdict(float))
        for charge in self.charge_ids.filtered(lambda charge: charge.state == "posted"):
            charges[charge.move_id][charge.kind] += charge.amount
        items = []
        for move in self._get_overdue_moves():
            line = lines.get(move)
            amounts = charges[move]
            items.append(
                {
                    "move": move,
                    "level": line.level_id if line else move.billing_dunning_level_id,
                    "days_overdue": max((self.date - move.invoice_date_due).days, 0),
                    "currency": move.currency_id,
                    "amount_residual": line.amount_residual if line else move.amount_residual,
                    "fees": amounts["fee"] + amounts["compensation"],
                    "interest": amounts["interest"],
                    "pay_url": move.get_base_url() + move.get_portal_url(),
                }
            )
        return items

    def _get_report_totals(self, items):
        """Per currency: open amount, charges, unapplied credits and the total to pay."""
        self.ensure_one()
        totals = {}

        def total_of(currency):
            return totals.setdefault(
                currency, {"currency": currency, "amount_residual": 0.0, "charges": 0.0, "credits": 0.0}
            )

        for item in items:
            total = total_of(item["currency"])
            total["amount_residual"] += item["amount_residual"]
            total["charges"] += item["fees"] + item["interest"]
        for credit in self.credit_line_ids:
            total_of(credit.currency_id)["credits"] += credit.amount_residual_currency
        for total in totals.values():
            total["total"] = total["currency"].round(
                total["amount_residual"] + total["charges"] + total["credits"]
            )
        return list(totals.values())

    def _create_report_attachments(self):
        """Render each reminder's letter as a PDF attached to it; return {reminder: attachment}."""
        attachments = {}
        for reminder in self:
            report = reminder._get_report()
            content, _report_type = self.env["ir.actions.report"]._render_qweb_pdf(report, reminder.ids)
            attachments[reminder] = self.env["ir.attachment"].create(
                {
                    "name": self.env._("Reminder %(name)s.pdf", name=reminder.name.replace("/", "-")),
                    "raw": content,
                    "mimetype": "application/pdf",
                    "res_model": reminder._name,
                    "res_id": reminder.id,
                }
            )
        return attachments

    @api.model
    def _get_print_vals(self, channel):
        """What a reminder of ``channel`` sent as a letter is written: it waits to be printed,
        with a note when it was meant as an e-mail (the customer has no e-mail address)."""
        if channel == "email":
            return {
                "state": "to_print",
                "note": self.env._("The customer has no e-mail address: print and post this reminder."),
            }
        return {"state": "to_print"}

    def _dispatch(self):
        """Send the reminders of ``self``: one e-mail (one chatter message) per customer, a
        phone-call activity, or a letter flagged for printing."""
        drafts = self.filtered(lambda reminder: reminder.state == "draft")
        no_email = drafts.filtered(
            lambda reminder: reminder.channel == "email" and not reminder.partner_id.email
        )
        by_email = drafts.filtered(lambda reminder: reminder.channel == "email") - no_email
        by_phone = drafts.filtered(lambda reminder: reminder.channel == "phone")
        by_letter = drafts - by_email - by_phone - no_email
        attachments = by_email._create_report_attachments()
        for reminder in by_email:
            reminder.message_post_with_source(
                reminder._get_mail_template(),
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                attachment_ids=attachments[reminder].ids,
            )
        for reminder in by_phone:
            reminder.activity_schedule(
                "mail.mail_activity_data_call",
                date_deadline=reminder.date,
                summary=self.env._(
                    "Call about the overdue invoices (%(level)s)", level=reminder.level_id.name
                ),
                user_id=(reminder.partner_id.user_id or self.env.user).id,
            )
        by_email.state = "sent"
        by_phone.state = "to_call"
        by_letter.write(self._get_print_vals("letter"))
        no_email.write(self._get_print_vals("email"))
