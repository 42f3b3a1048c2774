import base64
import binascii
import hashlib
import logging
import time

from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import SQL

from ..sepa.bank_reports import BankFileError, parse_bank_report
from ..tools import run_booking_step

DEFAULT_MAX_FILE_SIZE_MB = 50
RETURN_BOOKING_CRON = "billing_sepa.ir_cron_billing_sepa_book_returns"
RETURN_FOLLOW_UP_CRON = "billing_sepa.ir_cron_billing_sepa_follow_up_returns"

_logger = logging.getLogger(__name__)


class BillingSepaReturnImport(models.Model):
    """One bank report file (pain.002, camt.053, camt.054) imported for a company."""

    _name = "billing.sepa.return.import"
    _description = "SEPA Bank Report Import"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="File Name", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    journal_id = fields.Many2one("account.journal", string="Bank Journal", readonly=True, check_company=True)
    attachment_id = fields.Many2one("ir.attachment", string="File", readonly=True)
    digest = fields.Char(string="SHA-256", required=True, readonly=True, index=True)
    message_type = fields.Char(readonly=True)
    message_version = fields.Char(readonly=True)
    message_identifier = fields.Char(string="Message ID", readonly=True)
    state = fields.Selection(
        [("booking", "Booking"), ("done", "Done"), ("to_review", "To Review")],
        required=True,
        default="done",
        readonly=True,
        help="Booking while a scheduled action books its returns in the background, a chunk per "
        "transaction (a file with more returns than the booking chunk size). To Review while "
        "some of its entries match no collection.",
    )
    booking_error = fields.Text(
        readonly=True,
        copy=False,
        help="Why the background booking stopped; it resumes from where it stopped on Retry Booking.",
    )
    return_ids = fields.One2many("billing.sepa.return", "import_id", string="Returns", readonly=True)
    entry_count = fields.Integer(compute="_compute_counts")
    matched_count = fields.Integer(compute="_compute_counts")
    review_count = fields.Integer(compute="_compute_counts")
    booked_count = fields.Integer(compute="_compute_counts")
    move_ids = fields.One2many(
        "account.move", "sepa_return_import_id", string="Return Entries", readonly=True
    )

    _sql_constraints = [
        ("digest_company_unique", "unique(company_id, digest)", "This file has already been imported."),
    ]

    def _compute_counts(self):
        counts = {
            (record, state): count
            for record, state, count in self.env["billing.sepa.return"]._read_group(
                [("import_id", "in", self.ids)], ["import_id", "state"], ["__count"]
            )
        }
        for record in self:
            by_state = {state: counts.get((record, state), 0) for state in ("matched", "to_review", "booked")}
            record.entry_count = sum(count for (rec, _state), count in counts.items() if rec == record)
            record.matched_count = by_state["matched"] + by_state["booked"]
            record.review_count = by_state["to_review"]
            record.booked_count = by_state["booked"]

    # ------------------------------------------------------------------ import

    @api.model
    def import_file(self, file_data, file_name, company_id=None):
        """Import a bank report: rejects (pain.002), returns and refunds (camt.053, camt.054),
        and the incoming payments by reference of a camt file (``billing.sepa.reference.payment``).

        Callable over RPC. ``file_data`` is the file's content in base64. The same file imported
        again changes nothing and answers the first import. A file that is too big, not XML, of
        an unknown message type or not for one of the company's bank accounts is refused with a
        UserError, and nothing is imported.

        :return: {"id", "entry_count", "matched_count", "review_count", "booked_count", "duplicate",
            "payment_count", "paid_count", "payment_review_count"}
        """
        company = self.env["res.company"].browse(company_id) if company_id else self.env.company
        if not self.env.su and company not in self.env.user.company_ids:
            raise AccessError(
                self.env._("You cannot import bank reports for %(company)s.", company=company.display_name)
            )
        self = self.with_company(company)
        self.check_access("create")
        try:
            data = base64.b64decode(file_data, validate=True)
        except (binascii.Error, TypeError, ValueError) as error:
            raise UserError(self.env._("The file %(name)s is not base64 encoded.", name=file_name)) from error
        record, duplicate = self._import_bytes(data, file_name, company)
        return record._get_result(duplicate)

    def _get_result(self, duplicate=False):
        self.ensure_one()
        return {
            "id": self.id,
            "entry_count": self.entry_count,
            "matched_count": self.matched_count,
            "review_count": self.review_count,
            "booked_count": self.booked_count,
            "duplicate": duplicate,
            # The returns are being booked by a scheduled action: poll booked_count / state.
            "booking_in_background": self.state == "booking",
        }

    @api.model
    def _import_bytes(self, data, file_name, company):
        """Import ``data``; return the import record and whether the file was imported before."""
        max_size = company._get_sepa_return_max_file_size()
        if len(data) > max_size:
            raise UserError(
                self.env._(
                    "The file %(name)s is %(size)s MB, more than the %(limit)s MB a bank report may have "
                    "(setting of %(company)s).",
                    name=file_name,
                    size=round(len(data) / 1024 / 1024, 1),
                    limit=company.sepa_return_max_file_size,
                    company=company.display_name,
                )
            )
        digest = hashlib.sha256(data).hexdigest()
        self._lock_digest(digest, company)
        existing = self.sudo().search([("company_id", "=", company.id), ("digest", "=", digest)], limit=1)
        if existing:
            return existing.sudo(False), True
        report = self._parse_report(data, file_name, max_size)
        journal = self._get_report_journal(report, company, file_name)
        record = self.create(
            {
                "name": file_name,
                "company_id": company.id,
                "journal_id": journal.id,
                "digest": digest,
                "message_type": report.message_type,
                "message_version": report.version,
                "message_identifier": report.message_id,
            }
        )
        record.attachment_id = self.env["ir.attachment"].create(
            {
                "name": file_name,
                "raw": data,
                "mimetype": "application/xml",
                "res_model": self._name,
                "res_id": record.id,
            }
        )
        record._create_returns(report.entries)
        record._create_reference_payments(report.credits)
        return record, False

    @api.model
    def _lock_digest(self, digest, company):
        """Hold the file's digest until the end of the transaction.

        Two imports of one file at once: the second waits until the first is done, then
        starts again (a serialization failure, which Odoo retries) in a new transaction that
        sees the first import, and so changes nothing.
        """
        lock_key = SQL("hashtextextended(%s, %s)", digest, company.id)
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s)", lock_key))
        if self.env.cr.fetchone()[0]:
            return
        self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(%s)", lock_key))
        # Raised by the database, so that it carries its error code as Odoo's retry expects.
        self.env.cr.execute(
            SQL(
                "DO $$ BEGIN RAISE EXCEPTION 'bank report imported concurrently, retrying' "
                "USING ERRCODE = 'serialization_failure'; END $$"
            ),
            log_exceptions=False,
        )

    @api.model
    def _parse_report(self, data, file_name, max_size):
        try:
            return parse_bank_report(data, max_size=max_size)
        except BankFileError as error:
            raise UserError(
                self.env._(
                    "The bank report %(name)s cannot be imported: %(error)s", name=file_name, error=error
                )
            ) from error

    @api.model
    def _get_report_journal(self, report, company, file_name):
        """The company's bank journal the report is about; refuse a report for another account."""
        journals = self.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "bank"), ("bank_account_id", "!=", False)]
        )
        by_iban = {journal.bank_account_id.sanitized_acc_number: journal for journal in journals}
        ibans = {iban.replace(" ", "").upper() for iban in report.account_ibans or ()}
        if ibans:
            known = [by_iban[iban] for iban in sorted(ibans) if iban in by_iban]
            if not known:
                raise UserError(
                    self.env._(
                        "The bank report %(name)s is for account %(accounts)s, which is not a bank account "
                        "of %(company)s: nothing was imported.",
                        name=file_name,
                        accounts=", ".join(sorted(ibans)),
                        company=company.display_name,
                    )
                )
            return known[0]
        # A status report (pain.002) names no account: it answers one of the company's files.
        batches = self.env["billing.sepa.batch"]._find_by_message_identifiers(
            company, {entry.original_message_id for entry in report.entries}
        )
        if not batches:
            raise UserError(
                self.env._(
                    "The status report %(name)s answers no collection file of %(company)s: nothing was imported.",
                    name=file_name,
                    company=company.display_name,
                )
            )
        return batches[0].journal_id

    def _create_returns(self, entries):
        """One return per entry not seen before; match, act on and book them, a chunk at a time.

        A chunk (the booking chunk size, 200 by default) takes the same number of queries
        whatever the file holds: its returns are matched before they are created, created at
        once, and booked in one entry per payment block. A file with more entries than one chunk is stored and
        matched in this transaction, then booked in the background: the import goes to state
        Booking and a scheduled action books one chunk per transaction
        (:meth:`_cron_book_returns`), as a large collection is booked.
        """
        self.ensure_one()
        Return = self.env["billing.sepa.return"]
        known_keys = set(
            Return.sudo()
            .search_fetch(
                [("company_id", "=", self.company_id.id), ("key", "in", [e.key for e in entries])], ["key"]
            )
            .mapped("key")
        )
        new_entries = [entry for entry in entries if entry.key not in known_keys]
        reasons = self.env["billing.sepa.return.reason"]._get_or_create(e.reason_code for e in new_entries)
        size = self.env["billing.sepa.batch"]._get_booking_chunk_size()
        in_background = len(new_entries) > size
        return_ids = []
        for start in range(0, len(new_entries), size):
            chunk = new_entries[start : start + size]
            return_ids += self._create_returns_chunk(chunk, reasons, book=not in_background).ids
        returns = Return.browse(return_ids)
        if in_background:
            self._start_background_booking(returns, size)
        elif Return.search_count([("import_id", "=", self.id), ("state", "=", "to_review")], limit=1):
            self.state = "to_review"
        return returns

    def _create_returns_chunk(self, entries, reasons, book=True):
        """Create and match the returns of ``entries``, and book them with ``book``; return them."""
        self.ensure_one()
        Return = self.env["billing.sepa.return"]
        # The currency given, not the field's default: that would look it up once per return.
        currency_id = self.env.ref("base.EUR").id
        vals_list = [
            dict(self._prepare_return_vals(entry, reasons), currency_id=currency_id) for entry in entries
        ]
        # A file- or block-level reject becomes one return per collection it rejects.
        vals_list = Return._match_vals(self.company_id, vals_list)
        returns = Return.create(vals_list)
        if book:
            returns.filtered(lambda ret: ret.state == "matched")._process()
        return returns

    # ------------------------------------------------------------------ background booking

    def _start_background_booking(self, returns, chunk_size):
        """Leave the booking of ``returns`` to the scheduled actions, and say so on the import.

        What would stop the booking for good (an account missing in the settings) is checked
        now, so that such a file is refused with nothing imported, as a small one is.
        """
        self.ensure_one()
        ready = returns._get_ready_to_book()
        ready._check_booking_accounts()
        self.write({"state": "booking", "booking_error": False})
        self.message_post(
            body=self.env._(
                "Booking %(count)s returns in the background, %(chunk)s per transaction.",
                count=len(ready),
                chunk=chunk_size,
            )
        )
        self.env.ref(RETURN_BOOKING_CRON)._trigger()
        self.env.ref(RETURN_FOLLOW_UP_CRON)._trigger()

    def _get_returns_to_book_domain(self):
        return [
            ("import_id", "in", self.ids),
            ("state", "=", "matched"),
            ("batch_line_id.booking_done", "=", True),
        ]

    def _get_returns_to_follow_up_domain(self):
        return [("import_id", "in", self.ids), ("state", "=", "booked"), ("followed_up", "=", False)]

    @api.model
    def _get_imports_waiting_for_booking(self):
        return self.search([("state", "=", "booking"), ("booking_error", "=", False)], order="id")

    @api.model
    def _cron_book_returns(self):
        """Book the next chunk of returns of a bank report imported in state Booking.

        A large report is booked by two scheduled actions working as a pipeline: this one books
        the returns a chunk at a time (the collection's reconciliation undone, one entry per
        payment block created and posted, the invoices reconciled with it: open again) and hands
        each booked chunk to the follow-up action (:meth:`_cron_follow_up_returns`), which
        applies the reasons' actions, logs the notes, schedules the activities and charges the
        fees. With two cron workers one follows up a chunk while the other books the next. Each
        call does one chunk in the importing user's name and company, as the import itself would
        have: the cron framework commits after each call and calls again while progress is
        reported. When at least as many booked returns wait for the follow-up as are left to book
        (always with the last chunk), this action follows up the chunk it books too, in the same
        transaction. Returns matched with a collection not booked yet wait for it, as in a small
        import.
        """
        Return = self.env["billing.sepa.return"]
        waiting = self._get_imports_waiting_for_booking()
        first = Return.search(waiting._get_returns_to_book_domain(), order="import_id, id", limit=1)
        if not first:
            # Nothing to book: the follow-up action finishes the imports that are done.
            if waiting:
                self.env.ref(RETURN_FOLLOW_UP_CRON)._trigger()
            return
        record = first.import_id
        record = record.with_user(record.create_uid).with_company(record.company_id)
        size = self.env["billing.sepa.batch"]._get_booking_chunk_size()
        returns = Return.with_env(record.env)._lock_next(record._get_returns_to_book_domain(), size)
        left_to_book = Return.search_count(record._get_returns_to_book_domain()) - len(returns)
        follow_up_too = Return.search_count(record._get_returns_to_follow_up_domain()) >= left_to_book
        step = record._book_and_follow_up_returns_chunk if follow_up_too else record._book_returns_chunk
        started = time.monotonic()
        if returns and record._run_booking_step(step, returns):
            _logger.info(
                "SEPA bank report %s: %s returns booked%s in %.2f s",
                record.name,
                len(returns),
                " and followed up" if follow_up_too else "",
                time.monotonic() - started,
            )
        self.env.ref(RETURN_FOLLOW_UP_CRON)._trigger()
        remaining = Return.search_count(self._get_imports_waiting_for_booking()._get_returns_to_book_domain())
        self.env["ir.cron"]._notify_progress(done=len(returns), remaining=remaining)

    @api.model
    def _cron_follow_up_returns(self):
        """Follow up the next booked chunk of returns; finish the imports with nothing left.

        Only returns whose booking is committed (by :meth:`_cron_book_returns`) are taken. An
        import is done (or to review) once none of its returns is left to book or to follow up.
        With nothing booked left to follow up, the call does nothing more: the booking action
        triggers this one again after its next chunk.
        """
        Return = self.env["billing.sepa.return"]
        waiting = self._get_imports_waiting_for_booking()
        first = Return.search(waiting._get_returns_to_follow_up_domain(), order="import_id, id", limit=1)
        returns = Return
        if first:
            record = first.import_id
            record = record.with_user(record.create_uid).with_company(record.company_id)
            size = self.env["billing.sepa.batch"]._get_booking_chunk_size()
            returns = Return.with_env(record.env)._lock_next(record._get_returns_to_follow_up_domain(), size)
            started = time.monotonic()
            if returns and record._run_booking_step(record._follow_up_returns_chunk, returns):
                _logger.info(
                    "SEPA bank report %s: %s returns followed up in %.2f s",
                    record.name,
                    len(returns),
                    time.monotonic() - started,
                )
        for record in waiting.exists().filtered(lambda record: not record.booking_error):
            if not Return.search_count(
                expression.OR(
                    [record._get_returns_to_book_domain(), record._get_returns_to_follow_up_domain()]
                ),
                limit=1,
            ):
                record = record.with_user(record.create_uid).with_company(record.company_id)
                if record._run_booking_step(record._finish_booking):
                    _logger.info("SEPA bank report %s: booking finished", record.name)
        remaining = Return.search_count(
            self._get_imports_waiting_for_booking()._get_returns_to_follow_up_domain()
        )
        self.env["ir.cron"]._notify_progress(done=len(returns), remaining=remaining)

    def _book_returns_chunk(self, returns):
        """Book ``returns`` in this transaction; the follow-up action does the rest."""
        returns._book()

    def _book_and_follow_up_returns_chunk(self, returns):
        returns._book()
        returns._follow_up()

    def _follow_up_returns_chunk(self, returns):
        """Apply the reasons' actions of the booked ``returns``, their notes, activities and fees."""
        returns._follow_up()

    def _finish_booking(self):
        self.ensure_one()
        self.state = "done"
        self._update_review_state()

    def _run_booking_step(self, step, *args):
        return run_booking_step(self, step, *args)

    def _record_booking_error(self, error):
        self.ensure_one()
        message = error.args[0] if error.args else str(error)
        self.booking_error = message
        self.message_post(
            body=self.env._(
                "Booking stopped: %(error)s Fix the cause, then press Retry Booking.", error=message
            )
        )

    def action_retry_booking(self):
        """Book again the returns of an import whose booking stopped on an error since fixed."""
        ensure_records(self)
        self.filtered(lambda record: record.state == "booking").write({"booking_error": False})
        self.env.ref(RETURN_BOOKING_CRON)._trigger()
        self.env.ref(RETURN_FOLLOW_UP_CRON)._trigger()
        return True

    def _prepare_return_vals(self, entry, reasons):
        reason = reasons.get(entry.reason_code)
        return {
            "import_id": self.id,
            "company_id": self.company_id.id,
            "key": entry.key,
            "kind": entry.kind,
            "level": entry.level,
            "reason_id": reason.id if reason else False,
            "reason_text": entry.reason_proprietary or False,
            "amount": float(entry.amount or 0),
            "bank_charge": float(entry.bank_charge or 0),
            "date": entry.date,
            "additional_info": entry.additional_info or False,
            "original_message_id": entry.original_message_id or False,
            "original_payment_info_id": entry.original_pmtinf_id or False,
            "original_end_to_end_id": entry.original_end_to_end_id or False,
            "original_instruction_id": entry.original_instruction_id or False,
            "original_mandate_id": entry.original_mandate_id or False,
            "original_collection_date": getattr(entry, "original_collection_date", None) or False,
            "raw_xml": entry.raw_xml,
        }

    def action_view_returns(self):
        ensure_records(self, single=True)
        action = self.env["ir.actions.act_window"]._for_xml_id("billing_sepa.billing_sepa_return_action")
        action["domain"] = [("import_id", "=", self.id)]
        action["context"] = {}
        return action
