import logging
import time
from collections import defaultdict

import psycopg2

from odoo import Command, api, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import get_chunk_size, run_booking_step

# Above this many debits a batch is booked in the background, this many per transaction
# (ir.config_parameter billing_sepa.booking_chunk_size; the return imports share it). A
# transaction's time grows with the chunk, not with the batch: on a shared 2-core machine chunks
# of 1 000 took 22-47 s each at load 11-16, chunks of 500 3-37 s at load 6-10 (13-30 s at load
# 8-10, about 27-60 ms per debit): 200 keeps a chunk within about 12 s at such a load. A time
# budget per call would not shorten anything: the cron framework already commits after each
# call and calls again at once while work remains.
DEFAULT_BOOKING_CHUNK_SIZE = 200
# The collection entries carry no tax and the invoices only get reconciled: nothing for the
# invoice line synchronisation to do. No tracking message per invoice either: each invoice
# shows the collection entry among its payments, and the batch's chatter records the step.
BULK_BOOKING_CONTEXT = {"skip_invoice_sync": True, "tracking_disable": True}
POSTING_CRON = "billing_sepa.ir_cron_billing_sepa_book_collections"
MATCHING_CRON = "billing_sepa.ir_cron_billing_sepa_reconcile_collections"

_logger = logging.getLogger(__name__)


class BillingSepaBatch(models.Model):
    """Booking a collected batch: entries per payment block, invoices reconciled in bulk."""

    _inherit = "billing.sepa.batch"

    def action_mark_collected(self):
        """Book the collected money: entries per payment block, invoices reconciled in bulk.

        With batch booking the bank shows one amount per block, so each block ends with a
        single open outstanding line for one statement line to match; without it, one
        outstanding line per debit. A batch of up to the booking chunk size is booked right
        away, in one entry per block. A larger one goes to "Booking" and two scheduled actions
        book it one chunk per transaction, one posting the entries and one reconciling the
        invoices: a single transaction booking ten thousand debits would keep as many invoices
        locked for over a minute and outrun the workers' time limits.
        """
        ensure_records(self)
        self._check_manager_rights()
        self._lock_for_booking()
        if self.filtered(lambda batch: batch.state != "sent"):
            raise UserError(self.env._("Only batches sent to the bank can be marked collected."))
        chunk_size = self._get_booking_chunk_size()
        self.write({"state": "booking", "booking_error": False, "booking_chunk_size": chunk_size})
        in_background = self.filtered(lambda batch: batch.line_count > chunk_size)
        for batch in self - in_background:
            while batch._book_collection_chunk()[1]:
                pass
        for batch in in_background:
            batch.message_post(
                body=self.env._(
                    "Booking %(count)s direct debits in the background, %(chunk)s per transaction.",
                    count=batch.line_count,
                    chunk=chunk_size,
                )
            )
        if in_background:
            self.env.ref(POSTING_CRON)._trigger()
        return True

    def action_retry_booking(self):
        """Book again a batch whose booking stopped on an error the user has since fixed."""
        ensure_records(self)
        self._check_manager_rights()
        self.filtered(lambda batch: batch.state == "booking").write({"booking_error": False})
        self.env.ref(POSTING_CRON)._trigger()
        self.env.ref(MATCHING_CRON)._trigger()
        return True

    @api.model
    def _cron_book_collections(self):
        """Post the entries of the next chunk of debits of a batch waiting in "Booking".

        A large batch is booked by two scheduled actions working as a pipeline: this one posts
        the collection entries a chunk at a time and hands each posted chunk to the matching
        action (:meth:`_cron_reconcile_collections`), which reconciles the invoices. The two
        write different rows, so with two cron workers one matches a chunk while the other
        posts the next; Odoo never runs one scheduled action twice at once. Each call does one
        chunk: the cron framework commits after each call and calls again while progress is
        reported, so every chunk is its own short transaction.

        Reconciling a debit costs more than posting it, so the matching action falls behind. When
        at least as many posted debits wait for it as are left to post (always with the last
        chunk), this action also reconciles the chunk it posts, in the same transaction: nobody
        else sees that chunk before it is matched, and both actions finish at about the same time.
        """
        waiting = self._get_batches_waiting_for_booking()
        to_post = self.env["billing.sepa.batch.line"].search(
            waiting._get_lines_to_post_domain(), order="batch_id, id", limit=1
        )
        if not to_post:
            return
        batch = to_post.batch_id
        chunk = batch._get_next_chunk_to_post()
        left_to_post = batch._count_lines_to_post() - len(chunk)
        match_too = batch._count_lines_to_match() >= left_to_post
        step = batch._post_and_reconcile_chunk if match_too else batch._post_collection_chunk
        started = time.monotonic()
        if batch._run_booking_step(step, chunk):
            self.env.ref(MATCHING_CRON)._trigger()
            _logger.info(
                "SEPA batch %s: entries of %s debits posted%s in %.2f s",
                batch.name,
                len(chunk),
                " and reconciled" if match_too else "",
                time.monotonic() - started,
            )
        remaining = self.env["billing.sepa.batch.line"].search_count(
            self._get_batches_waiting_for_booking()._get_lines_to_post_domain()
        )
        self.env["ir.cron"]._notify_progress(done=len(chunk), remaining=remaining)

    @api.model
    def _cron_reconcile_collections(self):
        """Reconcile the invoices of the next posted chunk; finish a batch once all are matched.

        Only chunks whose entries are posted (committed by :meth:`_cron_book_collections`) are
        taken, whole entries at a time. With nothing posted left to match, the call does nothing:
        the posting action triggers this one again after its next chunk.
        """
        for batch in self._get_batches_waiting_for_booking():
            to_match = batch._get_lines_to_match()
            if to_match:
                chunk = to_match._take_whole_entries(batch.booking_chunk_size)
                started = time.monotonic()
                if batch._run_booking_step(batch._reconcile_collection_lines, chunk):
                    _logger.info(
                        "SEPA batch %s: %s debits reconciled in %.2f s",
                        batch.name,
                        len(chunk),
                        time.monotonic() - started,
                    )
                # Matching waits for posting: what is not posted yet still counts as remaining.
                remaining = batch._count_lines_to_post() + len(to_match) - len(chunk) + 1
                self.env["ir.cron"]._notify_progress(done=len(chunk), remaining=remaining)
                return
            if not batch._count_lines_to_post():
                started = time.monotonic()
                if batch._run_booking_step(batch._finish_booking):
                    _logger.info(
                        "SEPA batch %s: booking finished in %.2f s", batch.name, time.monotonic() - started
                    )
                self.env["ir.cron"]._notify_progress(done=1, remaining=0)
                return

    @api.model
    def _get_batches_waiting_for_booking(self):
        return self.search([("state", "=", "booking"), ("booking_error", "=", False)], order="id")

    def _run_booking_step(self, step, *args):
        """Run one booking step in a savepoint; on a user-facing error keep nothing and record it.

        Returns whether the step went through.
        """
        return run_booking_step(self, step, *args)

    def _record_booking_error(self, error):
        self.ensure_one()
        message = error.args[0] if error.args else str(error)
        # The manager who marked the batch collected, before the cron's write replaces them.
        responsible = (
            self.write_uid
            if self.write_uid._is_internal() and not self.write_uid._is_superuser()
            else self.create_uid
        )
        self.booking_error = message
        self.message_post(
            body=self.env._(
                "Booking stopped: %(error)s Fix the cause, then press Retry Booking.", error=message
            )
        )
        self.activity_schedule(
            "mail.mail_activity_data_warning",
            summary=self.env._("SEPA booking stopped"),
            note=message,
            user_id=responsible.id,
        )

    def _lock_for_booking(self):
        """Lock the batches, so that a second click cannot book them twice."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM billing_sepa_batch WHERE id IN %s FOR NO KEY UPDATE NOWAIT",
                        tuple(self.ids),
                    )
                )
        except psycopg2.errors.LockNotAvailable as error:
            raise UserError(
                self.env._("This collection is being booked right now: try again in a moment.")
            ) from error
        self.invalidate_recordset(["state"])

    @api.model
    def _get_booking_chunk_size(self):
        return get_chunk_size(self.env, "billing_sepa.booking_chunk_size", DEFAULT_BOOKING_CHUNK_SIZE)

    def _book_collection_chunk(self):
        """Do the next step of booking this batch in this transaction; return debits done and left.

        The steps the two scheduled actions share out, one after the other: post the next
        chunk's entries, else reconcile the next posted entries, else finish. Used to book a
        small batch at once.
        """
        self.ensure_one()
        to_post_count = self._count_lines_to_post()
        if to_post_count:
            chunk = self._get_next_chunk_to_post()
            self._post_collection_chunk(chunk)
            return len(chunk), self.line_count + to_post_count - len(chunk)
        to_match = self._get_lines_to_match()
        if to_match:
            chunk = to_match._take_whole_entries(self.booking_chunk_size)
            self._reconcile_collection_lines(chunk)
            return len(chunk), len(to_match) - len(chunk) + 1
        self._finish_booking()
        return 1, 0

    def _get_booking_chunks(self):
        """This batch's lines cut into the chunks of its booking, always the same way."""
        self.ensure_one()
        lines = self.line_ids.sorted("id")
        size = self.booking_chunk_size or len(lines) or 1
        return [lines[start : start + size] for start in range(0, len(lines), size)]

    def _get_next_chunk_to_post(self):
        """The lines of the next chunk to post.

        Chunks are posted whole, one per transaction, and in order: the lines not posted yet
        start with the next chunk. Read with searches, not by going through the batch's lines:
        every call of the scheduled actions would read all of them again.
        """
        self.ensure_one()
        return self.env["billing.sepa.batch.line"].search(
            self._get_lines_to_post_domain(), order="id", limit=self.booking_chunk_size or None
        )

    def _get_lines_to_post_domain(self):
        return [("batch_id", "in", self.ids), ("collection_line_id", "=", False)]

    def _get_lines_to_match_domain(self):
        return [
            ("batch_id", "in", self.ids),
            ("collection_line_id", "!=", False),
            ("booking_done", "=", False),
        ]

    def _count_lines_to_post(self):
        return self.env["billing.sepa.batch.line"].search_count(self._get_lines_to_post_domain())

    def _count_lines_to_match(self):
        return self.env["billing.sepa.batch.line"].search_count(self._get_lines_to_match_domain())

    def _get_lines_to_match(self):
        """The posted lines whose invoices are not reconciled yet, with their entries read."""
        self.ensure_one()
        lines = self.env["billing.sepa.batch.line"].search_fetch(
            self._get_lines_to_match_domain(), ["collection_line_id"], order="id"
        )
        # Only the entry of each credit line: prefetching them would read every column.
        lines.collection_line_id.fetch(["move_id"])
        return lines

    def _post_collection_chunk(self, chunk):
        """Post the entries of ``chunk``; with the first chunk, the block totals it will need."""
        self.ensure_one()
        if self._count_lines_to_post() == self.line_count:
            self._post_block_totals(self._get_booking_chunks())
        self._create_collection_entries(chunk)
        # Only the mandates whose first collection this was: rewriting the others changes nothing.
        chunk.mandate_id.filtered(lambda mandate: not mandate.sequence_settled).sudo().write(
            {"sequence_settled": True}
        )

    def _post_and_reconcile_chunk(self, chunk):
        self._post_collection_chunk(chunk)
        self._reconcile_collection_lines(chunk)

    def _finish_booking(self):
        self.ensure_one()
        self.write({"state": "collected"})
        self.message_post(body=self.env._("All direct debits booked and reconciled."))
        # Rejects and returns imported before the batch was booked.
        self.env["billing.sepa.return"]._book_waiting(self)

    def _create_collection_entries(self, batch_lines):
        """Post one entry per payment block for ``batch_lines``, linking each line to its credit."""
        self.ensure_one()
        outstanding = self._get_outstanding_account()
        batch_booking = self.journal_id.sepa_batch_booking
        receivable_account_by_invoice = {
            aml.move_id: aml.account_id for aml in batch_lines._get_invoice_receivable_lines(open_only=False)
        }
        to_company_currency = self._get_company_currency_converter()
        moves_vals = []
        for (scheme, sequence_type, identifier), block_lines in batch_lines._group_by_block().items():
            line_vals = []
            for line in block_lines:
                debtor = line.move_id.commercial_partner_id
                balance = to_company_currency(line.amount)
                line_vals.append(
                    self._prepare_collection_line_vals(
                        line.end_to_end_id,
                        receivable_account_by_invoice[line.move_id],
                        debtor,
                        -line.amount,
                        -balance,
                    )
                )
                if not batch_booking:
                    line_vals.append(
                        self._prepare_collection_line_vals(
                            line.end_to_end_id, outstanding, debtor, line.amount, balance
                        )
                    )
            if batch_booking:
                amount, balance = self._sum_amounts(block_lines, to_company_currency)
                line_vals.append(
                    self._prepare_collection_line_vals(
                        identifier, outstanding, self.env["res.partner"], amount, balance
                    )
                )
            moves_vals.append(
                self._prepare_collection_move_vals(scheme, sequence_type, identifier, line_vals)
            )
        moves = self.env["account.move"].with_context(**BULK_BOOKING_CONTEXT).create(moves_vals)
        pending_ranks = {}
        moves.with_context(billing_sepa_pending_ranks=pending_ranks, **BULK_BOOKING_CONTEXT).action_post()
        self.env["res.partner"]._increase_pending_ranks(pending_ranks)
        credit_by_end_to_end_id = {aml.name: aml for aml in moves.line_ids if aml.amount_currency < 0}
        for line in batch_lines:
            line.collection_line_id = credit_by_end_to_end_id[line.end_to_end_id]

    def _sum_amounts(self, batch_lines, to_company_currency):
        """Total of ``batch_lines`` in the batch currency and in the company currency, rounded."""
        amount = sum(batch_lines.mapped("amount"))
        balance = sum(to_company_currency(line.amount) for line in batch_lines)
        return self.currency_id.round(amount), self.company_id.currency_id.round(balance)

    def _post_block_totals(self, chunks):
        """With batch booking, the entry of each block booked in several chunks: its one open line.

        Each chunk's entry debits outstanding receipts with the chunk's part of the block. The
        block total entry debits the whole block on one line, which the block's bank statement
        line matches, and credits each chunk's part on a line of its own; matching a chunk's
        invoices also reconciles the chunk's outstanding line with its part here. Posted before
        any chunk, it leaves the entries of the chunks to the matching action alone: reconciling
        an entry's line again once its invoices are matched makes Odoo recompute all of it.
        """
        self.ensure_one()
        if not self.journal_id.sepa_batch_booking:
            return
        outstanding = self._get_outstanding_account()
        to_company_currency = self._get_company_currency_converter()
        parts_by_block = defaultdict(list)
        for chunk in chunks:
            for block, block_lines in chunk._group_by_block().items():
                parts_by_block[block].append(self._sum_amounts(block_lines, to_company_currency))
        no_partner = self.env["res.partner"]
        moves_vals = []
        for (scheme, sequence_type, identifier), parts in parts_by_block.items():
            if len(parts) < 2:
                continue
            line_vals = [
                self._prepare_collection_line_vals(identifier, outstanding, no_partner, -amount, -balance)
                for amount, balance in parts
            ]
            line_vals.append(
                self._prepare_collection_line_vals(
                    identifier,
                    outstanding,
                    no_partner,
                    self.currency_id.round(sum(amount for amount, _balance in parts)),
                    self.company_id.currency_id.round(sum(balance for _amount, balance in parts)),
                )
            )
            vals = self._prepare_collection_move_vals(scheme, sequence_type, identifier, line_vals)
            vals["ref"] = self.env._(
                "SEPA direct debit %(batch)s (%(scheme)s %(sequence)s): block total of %(count)s partial bookings",
                batch=self.name,
                scheme=scheme,
                sequence=sequence_type,
                count=len(parts),
            )
            moves_vals.append(vals)
        if moves_vals:
            moves = self.env["account.move"].with_context(**BULK_BOOKING_CONTEXT).create(moves_vals)
            moves.with_context(**BULK_BOOKING_CONTEXT).action_post()

    def _get_block_total_pairs(self, entries):
        """Each open outstanding line of ``entries`` with its part in its block's total entry.

        A block's total entry is posted before the block's chunk entries, and lists the parts
        in the order of the chunks; the n-th entry of a block is the n-th chunk that holds the
        block. Pairing by that rank rather than by amount gives every entry its own part even
        when two chunks are matched at once, each in its own transaction.
        """
        if not self.journal_id.sepa_batch_booking:
            return []
        outstanding = self._get_outstanding_account()
        Line = self.env["account.move.line"]
        chunk_lines = Line.search(
            [
                ("move_id", "in", entries.ids),
                ("account_id", "=", outstanding.id),
                ("reconciled", "=", False),
                ("amount_currency", ">", 0),
            ]
        )
        if not chunk_lines:
            return []
        batch_moves = self.env["account.move"].search_fetch(
            [("sepa_collection_batch_id", "=", self.id)], ["sepa_payment_info_identifier"], order="id"
        )
        parts = Line.search(
            [
                ("move_id", "in", batch_moves.ids),
                ("account_id", "=", outstanding.id),
                ("amount_currency", "<", 0),
            ],
            order="id",
        )
        parts_by_total = parts.grouped("move_id")
        open_line_by_entry = {line.move_id: line for line in chunk_lines}
        pairs = []
        for block_moves in batch_moves.grouped("sepa_payment_info_identifier").values():
            block_parts = parts_by_total.get(block_moves[0])
            if not block_parts:
                continue  # the block was booked in one chunk: its entry has no total
            # The chunks not posted yet have their part but no entry so far.
            for part, entry in zip(block_parts, block_moves[1:], strict=False):
                line = open_line_by_entry.get(entry)
                if (
                    line
                    and not part.reconciled
                    and self.currency_id.is_zero(line.amount_currency + part.amount_currency)
                ):
                    pairs.append(line | part)
        return pairs

    def _reconcile_collection_lines(self, batch_lines):
        """Reconcile each invoice of ``batch_lines`` with its credit line, all in one plan."""
        self.ensure_one()
        receivables_by_invoice = batch_lines._get_invoice_receivable_lines().grouped("move_id")
        # An invoice paid some other way since the file went out has nothing left to match:
        # its credit line stays open as the customer's credit.
        plan_ids = [
            line.collection_line_id.ids + receivables_by_invoice[line.move_id].ids
            for line in batch_lines
            if line.move_id in receivables_by_invoice
        ]
        # One prefetch set for the whole plan: a union of two lines would prefetch only those two.
        all_ids = tuple(aml_id for ids in plan_ids for aml_id in ids)
        plan = [self.env["account.move.line"].browse(ids).with_prefetch(all_ids) for ids in plan_ids]
        plan += self._get_block_total_pairs(batch_lines.collection_line_id.move_id)
        context = dict(BULK_BOOKING_CONTEXT)
        if self.currency_id == self.company_id.currency_id:
            # Every line is in the company currency: there is no exchange difference to look for.
            context["no_exchange_difference"] = True
        self.env["account.move.line"].with_context(**context)._reconcile_plan(plan)
        batch_lines.write({"booking_done": True})

    def _get_company_currency_converter(self):
        """A function turning an amount of the batch currency into the company currency."""
        company = self.company_id
        if self.currency_id == company.currency_id:
            return self.currency_id.round
        rate = self.env["res.currency"]._get_conversion_rate(
            self.currency_id, company.currency_id, company, self.collection_date
        )
        return lambda amount: company.currency_id.round(amount * rate)

    def _get_outstanding_account(self):
        """Outstanding receipts account of the batch's bank journal."""
        self.ensure_one()
        return self.journal_id._get_sepa_outstanding_account("inbound")

    def _prepare_collection_line_vals(self, name, account, partner, amount, balance):
        # An open line's residual is its amount on the accounts core keeps residuals for.
        keeps_residual = account.reconcile or account.account_type in ("asset_cash", "liability_credit_card")
        return {
            "name": name,
            "account_id": account.id,
            "partner_id": partner.id,
            "currency_id": self.currency_id.id,
            "amount_currency": amount,
            "balance": balance,
            # Given, so that no analytic model or default tax is looked up per line, and the
            # values core would otherwise compute line by line for an entry's plain line.
            "analytic_distribution": False,
            "tax_ids": [],
            "display_type": "product",
            "sequence": 100,
            "quantity": 1.0,
            "price_unit": 0.0,
            "product_uom_id": False,
            "journal_id": self.journal_id.id,
            "company_id": self.company_id.id,
            "company_currency_id": self.company_id.currency_id.id,
            # Stored computed values of a new plain line, given so that they go into the INSERT
            # instead of an UPDATE of every line right after it (10 000 rows with a dozen
            # indexes each); reconciling then updates the residuals once.
            "amount_residual": balance if keeps_residual else 0.0,
            "amount_residual_currency": amount if keeps_residual else 0.0,
            "reconciled": False,
            "price_subtotal": 0.0,
            "price_total": 0.0,
        }

    def _prepare_collection_move_vals(self, scheme, sequence_type, identifier, line_vals):
        """Journal entry of one payment block: debit outstanding receipts, credit each debtor."""
        self.ensure_one()
        return {
            "move_type": "entry",
            "journal_id": self.journal_id.id,
            "date": self.collection_date,
            "ref": self.env._(
                "SEPA direct debit %(batch)s (%(scheme)s %(sequence)s)",
                batch=self.name,
                scheme=scheme,
                sequence=sequence_type,
            ),
            "sepa_collection_batch_id": self.id,
            "sepa_payment_info_identifier": identifier,
            "line_ids": [Command.create(vals) for vals in line_vals],
        }
