"""18.0.1.3.0: each direct debit records the file (MsgId) and payment block (PmtInfId) it went out in.

A collection may now be split into several files (the journal's maximum number of transactions
per file), so the booking and the matching of a file's or block's reject read the identifiers
from the collection's lines. Fill them on the lines of the batches generated before, as the
earlier code built their files: one block per scheme and sequence type in the order of the
lines, and either one file, or one file per block in the same order.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    for batch in env["billing.sepa.batch"].search([("message_identifier", "!=", False)]):
        message_identifiers = batch.message_identifier.split(", ")
        blocks = batch.line_ids.sorted("id")._group_by_scheme_and_sequence()
        for index, ((scheme, sequence_type), lines) in enumerate(blocks.items()):
            if len(message_identifiers) == 1:
                message_identifier = message_identifiers[0]
            else:
                message_identifier = message_identifiers[index] if index < len(message_identifiers) else None
            cr.execute(
                """
                UPDATE billing_sepa_batch_line
                   SET message_identifier = %s, payment_info_identifier = %s
                 WHERE id IN %s
                """,
                (
                    message_identifier,
                    batch._get_payment_info_identifier(scheme, sequence_type),
                    tuple(lines.ids),
                ),
            )
