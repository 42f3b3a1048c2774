from odoo import Command, api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..sepa.charset import to_sepa_identifier, to_sepa_text
from ..sepa.target2 import next_target2_business_day


class BillingSepaCreditTransfer(models.Model):
    """Customers' credits paid back by SEPA credit transfer: gathering and states.

    The file (pain.001) is in ``billing_sepa_credit_transfer_file.py``, the booking in
    ``billing_sepa_credit_transfer_booking.py``; both mirror the direct-debit collection.
    """

    _name = "billing.sepa.credit.transfer"
    _description = "SEPA Credit Transfer (Refunds)"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "execution_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, copy=False, readonly=True, default="/")
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda self: self.env.company
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Bank Journal",
        required=True,
        readonly=True,
        check_company=True,
        domain="[('type', '=', 'bank')]",
        help="The bank account the refunds are paid from; its SEPA settings shape the file.",
    )
    execution_date = fields.Date(
        string="Requested Execution Date", required=True, readonly=True, tracking=True
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("generated", "File Generated"),
            ("sent", "Sent to Bank"),
            ("paid", "Paid Out"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    line_ids = fields.One2many(
        "billing.sepa.credit.transfer.line", "transfer_id", string="Refunds", readonly=True
    )
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.ref("base.EUR"), readonly=True
    )
    amount_total = fields.Monetary(compute="_compute_totals", store=True)
    line_count = fields.Integer(compute="_compute_totals", store=True)
    message_identifier = fields.Char(string="Message ID", readonly=True, copy=False)
    generation_count = fields.Integer(readonly=True, copy=False)
    file_attachment_ids = fields.Many2many(
        "ir.attachment",
        "billing_sepa_credit_transfer_attachment_rel",
        string="SEPA Files",
        readonly=True,
        copy=False,
    )
    move_id = fields.Many2one(
        "account.move",
        string="Payment Entry",
        readonly=True,
        copy=False,
        check_company=True,
        help="The journal entry booking the refunds, reconciled with the customers' credits.",
    )

    @api.depends("line_ids.amount")
    def _compute_totals(self):
        totals = {
            transfer: (amount, count)
            for transfer, amount, count in self.env["billing.sepa.credit.transfer.line"]._read_group(
                [("transfer_id", "in", self.ids)], ["transfer_id"], ["amount:sum", "__count"]
            )
        }
        for transfer in self:
            transfer.amount_total, transfer.line_count = totals.get(transfer, (0.0, 0))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code("billing.sepa.credit.transfer")
                )
        return super().create(vals_list)

    # ------------------------------------------------------------------ creation

    @api.model
    def create_credit_transfer(self, execution_date, company_id=None, journal_id=None):
        """Gather the open credits of the customers who want them paid back into a new batch.

        Callable over RPC. Takes, per customer whose credit policy is "Pay back" and per
        receivable account, the open EUR credits (unreconciled payments, open credit notes,
        refunded debits) in no live refund batch, after offsetting them against the customer's
        open debts that no collection is collecting. A customer without a valid IBAN (on an
        active mandate or among their bank accounts) is left out and named in the chatter.

        :return: id of the new batch, or False when there was nothing to pay back
        """
        company = self.env["res.company"].browse(company_id) if company_id else self.env.company
        if company not in self.env.companies:
            raise AccessError(self.env._("You cannot pay back credits of a company you have no access to."))
        try:
            execution_date = fields.Date.to_date(execution_date)
        except (TypeError, ValueError):
            execution_date = None
        if not execution_date:
            raise UserError(self.env._("Give the execution date as YYYY-MM-DD."))
        if execution_date < fields.Date.context_today(self):
            raise UserError(self.env._("The execution date %(date)s is in the past.", date=execution_date))
        execution_date = next_target2_business_day(execution_date)
        journal = self.env["billing.sepa.batch"]._get_collection_journal(company, journal_id)

        credits = self._lock_open_credits(company).filtered(
            lambda aml: (
                aml.partner_id.commercial_partner_id.with_company(company).sepa_credit_policy == "refund"
            )
        )
        credits = self.env["account.move.line"]._sepa_offset_credits(credits, company)
        transfer_vals = {"company_id": company.id, "journal_id": journal.id, "execution_date": execution_date}
        lines_vals, left_out = self._prepare_lines(credits, company)
        if not lines_vals:
            return False
        transfer = self.create(transfer_vals)
        self.env["billing.sepa.credit.transfer.line"].create(
            [
                {
                    **vals,
                    "transfer_id": transfer.id,
                    "end_to_end_id": transfer._get_end_to_end_id(index),
                }
                for index, vals in enumerate(lines_vals, 1)
            ]
        )
        # Marks the credits as taken, in one write: a second gathering, even a concurrent one,
        # leaves them.
        transfer.line_ids.credit_line_ids.with_context(skip_invoice_sync=True, tracking_disable=True).write(
            {"sepa_credit_transfer_id": transfer.id}
        )
        if left_out:
            transfer.message_post(
                body=self.env._(
                    "Left out, without a valid IBAN on an active mandate or a bank account: %(customers)s",
                    customers=", ".join(left_out.mapped("display_name")),
                )
            )
        return transfer.id

    @api.model
    def _lock_open_credits(self, company):
        """The open EUR customer credits of ``company`` in no live batch, locked (SKIP LOCKED).

        Taking a credit writes on it, so a concurrent gathering that locks it afterwards fails
        to serialize and is retried by Odoo, as with the invoices of a collection.
        """
        domain = self.env["account.move.line"]._sepa_get_open_credit_domain(company)
        query = self.env["account.move.line"]._search(domain, order="id")
        self.env.flush_all()
        self.env.cr.execute(
            SQL("%s FOR UPDATE OF %s SKIP LOCKED", query.select(), SQL.identifier(query.table)),
            log_exceptions=False,
        )
        return self.env["account.move.line"].browse(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _prepare_lines(self, credits, company):
        """Line values (without transfer_id) per customer and account of ``credits``, and the
        customers left out for want of a valid IBAN."""
        bank_by_partner = credits.partner_id.commercial_partner_id._get_sepa_refund_bank_accounts(company)
        eur = self.env.ref("base.EUR")
        lines_vals = []
        left_out = self.env["res.partner"]
        for (partner, account), key_credits in credits.grouped(
            lambda aml: (aml.partner_id.commercial_partner_id, aml.account_id)
        ).items():
            amount = eur.round(-sum(key_credits.mapped("amount_residual_currency")))
            if eur.compare_amounts(amount, 0) <= 0:
                continue
            bank = bank_by_partner.get(partner)
            if not bank:
                left_out |= partner
                continue
            lines_vals.append(
                {
                    "partner_id": partner.id,
                    "partner_bank_id": bank.id,
                    "account_id": account.id,
                    "amount": amount,
                    "amount_company_currency": company.currency_id.round(
                        -sum(key_credits.mapped("amount_residual"))
                    ),
                    "credit_line_ids": [Command.set(key_credits.ids)],
                    "remittance_text": self._get_remittance_text(key_credits),
                }
            )
        return lines_vals, left_out

    def _get_end_to_end_id(self, index):
        suffix = f"-{index}"
        return to_sepa_identifier(self.name)[: 35 - len(suffix)] + suffix

    @api.model
    def _get_remittance_text(self, credits):
        documents = credits.move_id
        return to_sepa_text(
            self.env._(
                "Refund of your credit: %(documents)s",
                documents=", ".join(documents.mapped("name")),
            ),
            140,
        )

    def _check_manager_rights(self):
        # Invoicing users prepare refunds; what moves money needs an accounting manager.
        if not self.env.su and not self.env.user.has_group("account.group_account_manager"):
            raise AccessError(self.env._("Only accounting managers can generate, send or book SEPA refunds."))

    def action_cancel(self):
        ensure_records(self)
        if self.filtered(lambda transfer: transfer.state == "paid"):
            raise UserError(self.env._("A refund batch that is paid out cannot be cancelled."))
        # Only what these batches still hold: a credit freed earlier may be in a newer batch.
        held = self.line_ids.credit_line_ids.filtered(lambda aml: aml.sepa_credit_transfer_id in self)
        held.with_context(skip_invoice_sync=True, tracking_disable=True).write(
            {"sepa_credit_transfer_id": False}
        )
        self.write({"state": "cancelled"})
        return True
