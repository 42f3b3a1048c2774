from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

from ..tools import ensure_records
from .billing_sepa_batch_booking import BULK_BOOKING_CONTEXT


class BillingSepaReturn(models.Model):
    """One rejected, returned or refunded direct debit, as the bank reported it."""

    _name = "billing.sepa.return"
    _description = "SEPA Direct Debit Return"
    _order = "id desc"
    _check_company_auto = True
    _rec_name = "key"

    import_id = fields.Many2one(
        "billing.sepa.return.import",
        string="Import",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    key = fields.Char(required=True, readonly=True, help="Identifies the bank's entry: imported once.")
    state = fields.Selection(
        [("matched", "Matched"), ("to_review", "To Review"), ("booked", "Booked"), ("ignored", "Ignored")],
        required=True,
        default="to_review",
        readonly=True,
        index=True,
        help="Matched: found the collection, waits for it to be booked. To Review: no collection "
        "found; choose it and press Match. Booked: the invoice is open again.",
    )
    kind = fields.Selection(
        [("reject", "Reject"), ("return", "Return"), ("refund", "Refund")],
        required=True,
        readonly=True,
        help="A reject comes before settlement and does not count as a collection; a return or a "
        "refund comes after it.",
    )
    level = fields.Selection(
        [("file", "File"), ("block", "Payment Block"), ("transaction", "Transaction")],
        required=True,
        default="transaction",
        readonly=True,
    )
    batch_line_id = fields.Many2one(
        "billing.sepa.batch.line",
        string="Collection",
        index="btree_not_null",
        check_company=True,
        domain="[('batch_id.state', '!=', 'cancelled')]",
        help="The direct debit this return undoes. Set it on a return to review, then press Match.",
    )
    batch_id = fields.Many2one(related="batch_line_id.batch_id", store=True, index="btree_not_null")
    invoice_id = fields.Many2one(
        related="batch_line_id.move_id", string="Invoice", store=True, index="btree_not_null"
    )
    partner_id = fields.Many2one(
        related="invoice_id.commercial_partner_id", string="Customer", store=True, index="btree_not_null"
    )
    mandate_id = fields.Many2one(related="batch_line_id.mandate_id", string="Mandate", store=True)
    reason_id = fields.Many2one("billing.sepa.return.reason", string="Reason", readonly=True)
    reason_action = fields.Selection(related="reason_id.action")
    reason_text = fields.Char(string="Proprietary Reason", readonly=True)
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.ref("base.EUR"), readonly=True
    )
    amount = fields.Monetary(readonly=True)
    bank_charge = fields.Monetary(readonly=True, help="What the bank kept for the return.")
    date = fields.Date(readonly=True)
    additional_info = fields.Text(readonly=True)
    original_message_id = fields.Char(string="Original Message ID", readonly=True)
    original_payment_info_id = fields.Char(string="Original Payment Block", readonly=True)
    original_end_to_end_id = fields.Char(
        string="Original End-to-End ID", readonly=True, index="btree_not_null"
    )
    original_instruction_id = fields.Char(string="Original Instruction ID", readonly=True)
    original_mandate_id = fields.Char(string="Original Mandate", readonly=True)
    original_collection_date = fields.Date(string="Original Collection Date", readonly=True)
    raw_xml = fields.Text(string="Bank Entry", readonly=True)
    move_id = fields.Many2one("account.move", string="Return Entry", readonly=True, index="btree_not_null")

    _sql_constraints = [
        ("key_company_unique", "unique(company_id, key)", "The bank reported this entry once already."),
    ]

    # ------------------------------------------------------------------ matching

    def _match(self):
        """Find each return's collection: by end-to-end id, instruction id, then mandate + amount.

        A file- or block-level reject becomes one return per collection of the file or block.
        """
        Line = self.env["billing.sepa.batch.line"]
        live = [("batch_id.state", "!=", "cancelled")]
        for company, returns in self.grouped("company_id").items():
            base = expression.AND([[("company_id", "=", company.id)], live])
            ids = {r.original_end_to_end_id for r in returns} | {r.original_instruction_id for r in returns}
            ids.discard(False)
            by_end_to_end_id = {
                line.end_to_end_id: line
                for line in Line.search(
                    expression.AND([base, [("end_to_end_id", "in", list(ids))]]), order="id"
                )
            }
            returned = self._get_returned_lines(company)
            for ret in returns.filtered(lambda r: r.level == "transaction"):
                line = by_end_to_end_id.get(ret.original_end_to_end_id) or by_end_to_end_id.get(
                    ret.original_instruction_id
                )
                if not line and ret.original_mandate_id:
                    line = ret._match_by_mandate(base, returned)
                if not line or line in returned:
                    # Not found, or reported again by another file (the day's camt.053 after
                    # the camt.054): left for review, never booked twice.
                    continue
                ret.write({"batch_line_id": line.id, "state": "matched"})
                returned |= line
            returns.filtered(lambda r: r.level != "transaction")._expand_group_rejects(company)

    @api.model
    def _get_returned_lines(self, company):
        """The collections of ``company`` a return has already been matched with."""
        return self.search(
            [("company_id", "=", company.id), ("state", "in", ("matched", "booked"))]
        ).batch_line_id

    def _match_by_mandate(self, base_domain, returned):
        self.ensure_one()
        domain = expression.AND(
            [
                base_domain,
                [
                    ("mandate_id.reference_key", "=", self.original_mandate_id.upper()),
                    ("amount", "=", self.amount),
                ],
            ]
        )
        if self.original_collection_date:
            domain = expression.AND(
                [domain, [("batch_id.collection_date", "=", self.original_collection_date)]]
            )
        elif self.date:
            domain = expression.AND([domain, [("batch_id.collection_date", "<=", self.date)]])
        lines = self.env["billing.sepa.batch.line"].search(domain) - returned
        return lines.sorted(lambda line: (line.batch_id.collection_date, line.id))[-1:]

    def _expand_group_rejects(self, company):
        """A reject of a whole file or payment block: one matched return per collection in it."""
        Batch = self.env["billing.sepa.batch"]
        for ret in self:
            batches = Batch._find_by_message_identifiers(company, {ret.original_message_id})
            lines = batches.line_ids
            if ret.level == "block":
                lines = lines.filtered(
                    lambda line, ret=ret: (
                        line.batch_id._get_payment_info_identifier(line.mandate_id.scheme, line.sequence_type)
                        == ret.original_payment_info_id
                    )
                )
            if not lines:
                continue
            first, others = lines[0], lines[1:]
            group_key = ret.key
            ret.write(
                {
                    "batch_line_id": first.id,
                    "state": "matched",
                    "amount": first.amount,
                    "key": f"{group_key}/{first.end_to_end_id}",
                }
            )
            self.create(
                [
                    dict(
                        ret.copy_data()[0],
                        import_id=ret.import_id.id,
                        key=f"{group_key}/{line.end_to_end_id}",
                        batch_line_id=line.id,
                        amount=line.amount,
                        bank_charge=0.0,
                        state="matched",
                    )
                    for line in others
                ]
            )

    def action_match(self):
        """Match returns under review with the collection the user chose, then book them."""
        ensure_records(self)
        to_match = self.filtered(lambda r: r.state == "to_review")
        if to_match.filtered(lambda r: not r.batch_line_id):
            raise UserError(self.env._("Choose the collection each return undoes first."))
        for company, returns in to_match.grouped("company_id").items():
            twice = returns.batch_line_id & self._get_returned_lines(company)
            if twice or len(returns.batch_line_id) < len(returns):
                raise UserError(
                    self.env._(
                        "The direct debit %(collection)s has been returned already: a collection is returned once.",
                        collection=(twice[:1] or returns.batch_line_id[:1]).end_to_end_id,
                    )
                )
        to_match.write({"state": "matched"})
        to_match._process()
        for record in to_match.import_id:
            if not record.return_ids.filtered(lambda r: r.state == "to_review"):
                record.state = "done"
        return True

    def action_ignore(self):
        ensure_records(self)
        self.filtered(lambda r: r.state == "to_review").write({"state": "ignored"})
        return True

    # ------------------------------------------------------------------ processing

    def _process(self):
        """Book the matched returns whose collection is booked, then apply their reasons' actions.

        A reject of a collection not booked yet waits until its batch is booked.
        """
        ready = self.filtered(lambda r: r.state == "matched" and r.batch_line_id.booking_done)
        ready._book()
        ready._apply_actions()
        ready._post_messages()
        ready._charge_fees()
        return ready

    def _book(self):
        """Reverse each debtor's part of the collection: one entry per import and payment block."""
        if not self:
            return
        AccountMoveLine = self.env["account.move.line"]
        groups = defaultdict(lambda: self.browse())
        for ret in self:
            line = ret.batch_line_id
            block = line.batch_id._get_payment_info_identifier(line.mandate_id.scheme, line.sequence_type)
            groups[ret.import_id, line.batch_id, block] |= ret
        collection_lines = self.batch_line_id.collection_line_id
        # The invoices leave their collection: they are open again, with their own due date.
        collection_lines.remove_move_reconcile()
        moves_vals, ordered = [], []
        for (record, batch, block), returns in groups.items():
            moves_vals.append(returns._prepare_return_move_vals(record, batch, block))
            ordered.append(returns)
        moves = self.env["account.move"].with_context(**BULK_BOOKING_CONTEXT).create(moves_vals)
        moves.with_context(**BULK_BOOKING_CONTEXT).action_post()
        plan = []
        for move, returns in zip(moves, ordered, strict=True):
            debit_by_name = {
                aml.name: aml for aml in move.line_ids if aml.account_id.account_type == "asset_receivable"
            }
            for ret in returns:
                returns_line = debit_by_name[ret.batch_line_id.end_to_end_id]
                plan.append(ret.batch_line_id.collection_line_id | returns_line)
            returns.write({"move_id": move.id, "state": "booked"})
        AccountMoveLine.with_context(**BULK_BOOKING_CONTEXT)._reconcile_plan(plan)

    def _prepare_return_move_vals(self, record, batch, block):
        """Entry of the returns of one block: debit each debtor, credit outstanding receipts."""
        to_company_currency = batch._get_company_currency_converter()
        line_vals = []
        total = total_balance = 0.0
        for ret in self:
            collection_line = ret.batch_line_id.collection_line_id
            amount = -collection_line.amount_currency
            balance = -collection_line.balance
            line_vals.append(
                batch._prepare_collection_line_vals(
                    ret.batch_line_id.end_to_end_id,
                    collection_line.account_id,
                    collection_line.partner_id,
                    amount,
                    balance,
                )
            )
            total += amount
            total_balance += balance
        charges = batch.currency_id.round(sum(self.mapped("bank_charge")))
        if charges:
            charge_account = record.company_id.sepa_return_charge_account_id
            if not charge_account:
                raise UserError(
                    self.env._(
                        "The bank kept charges on returns: set the bank charge account in the SEPA settings of %(company)s.",
                        company=record.company_id.display_name,
                    )
                )
            charge_balance = to_company_currency(charges)
            line_vals.append(
                batch._prepare_collection_line_vals(
                    self.env._("Bank charges %(block)s", block=block),
                    charge_account,
                    self.env["res.partner"],
                    charges,
                    charge_balance,
                )
            )
            total += charges
            total_balance += charge_balance
        line_vals.append(
            batch._prepare_collection_line_vals(
                block,
                batch._get_outstanding_account(),
                self.env["res.partner"],
                -batch.currency_id.round(total),
                -batch.company_id.currency_id.round(total_balance),
            )
        )
        return {
            "move_type": "entry",
            "journal_id": batch.journal_id.id,
            "date": max(self.mapped("date") or [fields.Date.context_today(self)])
            or fields.Date.context_today(self),
            "ref": self.env._(
                "SEPA returns %(file)s of %(batch)s (%(block)s)",
                file=record.name,
                batch=batch.name,
                block=block,
            ),
            "sepa_return_import_id": record.id,
            "line_ids": [fields.Command.create(vals) for vals in line_vals],
        }

    def _apply_actions(self):
        """What each reason asks for, on the invoices and mandates, in a few writes."""
        Move = self.env["account.move"].with_context(skip_invoice_sync=True)
        self._correct_rejected_collections()
        self._apply_mandate_actions()
        by_action = defaultdict(lambda: self.browse())
        for ret in self:
            by_action[ret.reason_id.action or "technical"] |= ret
        represent = by_action["represent"]
        again = represent.filtered(lambda r: not r.invoice_id.sepa_represented)
        # Once: a second return of a re-presented invoice is left to a person.
        Move.browse(again.invoice_id.ids).write({"sepa_batch_id": False, "sepa_represented": True})
        by_action["technical"] |= represent - again
        Move.browse(by_action["dispute"].invoice_id.ids).write({"sepa_disputed": True})
        for ret in self.filtered("reason_id.needs_activity") | by_action["technical"]:
            ret.invoice_id.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Direct debit returned: %(reason)s", reason=ret._get_reason_words()),
                note=ret.additional_info or "",
                user_id=(ret.invoice_id.invoice_user_id or self.env.user).id,
            )

    def _get_reason_words(self):
        self.ensure_one()
        return self.reason_id.display_name or self.reason_text or self.env._("no reason given")

    def _post_messages(self):
        """One message per return on its invoice and on its mandate, with the reason in words."""
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        bodies = {
            ret: self.env._(
                "%(kind)s of the direct debit %(end_to_end)s of %(date)s: %(reason)s.",
                kind=kinds[ret.kind],
                end_to_end=ret.batch_line_id.end_to_end_id,
                date=ret.batch_id.collection_date,
                reason=ret._get_reason_words(),
            )
            for ret in self
        }
        for model in ("invoice_id", "mandate_id"):
            messages = defaultdict(list)
            for ret, body in bodies.items():
                messages[ret[model]].append(body)
            for record, texts in messages.items():
                record.message_post(body="\n".join(texts))

    @api.model
    def _count_by(self, field, records):
        """{record: number of returns} of ``records``, linked to them by ``field``."""
        return dict(self._read_group([(field, "in", records.ids)], [field], ["__count"]))

    @api.model
    def _get_action(self, domain):
        action = self.env["ir.actions.act_window"]._for_xml_id("billing_sepa.billing_sepa_return_action")
        action["domain"] = domain
        action["context"] = {}
        return action

    @api.model
    def _book_waiting(self, batches):
        """Book the returns matched before their batch was booked."""
        waiting = self.search([("batch_id", "in", batches.ids), ("state", "=", "matched")])
        return waiting._process()
