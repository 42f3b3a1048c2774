from odoo import fields, models


class BillingSepaBatchFilePart(models.Model):
    """A part of a large pain.008 file built in the background, kept until the file is whole.

    The scheduled action that builds a file of more transactions than
    ``billing_sepa.file_chunk_size`` writes their ``DrctDbtTxInf`` elements a part per
    transaction; the call after the last part puts the file together and drops the parts.
    """

    _name = "billing.sepa.batch.file.part"
    _description = "Part of a SEPA Collection File in Progress"
    _order = "batch_id, file_index, sequence"

    batch_id = fields.Many2one("billing.sepa.batch", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="batch_id.company_id", store=True)
    file_index = fields.Integer(required=True, help="The file of the batch's plan, from 0.")
    sequence = fields.Integer(required=True, help="The part's place in its file, from 0.")
    payment_info_identifier = fields.Char(
        string="Payment Info ID", required=True, help="PmtInfId of the block the part's transactions are in."
    )
    transaction_count = fields.Integer(required=True)
    fragment = fields.Text(required=True, help="The part's DrctDbtTxInf elements, as in the file.")

    _sql_constraints = [
        (
            "part_unique",
            "UNIQUE (batch_id, file_index, sequence)",
            "A part of a SEPA file is built once.",
        )
    ]
