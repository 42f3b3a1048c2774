import logging
import time

from odoo import api, models
from odoo.tools import SQL

from ..tools import get_chunk_size

# Above this many due invoices a collection is gathered in the background, this many invoices
# per transaction (ir.config_parameter billing_sepa.collection_chunk_size). A chunk's time grows
# with the chunk, not with the collection; see tests/bench/README.md for the figures behind it.
DEFAULT_COLLECTION_CHUNK_SIZE = 2000
GATHERING_CRON = "billing_sepa.ir_cron_billing_sepa_gather_collections"

_logger = logging.getLogger(__name__)


class BillingSepaBatch(models.Model):
    """Gathering a large collection in the background, a chunk of invoices per transaction."""

    _inherit = "billing.sepa.batch"

    @api.model
    def _get_collection_chunk_size(self):
        return get_chunk_size(self.env, "billing_sepa.collection_chunk_size", DEFAULT_COLLECTION_CHUNK_SIZE)

    @api.model
    def _start_gathering(self, batch_vals, due_count, chunk_size):
        """Create the batch in "Gathering" and hand it to the scheduled action that fills it."""
        batch = self.create(dict(batch_vals, state="gathering", gathering_total=due_count))
        batch.message_post(
            body=self.env._(
                "Gathering %(count)s due invoices in the background, %(chunk)s per transaction.",
                count=due_count,
                chunk=chunk_size,
            )
        )
        self.env.ref(GATHERING_CRON)._trigger()
        return batch

    @api.model
    def _cron_gather_collections(self):
        """Add the next chunk of due invoices to a batch waiting in "Gathering".

        Each call does one chunk: the cron framework commits after each call and calls again
        while progress is reported, so every chunk is its own short transaction. The batch row
        is locked for the chunk (SKIP LOCKED: a second run at the same time takes another batch
        or nothing), and its gathering goes on after the last invoice it took: a repeated call
        never adds an invoice or a skip twice.
        """
        batch = self._lock_next_batch_to_gather()
        if not batch:
            return
        batch = batch.with_company(batch.company_id)
        started = time.monotonic()
        done, finished = batch._gather_next_chunk()
        _logger.info(
            "SEPA batch %s: %s invoices gathered in %.2f s%s",
            batch.name,
            done,
            time.monotonic() - started,
            ", gathering finished" if finished else "",
        )
        waiting = self.search_count([("state", "=", "gathering")])
        remaining = max(batch.gathering_total - batch.gathered_count, 1) if not finished else waiting
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    @api.model
    def _lock_next_batch_to_gather(self):
        self.env["billing.sepa.batch"].flush_model(["state"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM billing_sepa_batch WHERE state = 'gathering' ORDER BY id LIMIT 1"
                " FOR NO KEY UPDATE SKIP LOCKED"
            )
        )
        row = self.env.cr.fetchone()
        return self.browse(row[0]) if row else self.browse()

    def _gather_next_chunk(self):
        """Add the next chunk of due invoices to this gathering batch, in this transaction.

        Invoices are taken by id, after the last one an earlier chunk took, and locked as
        :meth:`_lock_collectable_invoices` locks them for a collection made at once. A mandate
        already collected by an earlier chunk of this batch is not presented as first again.
        When a chunk comes back short, nothing is left: the batch becomes a draft, or is
        cancelled when none of its invoices could be collected.

        :return: (invoices taken, whether the gathering is finished)
        """
        self.ensure_one()
        chunk_size = self._get_collection_chunk_size()
        company = self.company_id
        invoices = self._lock_collectable_invoices(
            company, self.collection_date, after_id=self.gathering_last_move_id, limit=chunk_size
        )
        finished = len(invoices) < chunk_size
        if invoices:
            last_move_id = max(invoices.ids)
            invoices = self.env["account.move.line"]._sepa_offset_collection(invoices, company)
            lines_vals, skips_vals = self._prepare_lines_and_skips(
                invoices, self._get_mandates_collected_in_batch(invoices.sepa_mandate_id)
            )
            self._create_lines_and_skips(invoices, lines_vals, skips_vals)
            self.gathering_last_move_id = last_move_id
        if finished:
            self._finish_gathering()
        return len(invoices), finished

    def _get_mandates_collected_in_batch(self, mandates):
        """Ids of those of ``mandates`` that already have a debit in this batch."""
        self.ensure_one()
        return {
            mandate.id
            for [mandate] in self.env["billing.sepa.batch.line"]._read_group(
                [("batch_id", "=", self.id), ("mandate_id", "in", mandates.ids)], ["mandate_id"]
            )
        }

    def _finish_gathering(self):
        self.ensure_one()
        if not self.line_count:
            self.write({"state": "cancelled"})
            self.message_post(
                body=self.env._("Gathering finished: none of the due invoices could be collected.")
            )
            return
        self.write({"state": "draft"})
        self.message_post(
            body=self.env._(
                "Gathering finished: %(count)s direct debits, %(skips)s invoices skipped.",
                count=self.line_count,
                skips=len(self.skip_ids),
            )
        )
