from odoo import Command, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError

from ..sepa import pain008
from ..sepa.charset import to_sepa_identifier, to_sepa_text


class BillingSepaBatch(models.Model):
    """The batch's pain.008 file: generation, download, and handing it to the bank."""

    _inherit = "billing.sepa.batch"

    def action_generate_file(self):
        ensure_records(self)
        self._check_manager_rights()
        for batch in self:
            if batch.state not in ("draft", "generated"):
                raise UserError(
                    self.env._("Only draft batches get a new file (%(batch)s).", batch=batch.name)
                )
            if not batch.line_ids:
                raise UserError(self.env._("Batch %(batch)s has no collection.", batch=batch.name))
            batch._generate_file()
        return True

    def _generate_file(self):
        """Build, validate and attach the pain.008 file(s) of the batch.

        One file normally; several when the bank wants one payment-information block per file
        or limits the number of transactions per file (the journal's settings). Each direct
        debit records the file (MsgId) and block (PmtInfId) it went out in: the booking posts
        one entry per block, and a bank's reject of one file or block finds its debits by them.
        Each generation gets new message identifiers: banks refuse a MsgId they have seen.
        """
        self.ensure_one()
        version = self.journal_id.sepa_pain_version or pain008.PAIN008_001_08
        generation = self.generation_count + 1
        files = self._plan_files()
        block_info = self._prepare_block_info()
        attachments_vals = []
        for index, file_blocks in enumerate(files, 1):
            suffix = f"-{generation}" if len(files) == 1 else f"-{generation}-{index}"
            message_identifier = to_sepa_identifier(self.name)[: 35 - len(suffix)] + suffix
            message = pain008.Message(
                msg_id=message_identifier,
                creation_datetime=fields.Datetime.now(),
                initiating_party_name=to_sepa_text(self.company_id.name, 70),
                batches=[
                    block_info(identifier, scheme, sequence_type, lines)
                    for identifier, scheme, sequence_type, lines in file_blocks
                ],
            )
            attachments_vals.append(
                {
                    "name": f"{message_identifier}.xml",
                    "raw": self._build_pain008(message, version),
                    "mimetype": "application/xml",
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
            for identifier, _scheme, _sequence_type, lines in file_blocks:
                lines.write({"message_identifier": message_identifier, "payment_info_identifier": identifier})
        self.file_attachment_ids.unlink()
        attachments = self.env["ir.attachment"].create(attachments_vals)
        self.write(
            {
                "file_attachment_ids": [Command.set(attachments.ids)],
                "message_identifier": ", ".join(
                    name.removesuffix(".xml") for name in attachments.mapped("name")
                ),
                "generation_count": generation,
                "state": "generated",
            }
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
        for (scheme, sequence_type), lines in (
            self.line_ids.sorted("id")._group_by_scheme_and_sequence().items()
        ):
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

    def _build_pain008(self, message, version):
        try:
            return pain008.build_pain008(message, version)
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
        ensure_records(self)
        self._check_manager_rights()
        for batch in self:
            if batch.state != "generated":
                raise UserError(self.env._("Generate the file of %(batch)s first.", batch=batch.name))
        self.write({"state": "sent"})
        lines = self.line_ids
        # The debtor bank has now seen these amendments and this collection.
        pending = lines.mandate_id.amendment_ids.filtered(lambda amendment: amendment.state == "pending")
        for batch in self:
            batch_pending = pending.filtered(
                lambda amendment, batch=batch: amendment.mandate_id in batch.line_ids.mandate_id
            )
            batch_pending.write({"presented_date": batch.collection_date})
        for batch in self:
            batch.line_ids.mandate_id.sudo().write({"last_collection_date": batch.collection_date})
        lines.mandate_id.filtered(lambda mandate: mandate.mandate_type == "oneoff").sudo().write(
            {"state": "closed"}
        )
        return True
