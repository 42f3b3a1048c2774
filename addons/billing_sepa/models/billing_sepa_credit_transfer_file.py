from odoo import Command, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError

from ..sepa import pain001
from ..sepa.charset import to_sepa_identifier, to_sepa_text


class BillingSepaCreditTransfer(models.Model):
    """The refund batch's pain.001 file: generation, download, and handing it to the bank."""

    _inherit = "billing.sepa.credit.transfer"

    def action_generate_file(self):
        ensure_records(self)
        self._check_manager_rights()
        for transfer in self:
            if transfer.state not in ("draft", "generated"):
                raise UserError(
                    self.env._("Only draft refund batches get a new file (%(batch)s).", batch=transfer.name)
                )
            if not transfer.line_ids:
                raise UserError(self.env._("Refund batch %(batch)s has no refund.", batch=transfer.name))
            transfer._generate_file()
        return True

    def _generate_file(self):
        """Build, validate and attach the pain.001 file; each generation gets a new MsgId."""
        self.ensure_one()
        version = self.journal_id.sepa_credit_transfer_version or pain001.PAIN001_001_09
        generation = self.generation_count + 1
        suffix = f"-{generation}"
        message_identifier = to_sepa_identifier(self.name)[: 35 - len(suffix)] + suffix
        message = pain001.Message(
            msg_id=message_identifier,
            creation_datetime=fields.Datetime.now(),
            initiating_party_name=to_sepa_text(self.company_id.name, 70),
            batches=[self._prepare_payment_info()],
        )
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{message_identifier}.xml",
                "raw": self._build_pain001(message, version),
                "mimetype": "application/xml",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        self.file_attachment_ids.unlink()
        self.write(
            {
                "file_attachment_ids": [Command.set(attachment.ids)],
                "message_identifier": message_identifier,
                "generation_count": generation,
                "state": "generated",
            }
        )

    def _build_pain001(self, message, version):
        try:
            return pain001.build_pain001(message, version)
        except pain001.SepaDataError as error:
            raise UserError(
                self.env._(
                    "The SEPA file of %(batch)s cannot be built: %(error)s", batch=self.name, error=error
                )
            ) from error
        except pain001.SepaSchemaError as error:
            raise UserError(
                self.env._(
                    "The SEPA file of %(batch)s does not validate against the ISO schema: %(error)s",
                    batch=self.name,
                    error=error,
                )
            ) from error

    def _get_payment_info_identifier(self):
        suffix = "-TRF"
        return to_sepa_identifier(self.name)[: 35 - len(suffix)] + suffix

    def _prepare_payment_info(self):
        self.ensure_one()
        debtor_account = self.journal_id.bank_account_id
        if not debtor_account:
            raise UserError(
                self.env._(
                    "Bank journal %(journal)s has no bank account.", journal=self.journal_id.display_name
                )
            )
        return pain001.PaymentInfo(
            pmt_inf_id=self._get_payment_info_identifier(),
            execution_date=self.execution_date,
            debtor_name=to_sepa_text(self.company_id.name, 70),
            debtor_iban=debtor_account.sanitized_acc_number,
            debtor_bic=debtor_account.bank_bic or "",
            debtor_address=self.company_id.partner_id._prepare_sepa_address(),
            batch_booking=self.journal_id.sepa_batch_booking,
            transactions=[line._prepare_credit_transfer() for line in self.line_ids],
        )

    def action_download_file(self):
        ensure_records(self, single=True)
        if not self.file_attachment_ids:
            raise UserError(self.env._("Generate the file first."))
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.file_attachment_ids[:1].id}?download=true",
            "target": "download",
        }

    def get_files(self):
        """The current pain.001 file of the refund batch, for RPC clients.

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
        for transfer in self:
            if transfer.state != "generated":
                raise UserError(self.env._("Generate the file of %(batch)s first.", batch=transfer.name))
        self.write({"state": "sent"})
        return True
