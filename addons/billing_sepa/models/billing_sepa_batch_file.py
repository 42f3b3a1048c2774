from odoo import Command, fields, models
from odoo.exceptions import UserError

from ..sepa import pain008
from ..sepa.charset import to_sepa_identifier, to_sepa_text
from ..tools import ensure_records


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

        One file normally; one file per payment-information block when the bank wants that.
        Each generation gets new message identifiers: banks refuse a MsgId they have seen.
        """
        self.ensure_one()
        version = self.journal_id.sepa_pain_version or pain008.PAIN008_001_08
        generation = self.generation_count + 1
        blocks = self._prepare_payment_infos()
        files = [blocks] if not self.journal_id.sepa_one_block_per_file else [[block] for block in blocks]
        attachments_vals = []
        for index, file_blocks in enumerate(files, 1):
            suffix = f"-{generation}" if len(files) == 1 else f"-{generation}-{index}"
            message_identifier = to_sepa_identifier(self.name)[: 35 - len(suffix)] + suffix
            message = pain008.Message(
                msg_id=message_identifier,
                creation_datetime=fields.Datetime.now(),
                initiating_party_name=to_sepa_text(self.company_id.name, 70),
                batches=file_blocks,
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

    def _get_payment_info_identifier(self, scheme, sequence_type):
        suffix = f"-{scheme}-{sequence_type}"
        return to_sepa_identifier(self.name)[: 35 - len(suffix)] + suffix

    def _prepare_payment_infos(self):
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
        return [
            pain008.PaymentInfo(
                pmt_inf_id=self._get_payment_info_identifier(scheme, sequence_type),
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
            for (scheme, sequence_type), lines in self.line_ids._group_by_block().items()
        ]

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
