import logging
import time

from odoo import Command, api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..sepa import pain008
from ..sepa.charset import to_sepa_identifier, to_sepa_text

GENERATING_CRON = "billing_sepa.ir_cron_billing_sepa_generate_files"

_logger = logging.getLogger(__name__)


class BillingSepaBatch(models.Model):
    """The batch's pain.008 file: generation, download, and handing it to the bank."""

    _inherit = "billing.sepa.batch"

    def action_generate_file(self):
        """Build the batch's pain.008 file(s).

        A batch goes to "Generating File", its files left to a scheduled action, when the
        journal's limit cuts a batch of more debits than the collection chunk size into several
        files (one file per transaction), or when a file would hold more debits than the file
        chunk size (that file built in parts, one part per transaction). Any other batch gets its
        files at once.
        """
        ensure_records(self)
        self._check_manager_rights()
        for batch in self:
            if batch.state not in ("draft", "generated"):
                raise UserError(
                    self.env._("Only draft batches get a new file (%(batch)s).", batch=batch.name)
                )
            if not batch.line_count:
                raise UserError(self.env._("Batch %(batch)s has no collection.", batch=batch.name))
        collection_chunk_size = self._get_collection_chunk_size()
        file_chunk_size = self._get_file_chunk_size()
        in_background = self.filtered(
            lambda batch: (
                (batch.line_count > collection_chunk_size and batch._count_planned_files() > 1)
                or (
                    batch.line_count > file_chunk_size and batch._get_largest_planned_file() > file_chunk_size
                )
            )
        )
        for batch in self - in_background:
            batch._generate_file()
        for batch in in_background:
            batch._start_generating()
        if in_background:
            self.env.ref(GENERATING_CRON)._trigger()
        return True

    def _count_planned_files(self):
        """How many files the journal's settings cut this batch into, without planning them."""
        self.ensure_one()
        journal = self.journal_id
        limit = max(journal.sepa_max_transactions_per_file, 0)
        if not journal.sepa_one_block_per_file:
            return -(-self.line_count // limit) if limit else 1
        return len(self._plan_files())

    def _generate_file(self):
        """Build, validate and attach the pain.008 file(s) of the batch, in this transaction.

        One file normally; several when the bank wants one payment-information block per file
        or limits the number of transactions per file (the journal's settings). Each direct
        debit records the file (MsgId) and block (PmtInfId) it went out in: the booking posts
        one entry per block, and a bank's reject of one file or block finds its debits by them.
        Each generation gets new message identifiers: banks refuse a MsgId they have seen.
        """
        self.ensure_one()
        generation = self.generation_count + 1
        files = self._plan_files()
        block_info = self._prepare_block_info()
        attachments_vals = [
            self._build_planned_file(files, index, generation, block_info) for index in range(len(files))
        ]
        self.file_attachment_ids.unlink()
        self._finish_generation(self.env["ir.attachment"].create(attachments_vals), generation)

    def _prepare_file_message(self, message_identifier, blocks):
        """The pain.008 message of one file of this batch, created now, of the payment ``blocks``."""
        return pain008.Message(
            msg_id=message_identifier,
            creation_datetime=fields.Datetime.now(),
            initiating_party_name=self._get_initiating_party_name(),
            batches=blocks,
        )

    def _build_planned_file(self, files, index, generation, block_info):
        """Build file ``index`` of the plan ``files``, record its identifiers on its lines.

        :return: the values of its attachment
        """
        self.ensure_one()
        file_blocks = files[index]
        message_identifier = self._get_message_identifier(len(files), index, generation)
        all_lines = self.env["billing.sepa.batch.line"].concat(*(lines for *_block, lines in file_blocks))
        all_lines._prefetch_direct_debits()
        message = self._prepare_file_message(
            message_identifier,
            [
                block_info(identifier, scheme, sequence_type, lines)
                for identifier, scheme, sequence_type, lines in file_blocks
            ],
        )
        raw = self._build_pain008(message, self.journal_id.sepa_pain_version or pain008.PAIN008_001_08)
        for identifier, _scheme, _sequence_type, lines in file_blocks:
            # One UPDATE per block: the ORM writes equal values on many records at once.
            lines.write({"message_identifier": message_identifier, "payment_info_identifier": identifier})
        return self._prepare_file_attachment_vals(message_identifier, raw)

    def _get_message_identifier(self, file_count, index, generation):
        """The MsgId of file ``index`` of ``file_count`` files of the generation ``generation``."""
        self.ensure_one()
        suffix = f"-{generation}" if file_count == 1 else f"-{generation}-{index + 1}"
        return to_sepa_identifier(self.name)[: 35 - len(suffix)] + suffix

    def _get_initiating_party_name(self):
        self.ensure_one()
        return to_sepa_text(self.company_id.name, 70)

    def _prepare_file_attachment_vals(self, message_identifier, raw):
        self.ensure_one()
        return {
            "name": f"{message_identifier}.xml",
            "raw": raw,
            "mimetype": "application/xml",
            "res_model": self._name,
            "res_id": self.id,
        }

    def _finish_generation(self, attachments, generation):
        self.ensure_one()
        self.write(
            {
                "file_attachment_ids": [Command.set(attachments.ids)],
                "message_identifier": ", ".join(
                    name.removesuffix(".xml") for name in attachments.sorted("id").mapped("name")
                ),
                "generation_count": generation,
                "generated_file_count": 0,
                "planned_file_count": 0,
                "generated_part_count": 0,
                "planned_part_count": 0,
                "generation_plan_key": False,
                "state": "generated",
            }
        )

    def _start_generating(self):
        """Hand this batch to the scheduled action that builds its files in the background."""
        self.ensure_one()
        files = self._plan_files()
        chunk_size = self._get_file_chunk_size()
        self._reset_generation(files, chunk_size)
        self.write({"state": "generating"})
        part_count = self._count_planned_parts(files, chunk_size)
        if part_count:
            body = self.env._(
                "Generating %(files)s file(s) of %(count)s direct debits in the background: a file "
                "of more than %(chunk)s direct debits is built in parts of at most %(chunk)s, one "
                "part per transaction (%(parts)s parts), any other file in one transaction.",
                files=len(files),
                count=self.line_count,
                chunk=chunk_size,
                parts=part_count,
            )
        else:
            body = self.env._(
                "Generating %(files)s files of %(count)s direct debits in the background, one file "
                "per transaction.",
                files=len(files),
                count=self.line_count,
            )
        self.message_post(body=body)

    def _reset_generation(self, files, chunk_size):
        """Drop what the background generation built so far: it starts (again) on this plan."""
        self.ensure_one()
        self.file_attachment_ids.unlink()
        self._drop_file_parts()
        self.write(
            {
                "generated_file_count": 0,
                "planned_file_count": len(files),
                "generated_part_count": 0,
                "planned_part_count": 0,
                "generation_plan_key": self._get_generation_plan_key(files, chunk_size),
                "file_attachment_ids": [Command.clear()],
            }
        )

    @api.model
    def _cron_generate_files(self):
        """Build the next file, or the next part of a large file, of a batch in "Generating File".

        Each call builds one file of the batch's plan (the journal's limit on transactions per
        file sets their size) and records its identifiers on its lines; a file of more debits
        than the file chunk size is built a part per call instead, and put together by the call
        after its last part. The cron framework commits after each call and calls again while
        progress is reported. The batch row is locked for the call (SKIP LOCKED), so nothing is
        built twice. When the journal's settings or the chunk size changed since the generation
        started, it starts again. On an error the batch goes back to draft with the reason in its
        chatter, the files and parts of this generation dropped.
        """
        self.env["billing.sepa.batch"].flush_model(["state"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM billing_sepa_batch WHERE state = 'generating' ORDER BY id LIMIT 1"
                " FOR NO KEY UPDATE SKIP LOCKED"
            )
        )
        row = self.env.cr.fetchone()
        if not row:
            return
        batch = self.browse(row[0])
        batch = batch.with_company(batch.company_id)
        started = time.monotonic()
        files = batch._plan_files()
        chunk_size = batch._get_file_chunk_size()
        if batch._get_generation_plan_key(files, chunk_size) != batch.generation_plan_key:
            # The journal's settings or the chunk size changed since the generation started.
            batch._reset_generation(files, chunk_size)
        index = batch.generated_file_count
        generation = batch.generation_count + 1
        in_parts = batch._count_file_transactions(files[index]) > chunk_size
        part = batch.generated_part_count + 1
        try:
            with self.env.cr.savepoint():
                block_info = batch._prepare_block_info()
                if in_parts:
                    vals = batch._build_next_file_part(files, index, generation, block_info, chunk_size)
                else:
                    vals = batch._build_planned_file(files, index, generation, block_info)
                if vals:
                    attachment = self.env["ir.attachment"].create(vals)
                    batch.write(
                        {
                            "file_attachment_ids": [Command.link(attachment.id)],
                            "generated_file_count": index + 1,
                        }
                    )
                    if index + 1 >= len(files):
                        batch._finish_generation(batch.file_attachment_ids, generation)
        except UserError as error:
            batch._stop_generating(error)
            self.env["ir.cron"]._notify_progress(
                done=1, remaining=self.search_count([("state", "=", "generating")])
            )
            return
        if in_parts and not vals:
            _logger.info(
                "SEPA batch %s: file %s of %s, part %s of %s generated in %.2f s",
                batch.name,
                index + 1,
                len(files),
                part,
                len(batch._plan_file_parts(files[index], chunk_size)),
                time.monotonic() - started,
            )
        else:
            _logger.info(
                "SEPA batch %s: file %s of %s generated in %.2f s",
                batch.name,
                index + 1,
                len(files),
                time.monotonic() - started,
            )
        if batch.state == "generating":
            remaining = len(files) - batch.generated_file_count
        else:
            remaining = self.search_count([("state", "=", "generating")])
        self.env["ir.cron"]._notify_progress(done=1, remaining=remaining)

    def _stop_generating(self, error):
        self.ensure_one()
        message = error.args[0] if error.args else str(error)
        self.file_attachment_ids.unlink()
        self._drop_file_parts()
        self.write(
            {
                "state": "draft",
                "generated_file_count": 0,
                "planned_file_count": 0,
                "generated_part_count": 0,
                "planned_part_count": 0,
                "generation_plan_key": False,
            }
        )
        self.message_post(
            body=self.env._(
                "File generation stopped: %(error)s Fix the cause and generate again.", error=message
            )
        )

    def _plan_files(self):
        """The batch's lines cut into files and payment blocks, as the journal's bank wants them.

        A block holds one scheme and sequence type. With a maximum number of transactions per
        file, the files are filled up in turn and a block that does not fit is continued in the
        next file as a block of its own; the parts of a split block are numbered in their
        PmtInfId. With one block per file, each block (or part) starts a file of its own.

        :return: a list of files, each a list of (PmtInfId, scheme, sequence type, lines)
        """
        self.ensure_one()
        journal = self.journal_id
        limit = max(journal.sepa_max_transactions_per_file, 0)
        files = [[]]
        room = limit
        parts_by_block = []
        for (scheme, sequence_type), lines in self._get_lines_by_block().items():
            if files[-1] and journal.sepa_one_block_per_file:
                files.append([])
                room = limit
            parts = []
            start = 0
            while start < len(lines):
                if limit and not room:
                    files.append([])
                    room = limit
                size = min(room, len(lines) - start) if limit else len(lines)
                part = [None, scheme, sequence_type, lines[start : start + size]]
                files[-1].append(part)
                parts.append(part)
                start += size
                room -= size
            parts_by_block.append(parts)
        for parts in parts_by_block:
            for number, part in enumerate(parts, 1):
                part[0] = self._get_payment_info_identifier(
                    part[1], part[2], number if len(parts) > 1 else None
                )
        return [[tuple(part) for part in file_blocks] for file_blocks in files]

    def _get_lines_by_block(self):
        """The batch's lines per scheme and sequence type, in the order of their ids.

        Read in one query of ids, not through the lines' records: the background generation
        plans the files again for each file it builds, and a batch may hold 100 000 lines.
        """
        self.ensure_one()
        self.env["billing.sepa.batch.line"].flush_model(["batch_id", "mandate_id", "sequence_type"])
        self.env["billing.sepa.mandate"].flush_model(["scheme"])
        self.env.cr.execute(
            SQL(
                """SELECT line.id, mandate.scheme, line.sequence_type
                     FROM billing_sepa_batch_line line
                     JOIN billing_sepa_mandate mandate ON mandate.id = line.mandate_id
                    WHERE line.batch_id = %s
                 ORDER BY line.id""",
                self.id,
            )
        )
        ids_by_block = {}
        for line_id, scheme, sequence_type in self.env.cr.fetchall():
            ids_by_block.setdefault((scheme, sequence_type), []).append(line_id)
        Line = self.env["billing.sepa.batch.line"]
        return {block: Line.browse(ids) for block, ids in ids_by_block.items()}

    def _build_pain008(self, message, version):
        return self._call_sepa_writer(pain008.build_pain008, message, version)

    def _call_sepa_writer(self, writer, *args):
        """Call a function of the pain.008 writer, its errors turned into the user's errors."""
        try:
            return writer(*args)
        except pain008.SepaDataError as error:
            raise UserError(
                self.env._(
                    "The SEPA file of %(batch)s cannot be built: %(error)s", batch=self.name, error=error
                )
            ) from error
        except pain008.SepaSchemaError as error:
            raise UserError(
                self.env._(
                    "The SEPA file of %(batch)s does not validate against the ISO schema: %(error)s",
                    batch=self.name,
                    error=error,
                )
            ) from error

    def _get_payment_info_identifier(self, scheme, sequence_type, part=None):
        suffix = f"-{scheme}-{sequence_type}" + (f"-{part}" if part else "")
        return to_sepa_identifier(self.name)[: 35 - len(suffix)] + suffix

    def _prepare_block_info(self):
        """A function building the PaymentInfo of one block of lines, the batch's data read once."""
        self.ensure_one()
        company = self.company_id
        creditor_account = self.journal_id.bank_account_id
        if not company.sepa_creditor_identifier:
            raise UserError(
                self.env._("Set the SEPA creditor identifier of %(company)s.", company=company.name)
            )
        if not creditor_account:
            raise UserError(
                self.env._(
                    "Bank journal %(journal)s has no bank account.", journal=self.journal_id.display_name
                )
            )
        creditor_address = company.partner_id._prepare_sepa_address()

        def block_info(identifier, scheme, sequence_type, lines):
            return pain008.PaymentInfo(
                pmt_inf_id=identifier,
                collection_date=self.collection_date,
                creditor_name=to_sepa_text(company.name, 70),
                creditor_iban=creditor_account.sanitized_acc_number,
                creditor_bic=creditor_account.bank_bic or "",
                creditor_identifier=company.sepa_creditor_identifier,
                creditor_address=creditor_address,
                scheme=scheme,
                sequence_type=sequence_type,
                batch_booking=self.journal_id.sepa_batch_booking,
                transactions=[line._prepare_direct_debit() for line in lines],
            )

        return block_info

    def action_download_file(self):
        ensure_records(self, single=True)
        if not self.file_attachment_ids:
            raise UserError(self.env._("Generate the file first."))
        if len(self.file_attachment_ids) > 1:
            raise UserError(
                self.env._(
                    "This batch has several files: download them one by one from the SEPA Files field."
                )
            )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.file_attachment_ids.id}?download=true",
            "target": "download",
        }

    def get_files(self):
        """The current SEPA files of the batch, for RPC clients.

        :return: list of {"name": file name, "content": base64 of the XML}
        """
        ensure_records(self, single=True)
        return [
            {"name": attachment.name, "content": attachment.datas.decode()}
            for attachment in self.file_attachment_ids
        ]

    def action_mark_sent(self):
        """Record that the batch's file went to the bank: its mandates have now been presented.

        Written in a few statements whatever the batch's size: the debtor bank has seen the
        pending amendments of the batch's mandates and this collection, and a one-off mandate
        is used up.
        """
        ensure_records(self)
        self._check_manager_rights()
        for batch in self:
            if batch.state != "generated":
                raise UserError(self.env._("Generate the file of %(batch)s first.", batch=batch.name))
        self.write({"state": "sent"})
        mandate_ids_by_batch = self._get_mandate_ids_by_batch()
        all_mandate_ids = sorted({mandate_id for ids in mandate_ids_by_batch.values() for mandate_id in ids})
        pending = self.env["billing.sepa.mandate.amendment"].search(
            [("mandate_id", "in", all_mandate_ids), ("state", "=", "pending")]
        )
        for batch in self:
            mandate_ids = set(mandate_ids_by_batch.get(batch.id, ()))
            pending.filtered(lambda amendment, ids=mandate_ids: amendment.mandate_id.id in ids).write(
                {"presented_date": batch.collection_date}
            )
        Mandate = self.env["billing.sepa.mandate"].sudo()
        for batch in self:
            Mandate._record_collection_presented(
                mandate_ids_by_batch.get(batch.id, []), batch.collection_date
            )
        Mandate.search([("id", "in", all_mandate_ids), ("mandate_type", "=", "oneoff")]).write(
            {"state": "closed"}
        )
        return True

    def _get_mandate_ids_by_batch(self):
        """{batch id: ids of the mandates its lines collect under}, read in one query of ids.

        Not through the lines' records: a batch may hold 100 000 of them.
        """
        self.env["billing.sepa.batch.line"].flush_model(["batch_id", "mandate_id"])
        self.env.cr.execute(
            SQL(
                """SELECT batch_id, array_agg(DISTINCT mandate_id)
                     FROM billing_sepa_batch_line
                    WHERE batch_id IN %s
                 GROUP BY batch_id""",
                tuple(self.ids),
            )
        )
        return dict(self.env.cr.fetchall())
