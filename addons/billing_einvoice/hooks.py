from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

# Values this addon adds to Odoo's res.partner.invoice_sending_method.
ADDED_SENDING_METHODS = ("finvoice", "elasku")


def pre_init_hook(env):
    """Create account_move.einvoice_delivery_state empty, so that Odoo does not compute it.

    The field is the state of an invoice's latest delivery; no invoice has a delivery before
    this addon is installed, so the compute would give False (NULL) to every existing invoice,
    one by one in Python, in a database with years of invoices.
    """
    if not column_exists(env.cr, "account_move", "einvoice_delivery_state"):
        create_column(env.cr, "account_move", "einvoice_delivery_state", "varchar")


def uninstall_hook(env):
    """Take back our sending methods before Odoo removes the selection values.

    Odoo 18 finds the records holding a removed selection value with a plain-text SQL
    comparison, which fails on company-dependent (jsonb) fields such as
    invoice_sending_method. So the customers using them are reset through the ORM, company
    by company, and the selection entries are dropped here, before Odoo gets to them.
    """
    partner_model = env["res.partner"]
    for company in env["res.company"].search([]):
        partners = partner_model.with_company(company).search(
            [("invoice_sending_method", "in", ADDED_SENDING_METHODS)]
        )
        partners.write({"invoice_sending_method": False})
    field = env["ir.model.fields"]._get("res.partner", "invoice_sending_method")
    selections = env["ir.model.fields.selection"].search(
        [("field_id", "=", field.id), ("value", "in", ADDED_SENDING_METHODS)]
    )
    if not selections:
        return
    env["ir.model.data"].search(
        [("model", "=", "ir.model.fields.selection"), ("res_id", "in", selections.ids)]
    ).unlink()
    # Not selections.unlink(): that runs the very ondelete processing that fails.
    env.cr.execute(SQL("DELETE FROM ir_model_fields_selection WHERE id IN %s", tuple(selections.ids)))
