from odoo.tools.sql import column_exists, create_column


def create_empty_fee_invoice_column(cr):
    """Create account_move.sepa_fee_invoice_id empty, so that Odoo does not compute it.

    The field is a stored related of the fee's return, and no invoice is a return fee before
    this version: computing it would give NULL to every existing invoice, one by one in Python,
    in a database with years of invoices.
    """
    if not column_exists(cr, "account_move", "sepa_fee_invoice_id"):
        create_column(cr, "account_move", "sepa_fee_invoice_id", "int4")


def pre_init_hook(env):
    create_empty_fee_invoice_column(env.cr)
