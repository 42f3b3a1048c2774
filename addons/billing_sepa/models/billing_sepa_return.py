from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

from .billing_sepa_batch_booking import BULK_BOOKING_CONTEXT


class BillingSepaReturn(models.Model):
    """One rejected, returned or refunded direct debit, as the bank reported it."""

    _name = "billing.sepa.return"
    _description = "SEPA Direct Debit Return"
    _order = "id desc"
    _check_company_auto = True
    _rec_name = "key"

    import_id = fields.Many2one(
        "billing.sepa.return.import",
        string="Import",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    key = fields.Char(required=True, readonly=True, help="Identifies the bank's entry: imported once.")
    state = fields.Selection(
        [("matched", "Matched"), ("to_review", "To Review"), ("booked", "Booked"), ("ignored", "Ignored")],
        required=True,
        default="to_review",
        readonly=True,
        index=True,
        help="Matched: found the collection, waits for it to be booked. To Review: no collection "
        "found; choose it and press Match. Booked: the invoice is open again.",
    )
    kind = fields.Selection(
        [("reject", "Reject"), ("return", "Return"), ("refund", "Refund")],
        required=True,
        readonly=True,
        help="A reject comes before settlement and does not count as a collection; a return or a "
        "refund comes after it.",
    )
    level = fields.Selection(
        [("file", "File"), ("block", "Payment Block"), ("transaction", "Transaction")],
        required=True,
        default="transaction",
        readonly=True,
    )
    batch_line_id = fields.Many2one(
        "billing.sepa.batch.line",
        string="Collection",
        index="btree_not_null",
        check_company=True,
        domain="[('batch_id.state', '!=', 'cancelled')]",
        help="The direct debit this return undoes. Set it on a return to review, then press Match.",
    )
    batch_id = fields.Many2one(related="batch_line_id.batch_id", store=True, index="btree_not_null")
    invoice_id = fields.Many2one(
        related="batch_line_id.move_id", string="Invoice", store=True, index="btree_not_null"
    )
    partner_id = fields.Many2one(
        related="invoice_id.commercial_partner_id", string="Customer", store=True, index="btree_not_null"
    )
    mandate_id = fields.Many2one(related="batch_line_id.mandate_id", string="Mandate", store=True)
    reason_id = fields.Many2one("billing.sepa.return.reason", string="Reason", readonly=True)
    reason_action = fields.Selection(related="reason_id.action")
    reason_text = fields.Char(string="Proprietary Reason", readonly=True)
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.ref("base.EUR"), readonly=True
    )
    amount = fields.Monetary(readonly=True)
    bank_charge = fields.Monetary(readonly=True, help="What the bank kept for the return.")
    date = fields.Date(readonly=True)
    additional_info = fields.Text(readonly=True)
    original_message_id = fields.Char(string="Original Message ID", readonly=True)
    original_payment_info_id = fields.Char(string="Original Payment Block", readonly=True)
    original_end_to_end_id = fields.Char(
        string="Original End-to-End ID", readonly=True, index="btree_not_null"
    )
    original_instruction_id = fields.Char(string="Original Instruction ID", readonly=True)
    original_mandate_id = fields.Char(string="Original Mandate", readonly=True)
    original_collection_date = fields.Date(string="Original Collection Date", readonly=True)
    raw_xml = fields.Text(string="Bank Entry", readonly=True)
    move_id = fields.Many2one("account.move", string="Return Entry", readonly=True, index="btree_not_null")
    followed_up = fields.Boolean(
        string="Followed Up",
        readonly=True,
        copy=False,
        help="The reason's action, the notes on the invoice and the mandate, the activity and the "
        "return fee of this booked return are done. The returns of a large bank report are booked "
        "by one scheduled action and followed up by another.",
    )

    _sql_constraints = [
        ("key_company_unique", "unique(company_id, key)", "The bank reported this entry once already."),
    ]

    # ------------------------------------------------------------------ matching

    @api.model
    def _match_vals(self, company, vals_list):
        """Find the collection of each return to create, before it is created.

        By end-to-end id, then instruction id, then mandate + amount (+ collection date): a few
        searches for all of ``vals_list``, whose values get ``batch_line_id`` and state
        ``matched``. A collection is returned once: a return of a collection returned already
        (the day's camt.053 after the camt.054) stays for review. A file- or block-level reject
        becomes one matched return per collection of the file or block.

        :return: ``vals_list`` and the values of the returns the group rejects add
        """
        Line = self.env["billing.sepa.batch.line"]
        base = [("company_id", "=", company.id), ("batch_id.state", "!=", "cancelled")]
        transactions = [vals for vals in vals_list if vals["level"] == "transaction"]
        references = {vals["original_end_to_end_id"] for vals in transactions}
        references |= {vals["original_instruction_id"] for vals in transactions}
        references.discard(False)
        by_reference = {
            line.end_to_end_id: line
            for line in Line.search_fetch(
                expression.AND([base, [("end_to_end_id", "in", list(references))]]),
                ["end_to_end_id"],
                order="id",
            )
        }
        found = {}
        for index, vals in enumerate(transactions):
            line = by_reference.get(vals["original_end_to_end_id"]) or by_reference.get(
                vals["original_instruction_id"]
            )
            if line:
                found[index] = line
        by_mandate = self._match_vals_by_mandate(
            base, [(index, vals) for index, vals in enumerate(transactions) if index not in found]
        )
        candidate_ids = {line.id for line in found.values()}
        candidate_ids.update(line.id for lines in by_mandate.values() for line in lines)
        candidates = Line.browse(candidate_ids)
        returned = set(self._get_returned_lines(company, candidates).ids)
        for index, vals in enumerate(transactions):
            line = found.get(index)
            if not line:
                # The latest collection of that mandate and amount not returned yet.
                line = next((line for line in by_mandate.get(index, ()) if line.id not in returned), None)
            if not line or line.id in returned:
                # Not found, or reported again by another file: left for review, never booked twice.
                continue
            vals.update(batch_line_id=line.id, state="matched")
            returned.add(line.id)
        groups = [vals for vals in vals_list if vals["level"] != "transaction"]
        return vals_list + self._expand_group_rejects(company, groups)

    @api.model
    def _match_vals_by_mandate(self, base_domain, indexed_vals):
        """{index: candidate collections, latest first} of returns known by mandate and amount only."""
        wanted = [(index, vals) for index, vals in indexed_vals if vals["original_mandate_id"]]
        if not wanted:
            return {}
        lines = self.env["billing.sepa.batch.line"].search(
            expression.AND(
                [
                    base_domain,
                    [
                        (
                            "mandate_id.reference_key",
                            "in",
                            list({vals["original_mandate_id"].upper() for _i, vals in wanted}),
                        )
                    ],
                ]
            )
        )
        by_mandate = defaultdict(list)
        for line in lines:
            by_mandate[line.mandate_id.reference_key].append(line)
        result = {}
        for index, vals in wanted:
            collection_date, date = vals["original_collection_date"], vals["date"]
            matching = [
                line
                for line in by_mandate.get(vals["original_mandate_id"].upper(), ())
                if not line.currency_id.compare_amounts(line.amount, vals["amount"])
                and (
                    line.batch_id.collection_date == collection_date
                    if collection_date
                    else not date or line.batch_id.collection_date <= date
                )
            ]
            result[index] = sorted(
                matching, key=lambda line: (line.batch_id.collection_date, line.id), reverse=True
            )
        return result

    @api.model
    def _get_returned_lines(self, company, lines=None):
        """The collections of ``company`` (among ``lines`` if given) a return is matched with already."""
        domain = [("company_id", "=", company.id), ("state", "in", ("matched", "booked"))]
        if lines is not None:
            domain.append(("batch_line_id", "in", lines.ids))
        return self.search_fetch(domain, ["batch_line_id"]).batch_line_id

    @api.model
    def _expand_group_rejects(self, company, vals_list):
        """A reject of a whole file or payment block: one matched return per collection in it.

        :return: the values of the returns to add; the reject's own ``vals`` become the first
        """
        Batch = self.env["billing.sepa.batch"]
        added = []
        for vals in vals_list:
            batches = Batch._find_by_message_identifiers(company, {vals["original_message_id"]})
            # A batch may have gone out in several files: only the debits of the rejected one.
            domain = [
                ("batch_id", "in", batches.ids),
                ("message_identifier", "=", vals["original_message_id"]),
            ]
            if vals["level"] == "block":
                domain.append(("payment_info_identifier", "=", vals["original_payment_info_id"]))
            lines = self.env["billing.sepa.batch.line"].search(domain, order="id")
            if not lines:
                continue
            group_key = vals["key"]
            for index, line in enumerate(lines):
                line_vals = vals if not index else dict(vals, bank_charge=0.0)
                line_vals.update(
                    batch_line_id=line.id,
                    state="matched",
                    amount=line.amount,
                    key=f"{group_key}/{line.end_to_end_id}",
                )
                if index:
                    added.append(line_vals)
        return added

    def action_match(self):
        """Match returns under review with the collection the user chose, then book them."""
        ensure_records(self)
        to_match = self.filtered(lambda r: r.state == "to_review")
        if to_match.filtered(lambda r: not r.batch_line_id):
            raise UserError(self.env._("Choose the collection each return undoes first."))
        for company, returns in to_match.grouped("company_id").items():
            twice = self._get_returned_lines(company, returns.batch_line_id)
            if twice or len(returns.batch_line_id) < len(returns):
                raise UserError(
                    self.env._(
                        "The direct debit %(collection)s has been returned already: a collection is returned once.",
                        collection=(twice[:1] or returns.batch_line_id[:1]).end_to_end_id,
                    )
                )
        to_match.write({"state": "matched"})
        to_match._process()
        # An import still booking in the background is finished by its scheduled action.
        for record in to_match.import_id.filtered(lambda record: record.state == "to_review"):
            if not record.return_ids.filtered(lambda r: r.state == "to_review"):
                record.state = "done"
        return True

    def action_ignore(self):
        ensure_records(self)
        self.filtered(lambda r: r.state == "to_review").write({"state": "ignored"})
        return True

    # ------------------------------------------------------------------ processing

    def _process(self):
        """Book the matched returns whose collection is booked, then apply their reasons' actions.

        A reject of a collection not booked yet waits until its batch is booked.
        """
        ready = self._get_ready_to_book()
        ready._book()
        ready._follow_up()
        return ready

    def _follow_up(self):
        """What follows the booking of these returns: their reasons' actions on the invoices and
        mandates, a note per return, the activities and the return fees; each return once."""
        if not self:
            return
        self._apply_actions()
        self._post_messages()
        self._charge_fees()
        self.write({"followed_up": True})

    @api.model
    def _lock_next(self, domain, limit):
        """The first ``limit`` returns of ``domain`` (by id) no other transaction holds, locked.

        SKIP LOCKED, in the query that picks them: two workers at once each take a chunk of
        their own, the second the one after the first's, and never wait for each other.
        """
        query = self._search(domain, order="id", limit=limit)
        self.env.flush_all()
        self.env.cr.execute(
            SQL("%s FOR NO KEY UPDATE OF %s SKIP LOCKED", query.select(), SQL.identifier(query.table))
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())

    def _get_ready_to_book(self):
        """The matched returns whose collection is booked."""
        return self.filtered(lambda r: r.state == "matched" and r.batch_line_id.booking_done)

    def _check_booking_accounts(self):
        """Raise the error booking these returns would raise for an account missing in the settings."""
        for batch in self.batch_id:
            batch._get_outstanding_account()
        for company in self.filtered(lambda r: not r.currency_id.is_zero(r.bank_charge)).company_id:
            self._get_charge_account(company)

    @api.model
    def _get_charge_account(self, company):
        """The expense account of the charges the bank keeps on returns."""
        if not company.sepa_return_charge_account_id:
            raise UserError(
                self.env._(
                    "The bank kept charges on returns: set the bank charge account in the SEPA settings of %(company)s.",
                    company=company.display_name,
                )
            )
        return company.sepa_return_charge_account_id

    def _book(self):
        """Reverse each debtor's part of the collection: one entry per import and payment block."""
        if not self:
            return
        ids_by_group = defaultdict(list)
        for ret in self:
            line = ret.batch_line_id
            ids_by_group[ret.import_id, line.batch_id, line.payment_info_identifier].append(ret.id)
        # Their own prefetch set: the batch lines they are read from leave the cache below.
        collection_lines = self.batch_line_id.collection_line_id.with_prefetch().with_context(
            **BULK_BOOKING_CONTEXT
        )
        # The invoices leave their collection: they are open again, with their own due date.
        # Their matching numbers first, all at once: core would read each one alone once the
        # partials are gone (unlinking empties the cache).
        collection_lines.full_reconcile_id.unlink()
        self._prefetch_reconciliations(collection_lines)
        collection_lines.remove_move_reconcile()
        moves_vals, ordered = [], []
        for (record, batch, block), ids in ids_by_group.items():
            returns = self.browse(ids)
            moves_vals.append(returns._prepare_return_move_vals(record, batch, block))
            ordered.append(returns)
        moves = self.env["account.move"].with_context(**BULK_BOOKING_CONTEXT).create(moves_vals)
        pending_ranks = {}
        moves.with_context(billing_sepa_pending_ranks=pending_ranks, **BULK_BOOKING_CONTEXT).action_post()
        self.env["res.partner"]._increase_pending_ranks(pending_ranks)
        plan_ids = []
        for move, returns in zip(moves, ordered, strict=True):
            debit_by_name = {
                aml.name: aml.id for aml in move.line_ids if aml.account_id.account_type == "asset_receivable"
            }
            plan_ids += [
                (ret.batch_line_id.collection_line_id.id, debit_by_name[ret.batch_line_id.end_to_end_id])
                for ret in returns
            ]
            returns.write({"move_id": move.id, "state": "booked"})
        # One prefetch set for the whole plan: a union of two lines would prefetch only those two.
        AccountMoveLine = self.env["account.move.line"]
        all_ids = tuple(aml_id for ids in plan_ids for aml_id in ids)
        plan = [AccountMoveLine.browse(ids).with_prefetch(all_ids) for ids in plan_ids]
        context = dict(BULK_BOOKING_CONTEXT)
        if all(move.currency_id == move.company_id.currency_id for move in moves):
            # Every line is in the company currency: there is no exchange difference to look for.
            context["no_exchange_difference"] = True
        AccountMoveLine.with_context(**context)._reconcile_plan(plan)

    @api.model
    def _prefetch_reconciliations(self, lines):
        """Read what unreconciling ``lines`` reads, for all of them at once.

        Core unreconciles partial by partial, reading each partial's two lines and their
        entries' payments through recordsets of two records: with these already in the cache,
        it reads nothing more per return.
        """
        partials = lines.matched_debit_ids | lines.matched_credit_ids
        partials.fetch(["debit_move_id", "credit_move_id", "full_reconcile_id", "exchange_move_id"])
        amls = partials.debit_move_id | partials.credit_move_id
        # Reading a field of all the lines loads every field core prefetches with it.
        amls.move_id.fetch(["matched_payment_ids"])

    def _prepare_return_move_vals(self, record, batch, block):
        """Entry of the returns of one block: debit each debtor, credit outstanding receipts."""
        to_company_currency = batch._get_company_currency_converter()
        line_vals = []
        total = total_balance = 0.0
        for ret in self:
            collection_line = ret.batch_line_id.collection_line_id
            amount = -collection_line.amount_currency
            balance = -collection_line.balance
            line_vals.append(
                batch._prepare_collection_line_vals(
                    ret.batch_line_id.end_to_end_id,
                    collection_line.account_id,
                    collection_line.partner_id,
                    amount,
                    balance,
                )
            )
            total += amount
            total_balance += balance
        charges = batch.currency_id.round(sum(self.mapped("bank_charge")))
        if charges:
            charge_account = self._get_charge_account(record.company_id)
            charge_balance = to_company_currency(charges)
            line_vals.append(
                batch._prepare_collection_line_vals(
                    self.env._("Bank charges %(block)s", block=block),
                    charge_account,
                    self.env["res.partner"],
                    charges,
                    charge_balance,
                )
            )
            total += charges
            total_balance += charge_balance
        line_vals.append(
            batch._prepare_collection_line_vals(
                block,
                batch._get_outstanding_account(),
                self.env["res.partner"],
                -batch.currency_id.round(total),
                -batch.company_id.currency_id.round(total_balance),
            )
        )
        return {
            "move_type": "entry",
            "journal_id": batch.journal_id.id,
            "date": max(self.mapped("date") or [fields.Date.context_today(self)])
            or fields.Date.context_today(self),
            "ref": self.env._(
                "SEPA returns %(file)s of %(batch)s (%(block)s)",
                file=record.name,
                batch=batch.name,
                block=block,
            ),
            "sepa_return_import_id": record.id,
            "line_ids": [fields.Command.create(vals) for vals in line_vals],
        }

    def _apply_actions(self):
        """What each reason asks for, on the invoices and mandates, in a few writes."""
        # No tracking message per invoice (sepa_disputed is tracked): the return's note on the
        # invoice says what happened, logged for all at once.
        Move = self.env["account.move"].with_context(skip_invoice_sync=True, mail_notrack=True)
        self._correct_rejected_collections()
        self._apply_mandate_actions()
        ids_by_action = defaultdict(list)
        for ret in self:
            ids_by_action[ret.reason_id.action or "technical"].append(ret.id)
        by_action = defaultdict(
            self.browse, {action: self.browse(ids) for action, ids in ids_by_action.items()}
        )
        represent = by_action["represent"]
        again = represent.filtered(lambda r: not r.invoice_id.sepa_represented)
        # Once: a second return of a re-presented invoice is left to a person.
        Move.browse(again.invoice_id.ids).write({"sepa_batch_id": False, "sepa_represented": True})
        Move.browse(by_action["dispute"].invoice_id.ids).write({"sepa_disputed": True})
        for_a_person = self.filtered("reason_id.needs_activity") | by_action["technical"]
        (for_a_person | (represent - again))._schedule_activities()

    def _schedule_activities(self):
        """A to-do for the invoice's responsible user per return, all created at once."""
        if not self:
            return
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("account.move")
        today = fields.Date.context_today(self)
        self.env["mail.activity"].create(
            [
                {
                    "activity_type_id": activity_type.id,
                    "summary": self.env._(
                        "Direct debit returned: %(reason)s", reason=ret._get_reason_words()
                    ),
                    "note": ret.additional_info or "",
                    "automated": True,
                    "date_deadline": today,
                    "res_model_id": model_id,
                    "res_id": ret.invoice_id.id,
                    "user_id": (ret.invoice_id.invoice_user_id or self.env.user).id,
                }
                for ret in self
            ]
        )

    def _get_reason_words(self):
        self.ensure_one()
        return self.reason_id.display_name or self.reason_text or self.env._("no reason given")

    def _post_messages(self):
        """One message per return on its invoice and on its mandate, with the reason in words.

        Logged as notes in one batch per model, as Odoo logs tracking: nobody is notified.
        """
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        bodies = {
            ret: self.env._(
                "%(kind)s of the direct debit %(end_to_end)s of %(date)s: %(reason)s.",
                kind=kinds[ret.kind],
                end_to_end=ret.batch_line_id.end_to_end_id,
                date=ret.batch_id.collection_date,
                reason=ret._get_reason_words(),
            )
            for ret in self
        }
        for model in ("invoice_id", "mandate_id"):
            messages = defaultdict(list)
            for ret, body in bodies.items():
                messages[ret[model].id].append(body)
            records = self.env[self._fields[model].comodel_name].browse(messages)
            records._message_log_batch(
                {record_id: Markup("<br/>").join(texts) for record_id, texts in messages.items()}
            )

    @api.model
    def _count_by(self, field, records):
        """{record: number of returns} of ``records``, linked to them by ``field``."""
        return dict(self._read_group([(field, "in", records.ids)], [field], ["__count"]))

    @api.model
    def _get_action(self, domain):
        action = self.env["ir.actions.act_window"]._for_xml_id("billing_sepa.billing_sepa_return_action")
        action["domain"] = domain
        action["context"] = {}
        return action

    @api.model
    def _book_waiting(self, batches):
        """Book the returns matched before their batch was booked."""
        waiting = self.search([("batch_id", "in", batches.ids), ("state", "=", "matched")])
        return waiting._process()
