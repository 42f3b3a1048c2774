from odoo import Command, fields, models


class BillingCollectionSettlement(models.Model):
    """One settlement statement of the agency for a dossier, and what Odoo booked for it.

    What the debtor paid the agency (``amount_paid``), less the agency's own costs it recovered
    from the debtor and keeps (``amount_costs_recovered``), is collected for the creditor: it
    pays the open receivables of the dossier (dunning charges first, then the invoices, oldest
    first) and what is left is income (interest and compensation not charged yet). The
    commission and costs the creditor bears are the agency's bill, with their VAT; the agency
    transfers the rest (``amount_remitted``)."""

    _name = "billing.collection.settlement"
    _description = "Collection Agency Settlement"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Agency Settlement", required=True, readonly=True)
    dossier_id = fields.Many2one(
        "billing.collection.dossier", required=True, readonly=True, index=True, ondelete="restrict"
    )
    agency_id = fields.Many2one(related="dossier_id.agency_id", store=True, index=True)
    company_id = fields.Many2one(related="dossier_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="dossier_id.partner_id", string="Customer")
    event_id = fields.Char(string="Agency Event", readonly=True)
    date = fields.Date(required=True, readonly=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    amount_paid = fields.Monetary(string="Paid by the Debtor", readonly=True)
    amount_costs_recovered = fields.Monetary(
        string="Agency Costs Recovered", readonly=True, help="Paid by the debtor for the agency's own costs."
    )
    amount_collected = fields.Monetary(string="Collected for You", readonly=True)
    amount_applied = fields.Monetary(string="Applied to Receivables", readonly=True)
    amount_excess = fields.Monetary(
        string="Collected Beyond Receivables",
        readonly=True,
        help="Interest and compensation handed over but not charged by the dunning runs: income.",
    )
    amount_commission = fields.Monetary(string="Commission", readonly=True)
    amount_costs = fields.Monetary(string="Costs You Bear", readonly=True)
    amount_tax = fields.Monetary(string="VAT on Commission and Costs", readonly=True)
    amount_remitted = fields.Monetary(string="Transferred by the Agency", readonly=True)
    move_id = fields.Many2one("account.move", string="Collection Entry", readonly=True, check_company=True)
    bill_id = fields.Many2one("account.move", string="Agency Bill", readonly=True, check_company=True)

    _sql_constraints = [
        (
            "name_agency_unique",
            "UNIQUE(agency_id, name)",
            "An agency gives each settlement its own identifier.",
        ),
    ]

    def _book(self):
        """The collection entry (receivables paid and reconciled) and the agency's bill."""
        self.ensure_one()
        setup = self.company_id._get_billing_collection_setup(self.agency_id)
        currency = self.currency_id
        vals = {}
        if not currency.is_zero(self.amount_collected):
            vals["move_id"] = self._create_collection_move(setup).id
        bill_lines = [
            (
                self.env._("Commission, dossier %(dossier)s", dossier=self.dossier_id.name),
                self.amount_commission,
            ),
            (self.env._("Costs, dossier %(dossier)s", dossier=self.dossier_id.name), self.amount_costs),
        ]
        bill = self.env["account.move"]
        if any(not currency.is_zero(amount) for _name, amount in bill_lines):
            bill = self.dossier_id._create_agency_bill(
                self.date,
                self.env._("Settlement %(settlement)s", settlement=self.name),
                [
                    (name, setup["commission"] if index == 0 else setup["costs"], amount)
                    for index, (name, amount) in enumerate(bill_lines)
                    if not currency.is_zero(amount)
                ],
                currency,
                setup,
            )
            vals["bill_id"] = bill.id
        vals["amount_tax"] = bill.amount_tax
        vals["amount_remitted"] = currency.round(self.amount_collected - bill.amount_total)
        self.write(vals)

    def _create_collection_move(self, setup):
        """Debit what the agency holds for us, credit the receivables it paid (reconciled in
        one go) and, for the rest, the interest income account."""
        self.ensure_one()
        dossier, currency, company = self.dossier_id, self.currency_id, self.company_id
        company_currency = company.currency_id

        def convert(amount):
            return currency._convert(amount, company_currency, company, self.date)

        label = self.env._(
            "Collected by %(agency)s, dossier %(dossier)s, settlement %(settlement)s",
            agency=self.agency_id.name,
            dossier=dossier.name,
            settlement=self.name,
        )
        remaining = self.amount_collected
        credit_vals, targets = [], []
        for line in dossier._get_collection_receivable_lines():
            if currency.compare_amounts(remaining, 0.0) <= 0:
                break
            open_amount = line.amount_residual_currency if line.currency_id == currency else 0.0
            if currency.compare_amounts(open_amount, 0.0) <= 0:
                continue
            take = min(remaining, open_amount)
            full = currency.compare_amounts(take, open_amount) == 0
            credit_vals.append(
                {
                    "name": f"{label}: {line.move_id.name}",
                    "account_id": line.account_id.id,
                    "partner_id": line.partner_id.id,
                    "currency_id": currency.id,
                    "amount_currency": -take,
                    "balance": -(line.amount_residual if full else convert(take)),
                }
            )
            targets.append(line)
            remaining = currency.round(remaining - take)
        applied = currency.round(self.amount_collected - remaining)
        if currency.compare_amounts(remaining, 0.0) > 0:
            income = company._get_billing_dunning_charge_setup()["interest"]
            credit_vals.append(
                {
                    "name": self.env._("%(label)s: interest and compensation", label=label),
                    "account_id": income.id,
                    "partner_id": dossier.partner_id.id,
                    "currency_id": currency.id,
                    "amount_currency": -remaining,
                    "balance": -convert(remaining),
                }
            )
        debit = {
            "name": label,
            "account_id": setup["clearing"].id,
            "partner_id": self.agency_id.partner_id.id,
            "currency_id": currency.id,
            "amount_currency": self.amount_collected,
            "balance": company_currency.round(-sum(vals["balance"] for vals in credit_vals)),
        }
        move = (
            self.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": setup["journal"].id,
                    "company_id": company.id,
                    "date": self.date,
                    "ref": label,
                    "line_ids": [Command.create(vals) for vals in [*credit_vals, debit]],
                }
            )
        )
        move.action_post()
        new_lines = move.line_ids.sorted("id")[: len(targets)]
        self.env["account.move.line"]._reconcile_plan(
            [new_line + target for new_line, target in zip(new_lines, targets, strict=True)]
        )
        self.write({"amount_applied": applied, "amount_excess": remaining})
        return move
