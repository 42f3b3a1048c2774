import string

from odoo import api, fields, models
from odoo.tools import file_open


class BillingSepaReturnImport(models.Model):
    _inherit = "billing.sepa.return.import"

    @api.model
    def _load_demo_bank_report(self, batch_ids, path, invoice_ids_by_key):
        """Demo data: import the bank report at ``path`` (in the addon) about the demo collection.

        The file is a template: its placeholders ($message_id, $iban, $today, $collection_date,
        and $e2e_<key>, $pmtinf_<key> per invoice of ``invoice_ids_by_key``) take the values of
        the collection the demo has just sent, and the file goes through the real import.
        """
        batch = self.env["billing.sepa.batch"].browse(batch_ids)
        batch.ensure_one()
        values = {
            "today": fields.Date.context_today(self).isoformat(),
            "message_id": batch.message_identifier,
            "iban": batch.journal_id.bank_account_id.sanitized_acc_number,
            "collection_date": batch.collection_date.isoformat(),
        }
        for key, invoice_id in invoice_ids_by_key.items():
            line = batch.line_ids.filtered(lambda line, invoice_id=invoice_id: line.move_id.id == invoice_id)
            values[f"e2e_{key}"] = line.end_to_end_id
            values[f"pmtinf_{key}"] = line.payment_info_identifier
        with file_open(path, "rb") as file:
            data = string.Template(file.read().decode()).substitute(values).encode()
        record, _duplicate = self._import_bytes(data, path.rpartition("/")[2], batch.company_id)
        return record.id
