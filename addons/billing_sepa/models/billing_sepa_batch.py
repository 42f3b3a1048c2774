from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import SQL

from ..sepa.charset import to_sepa_identifier
from ..sepa.target2 import earliest_collection_date, next_target2_business_day


class BillingSepaBatch(models.Model):
    _name = "billing.sepa.batch"
    _description = "SEPA Direct Debit Collection"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "collection_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, copy=False, readonly=True, default="/")
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda self: self.env.company
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Bank Journal",
        required=True,
        readonly=True,
        check_company=True,
        domain="[('type', '=', 'bank')]",
        help="The bank account credited by the collection; its SEPA settings shape the file.",
    )
    collection_date = fields.Date(
        string="Requested Collection Date", required=True, readonly=True, tracking=True
    )
    state = fields.Selection(
        [
            ("gathering", "Gathering"),
            ("draft", "Draft"),
            ("generating", "Generating File"),
            ("generated", "File Generated"),
            ("sent", "Sent to Bank"),
            ("booking", "Booking"),
            ("collected", "Collected"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    line_ids = fields.One2many("billing.sepa.batch.line", "batch_id", string="Collections", readonly=True)
    skip_ids = fields.One2many(
        "billing.sepa.batch.skip", "batch_id", string="Skipped Invoices", readonly=True
    )
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.ref("base.EUR"), readonly=True
    )
    amount_total = fields.Monetary(compute="_compute_totals", store=True)
    line_count = fields.Integer(compute="_compute_totals", store=True)
    message_identifier = fields.Char(string="Message ID", readonly=True, copy=False)
    generation_count = fields.Integer(readonly=True, copy=False)
    file_attachment_ids = fields.Many2many("ir.attachment", string="SEPA Files", readonly=True, copy=False)
    collection_move_ids = fields.One2many(
        "account.move", "sepa_collection_batch_id", string="Collection Entries", readonly=True
    )
    booking_error = fields.Text(
        readonly=True,
        copy=False,
        help="Why the background booking stopped; it resumes from where it stopped on Retry Booking.",
    )
    booking_chunk_size = fields.Integer(
        readonly=True, copy=False, help="Debits per transaction of this batch's background booking."
    )
    booked_count = fields.Integer(
        compute="_compute_booked_count", help="Debits whose invoice is reconciled with the collection."
    )
    sepa_return_count = fields.Integer(string="Returns", compute="_compute_sepa_return_count")
    gathering_total = fields.Integer(
        string="Invoices Due",
        readonly=True,
        copy=False,
        help="How many invoices were due when the background gathering of this batch started.",
    )
    gathering_last_move_id = fields.Integer(
        readonly=True,
        copy=False,
        help="The last invoice (by id) the background gathering has taken: it goes on after it.",
    )
    gathered_count = fields.Integer(
        string="Invoices Gathered",
        compute="_compute_gathered_count",
        help="Invoices taken so far by the background gathering: collected or skipped.",
    )
    generated_file_count = fields.Integer(
        string="Files Generated",
        readonly=True,
        copy=False,
        help="Files of the generation in progress already built by the background generation.",
    )
    planned_file_count = fields.Integer(
        string="Files Planned",
        readonly=True,
        copy=False,
        help="Files of the generation in progress, as the journal's limit cuts the batch.",
    )

    @api.depends("line_ids.amount")
    def _compute_totals(self):
        totals = {
            batch: (amount, count)
            for batch, amount, count in self.env["billing.sepa.batch.line"]._read_group(
                [("batch_id", "in", self.ids)], ["batch_id"], ["amount:sum", "__count"]
            )
        }
        for batch in self:
            batch.amount_total, batch.line_count = totals.get(batch, (0.0, 0))

    @api.depends("line_count", "skip_ids")
    def _compute_gathered_count(self):
        skips = dict(
            self.env["billing.sepa.batch.skip"]._read_group(
                [("batch_id", "in", self.ids)], ["batch_id"], ["__count"]
            )
        )
        for batch in self:
            batch.gathered_count = batch.line_count + skips.get(batch, 0)

    def _compute_booked_count(self):
        counts = dict(
            self.env["billing.sepa.batch.line"]._read_group(
                [("batch_id", "in", self.ids), ("booking_done", "=", True)], ["batch_id"], ["__count"]
            )
        )
        for batch in self:
            batch.booked_count = counts.get(batch, 0)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code("billing.sepa.batch")
                )
        return super().create(vals_list)

    # ------------------------------------------------------------------ creation

    @api.model
    def create_collection(self, collection_date, company_id=None, journal_id=None):
        """Gather every collectable direct-debit invoice into one new batch.

        Callable over RPC. Takes posted, unpaid EUR customer invoices whose mandate is set,
        whose expected collection date has come by ``collection_date`` and which are in no
        live batch. Invoices that cannot be collected are listed on the batch with the reason.

        :return: id of the new batch, or False when no invoice was due
        """
        company = self.env["res.company"].browse(company_id) if company_id else self.env.company
        if company not in self.env.companies:
            raise AccessError(
                self.env._("You cannot create a collection for a company you have no access to.")
            )
        try:
            collection_date = fields.Date.to_date(collection_date)
        except (TypeError, ValueError):
            collection_date = None
        if not collection_date:
            raise UserError(self.env._("Give the collection date as YYYY-MM-DD."))
        # Banks move a date TARGET2 does not settle on; moving it here keeps the file honest.
        collection_date = next_target2_business_day(collection_date)
        journal = self._get_collection_journal(company, journal_id)
        self._check_collection_date(collection_date, journal)

        batch_vals = {"company_id": company.id, "journal_id": journal.id, "collection_date": collection_date}
        chunk_size = self._get_collection_chunk_size()
        due_count = self.env["account.move"].search_count(
            self._get_collectable_invoices_domain(company, collection_date)
        )
        if due_count > chunk_size:
            # One transaction for all would hold thousands of invoices locked for minutes.
            return self._start_gathering(batch_vals, due_count, chunk_size).id

        invoices = self._lock_collectable_invoices(company, collection_date)
        # Customers who keep their credits have them offset: the amount collected is the net.
        invoices = self.env["account.move.line"]._sepa_offset_collection(invoices, company)
        lines_vals, skips_vals = self.new(batch_vals)._prepare_lines_and_skips(invoices)
        if not lines_vals:
            # Nothing to collect: no empty batch, even when some invoices are still skipped.
            return False
        batch = self.create(batch_vals)
        batch._create_lines_and_skips(invoices, lines_vals, skips_vals)
        return batch.id

    def _create_lines_and_skips(self, invoices, lines_vals, skips_vals):
        """Add the prepared lines and skips of ``invoices`` to this batch and link the invoices."""
        self.ensure_one()
        invoice_by_id = {invoice.id: invoice for invoice in invoices}
        self.env["billing.sepa.batch.line"].create(
            [
                dict(
                    vals,
                    batch_id=self.id,
                    end_to_end_id=self._get_end_to_end_id(invoice_by_id[vals["move_id"]]),
                )
                for vals in lines_vals
            ]
        )
        self.env["billing.sepa.batch.skip"].create([dict(vals, batch_id=self.id) for vals in skips_vals])
        included = self.env["account.move"].browse([vals["move_id"] for vals in lines_vals])
        # A plain link on posted invoices: nothing of the invoice itself changes, so the
        # invoice line synchronisation that account.move.write runs is skipped.
        # No tracked field changes either: no need to read them all before the write.
        included.with_context(skip_invoice_sync=True, tracking_disable=True).write({"sepa_batch_id": self.id})

    @api.model
    def _cron_create_collections(self):
        """Weekly: one batch per company that chose weekly collections, for the earliest date."""
        companies = self.env["res.company"].search(
            [("sepa_auto_collect", "=", True), ("sepa_creditor_identifier", "!=", False)]
        )
        today = fields.Date.context_today(self)
        for company in companies:
            journal = self.with_company(company)._get_collection_journal(
                company, None, raise_if_missing=False
            )
            if journal:
                date = earliest_collection_date(today, 1 + journal.sepa_lead_days)
                self.with_company(company).create_collection(date, company.id, journal.id)

    def _get_collection_journal(self, company, journal_id, raise_if_missing=True):
        if journal_id:
            journal = self.env["account.journal"].browse(journal_id)
        else:
            journal = self.env["account.journal"].search(
                [("company_id", "=", company.id), ("type", "=", "bank"), ("bank_account_id", "!=", False)],
                limit=1,
            )
        if not journal or journal.type != "bank" or journal.company_id != company:
            if not raise_if_missing:
                return self.env["account.journal"]
            raise UserError(
                self.env._(
                    "Choose a bank journal of %(company)s with a bank account to collect to.",
                    company=company.display_name,
                )
            )
        return journal

    @api.model
    def _check_collection_date(self, collection_date, journal):
        earliest = earliest_collection_date(fields.Date.context_today(self), 1 + journal.sepa_lead_days)
        if collection_date < earliest:
            raise UserError(
                self.env._(
                    "The collection date %(date)s is too early: files sent today can be collected on "
                    "%(earliest)s at the earliest (one TARGET2 business day plus %(lead)s extra lead "
                    "days of %(journal)s).",
                    date=collection_date,
                    earliest=earliest,
                    lead=journal.sepa_lead_days,
                    journal=journal.display_name,
                )
            )

    @api.model
    def _get_collectable_invoices_domain(self, company, collection_date):
        return [
            ("company_id", "=", company.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("sepa_mandate_id", "!=", False),
            ("sepa_collection_date", "<=", collection_date),
            ("sepa_batch_id", "=", False),
            ("sepa_disputed", "=", False),
        ]

    @api.model
    def _lock_collectable_invoices(self, company, collection_date, after_id=0, limit=None):
        """Due direct-debit invoices in no live batch, locked against a concurrent batch.

        SKIP LOCKED lets two batch creations run at once without waiting: each takes the
        invoices the other has not locked. Writing ``sepa_batch_id`` on the invoices then
        makes a later lock on them fail to serialize, so Odoo retries the other request;
        that expected failure is not logged as a bad query.

        With ``after_id`` and ``limit``, the first ``limit`` of them above invoice id
        ``after_id``: one chunk of a background gathering.
        """
        domain = self._get_collectable_invoices_domain(company, collection_date)
        if after_id:
            domain = expression.AND([domain, [("id", ">", after_id)]])
        query = self.env["account.move"]._search(domain, order="id", limit=limit)
        self.env.flush_all()
        self.env.cr.execute(
            SQL("%s FOR UPDATE OF %s SKIP LOCKED", query.select(), SQL.identifier(query.table)),
            log_exceptions=False,
        )
        return self.env["account.move"].browse(row[0] for row in self.env.cr.fetchall())

    def _prepare_lines_and_skips(self, invoices, first_seen=None):
        """Split ``invoices`` into line and skip values (without batch_id), no query per invoice.

        ``first_seen``: ids of the mandates that already have a debit in this batch (from an
        earlier chunk of its gathering): they are not presented as first again.
        """
        self.ensure_one()
        lines, skips = [], []
        first_seen = set(first_seen or ())
        for invoice in invoices:
            reason = self._get_skip_reason(invoice)
            if reason:
                skips.append({"move_id": invoice.id, "reason": reason})
                continue
            mandate = invoice.sepa_mandate_id
            sequence_type = self._get_sequence_type(mandate, first_seen)
            first_seen.add(mandate.id)
            lines.append(
                {
                    "move_id": invoice.id,
                    "mandate_id": mandate.id,
                    "amount": invoice.amount_residual,
                    "sequence_type": sequence_type,
                }
            )
        return lines, skips

    def _get_skip_reason(self, invoice):
        mandate = invoice.sepa_mandate_id
        if invoice.currency_id.name != "EUR":
            return self.env._(
                "SEPA direct debits are in EUR; this invoice is in %(currency)s.",
                currency=invoice.currency_id.name,
            )
        if mandate.state != "active":
            return self.env._(
                "Mandate %(reference)s is %(state)s.",
                reference=mandate.name,
                state=dict(mandate._fields["state"]._description_selection(self.env))[mandate.state],
            )
        if mandate.signature_date and mandate.signature_date > self.collection_date:
            return self.env._(
                "Mandate %(reference)s was signed after the collection date.", reference=mandate.name
            )
        if invoice.amount_residual <= 0:
            return self.env._("Nothing left to collect.")
        return False

    def _get_sequence_type(self, mandate, first_seen):
        if mandate.mandate_type == "oneoff":
            return "OOFF"
        if (
            self.journal_id.sepa_use_first_sequence
            and not mandate.sequence_settled
            and mandate.id not in first_seen
        ):
            return "FRST"
        return "RCUR"

    def _get_end_to_end_id(self, invoice):
        # Traceable to the invoice by its number, unique per batch by the batch id.
        suffix = f"-{self.id}"
        return to_sepa_identifier(invoice.name)[: 35 - len(suffix)] + suffix

    @api.model
    def _find_by_message_identifiers(self, company, message_identifiers):
        """The batches of ``company`` whose file(s) carried one of ``message_identifiers``."""
        message_identifiers = {identifier for identifier in message_identifiers if identifier}
        if not message_identifiers:
            return self.browse()
        # A batch sent as one file per payment block lists its message ids, comma-separated.
        domain = expression.OR(
            [[("message_identifier", "ilike", identifier)] for identifier in message_identifiers]
        )
        batches = self.search(expression.AND([[("company_id", "=", company.id)], domain]))
        return batches.filtered(lambda batch: message_identifiers & set(batch.message_identifier.split(", ")))

    def _compute_sepa_return_count(self):
        counts = self.env["billing.sepa.return"]._count_by("batch_id", self)
        for batch in self:
            batch.sepa_return_count = counts.get(batch, 0)

    def action_view_sepa_returns(self):
        ensure_records(self, single=True)
        return self.env["billing.sepa.return"]._get_action([("batch_id", "=", self.id)])

    def action_import_bank_report(self):
        """Open the upload of a bank report (rejects, returns) for this batch's company."""
        ensure_records(self, single=True)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "billing_sepa.billing_sepa_return_import_wizard_action"
        )
        action["context"] = {"default_company_id": self.company_id.id}
        return action

    def _check_manager_rights(self):
        # Invoicing users prepare collections; what moves money needs an accounting manager.
        if not self.env.su and not self.env.user.has_group("account.group_account_manager"):
            raise AccessError(
                self.env._("Only accounting managers can generate, send or book SEPA collections.")
            )

    def action_cancel(self):
        """Cancel the batches: their invoices are free for another collection.

        A batch being gathered in the background stops there: the scheduled action leaves
        cancelled batches alone, and a chunk it is adding right now makes this cancel wait for
        it and retry, so that the invoices of that chunk are freed too.
        """
        ensure_records(self)
        if self.filtered(lambda batch: batch.state == "collected"):
            raise UserError(self.env._("A collected batch cannot be cancelled."))
        if self.filtered(lambda batch: batch.state == "booking"):
            raise UserError(
                self.env._("A batch being booked cannot be cancelled: its entries are partly posted.")
            )
        self.line_ids.move_id.write({"sepa_batch_id": False})
        self.write({"state": "cancelled"})
        return True
