"""The companies and invoices the benchmark seeds share, made through the ORM."""

import sys

# Context of the seeding environments: no chatter, no followers, no tracking.
SEEDING_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}


def chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def create_company(env, vals):
    """A EUR company of ``vals`` with the generic chart, in which root and admin may work.

    Loading the generic chart sets the currency of its fiscal country (USD) on a company
    without journal items; the currency is set back to EUR right after, as a European user
    of the chart would.
    """
    from odoo import Command  # noqa: PLC0415

    eur = env.ref("base.EUR")
    eur.active = True
    # chart_template_load: no automatic install of the country's localization.
    company = env["res.company"].with_context(chart_template_load=True).create(vals)
    (env.ref("base.user_root") | env.ref("base.user_admin")).write(
        {"company_ids": [Command.link(company.id)]}
    )
    env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
    company.currency_id = eur
    return company


def check_eur_company(env, company):
    """Exit unless ``company`` keeps its books in EUR and none of its entries is in another currency."""
    env.flush_all()
    env.cr.execute(
        "SELECT count(*) FROM account_move WHERE company_id = %s AND currency_id != %s",
        [company.id, company.currency_id.id],
    )
    foreign = env.cr.fetchone()[0]
    if company.currency_id != env.ref("base.EUR") or foreign:
        sys.exit(
            f"{company.name} is not a EUR company: currency {company.currency_id.name}, "
            f"{foreign} entries in another currency"
        )
    return {"company currency": company.currency_id.name, "foreign-currency entries": foreign}


def one_line_invoice_vals(partner, amount, accounts, dates, Command):
    """A customer invoice of one line without tax, its lines given so that nothing needs syncing.

    ``accounts`` holds the sales ``journal``, its ``income`` account and the ``receivable``
    one, ``dates`` the ``invoice`` and ``due`` dates; the invoice is in the journal's
    company's currency. Create such invoices with the context key ``skip_invoice_sync``.
    """
    journal = accounts["journal"]
    return {
        "move_type": "out_invoice",
        "partner_id": partner.id,
        "journal_id": journal.id,
        "company_id": journal.company_id.id,
        "currency_id": journal.company_id.currency_id.id,
        "invoice_date": dates["invoice"],
        "date": dates["invoice"],
        "invoice_date_due": dates["due"],
        "line_ids": [
            Command.create(
                {
                    "display_type": "product",
                    "name": "Internet Februar / internet février",
                    "account_id": accounts["income"].id,
                    "quantity": 1,
                    "price_unit": amount,
                    "tax_ids": [Command.clear()],
                    "balance": -amount,
                    "amount_currency": -amount,
                }
            ),
            Command.create(
                {
                    "display_type": "payment_term",
                    "name": "",
                    "account_id": accounts["receivable"].id,
                    "balance": amount,
                    "amount_currency": amount,
                    "date_maturity": dates["due"],
                }
            ),
        ],
    }


def post_one_line_invoices(env, pairs, accounts, dates, Command, size):
    """Create and post one-line invoices of ``pairs`` (partner, amount), ``size`` per
    transaction, each committed and the cache emptied as a seed must (see
    ``one_line_invoice_vals``)."""
    moves = env["account.move"].with_context(skip_invoice_sync=True)
    for batch in chunks(pairs, size):
        moves.create(
            [one_line_invoice_vals(partner, amount, accounts, dates, Command) for partner, amount in batch]
        ).action_post()
        env.cr.commit()
        env.invalidate_all()


def berlin_address(env):
    """The address of the German benchmark companies."""
    return {
        "country_id": env.ref("base.de").id,
        "street": "Friedrichstraße 123",
        "zip": "10117",
        "city": "Berlin",
    }
