"""18.0.1.2.0: create the stored related sepa_fee_invoice_id empty before the update computes it."""

from odoo.addons.billing_sepa.hooks import create_empty_fee_invoice_column


def migrate(cr, version):
    if version:
        create_empty_fee_invoice_column(cr)
