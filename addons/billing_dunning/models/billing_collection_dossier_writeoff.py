import mimetypes
from collections import defaultdict

from odoo import Command, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError

from ..collection.agency_client import AgencyError
from ..collection.settlement import parse_certificate

UNCOLLECTIBLE_STATES = ("uncollectible", "bankrupt")


class BillingCollectionDossier(models.Model):
    """An uncollectible debt: the agency's flat fee, its certificate, and the write-off of the
    invoices with the VAT correction for bad debts."""

    _inherit = "billing.collection.dossier"

    fee_bill_id = fields.Many2one(
        "account.move", string="Flat Fee Bill", readonly=True, copy=False, check_company=True
    )
    certificate_attachment_id = fields.Many2one(
        "ir.attachment", string="Certificate of Uncollectibility", readonly=True, copy=False
    )
    certificate_url = fields.Char(
        readonly=True, copy=False, help="Where the agency offers the certificate, until it is fetched."
    )
    writeoff_move_id = fields.Many2one(
        "account.move", string="Write-off Entry", readonly=True, copy=False, check_company=True
    )

    # ------------------------------------------------------------------ actions

    def action_writeoff(self):
        """The write-off dialog of an uncollectible dossier."""
        ensure_records(self, single=True)
        self._check_writeoff()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Write Off Uncollectible Debt"),
            "res_model": "billing.collection.writeoff",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_dossier_id": self.id},
        }

    def action_fetch_certificate(self):
        """Fetch the certificate the agency offers by URL (when that failed on its event)."""
        ensure_records(self)
        errors = []
        for dossier in self.filtered(lambda d: d.certificate_url and not d.certificate_attachment_id):
            try:
                dossier._fetch_certificate()
            except AgencyError as exc:
                dossier._record_agency_error(exc)
                errors.append(f"{dossier.name}: {exc}")
        return self._agency_result(errors)

    # ------------------------------------------------------------------ agency events

    def _apply_agency_event(self, event, source):
        if not isinstance(event, dict) or event.get("status") not in UNCOLLECTIBLE_STATES:
            return super()._apply_agency_event(event, source)
        certificate = parse_certificate(event["certificate"]) if event.get("certificate") else None
        try:
            with self.env.cr.savepoint():
                applied = super()._apply_agency_event(event, source)
                if applied:
                    self._book_uncollectible(certificate)
        except UserError as exc:
            raise ValueError(str(exc)) from exc
        return applied

    def _book_uncollectible(self, certificate):
        """The flat fee as the agency's bill (once per dossier) and the certificate."""
        self.ensure_one()
        agency = self.agency_id
        if not self.fee_bill_id and not agency.fee_currency_id.is_zero(agency.uncollectible_fee):
            setup = self.company_id._get_billing_collection_setup(agency)
            label = self.env._(
                "Flat fee, dossier %(dossier)s %(state)s",
                dossier=self.name,
                state=dict(self._fields["state"]._description_selection(self.env))[self.state],
            )
            self.fee_bill_id = self._create_agency_bill(
                fields.Date.context_today(self),
                self.env._("Flat fee %(dossier)s", dossier=self.dossier_number or self.name),
                [(label, setup["costs"], agency.uncollectible_fee)],
                agency.fee_currency_id,
                setup,
            )
        if certificate:
            filename, content, url = certificate
            if content is not None:
                self._attach_certificate(filename, content)
            else:
                self.certificate_url = url
                try:
                    self._fetch_certificate(filename)
                except AgencyError as exc:
                    self._record_agency_error(exc)
        self.message_post(
            body=self.env._(
                "The agency reports the debt %(state)s. Write the invoices off with the button "
                "Write Off (the VAT on the unpaid part is corrected).",
                state=self.state,
            )
        )

    def _fetch_certificate(self, filename=None):
        self.ensure_one()
        content = self.agency_id._get_client().get_document(self.certificate_url)
        self._attach_certificate(filename or f"certificate-{self.dossier_number}.pdf", content)

    def _attach_certificate(self, filename, content):
        self.ensure_one()
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": filename,
                    "raw": content,
                    "mimetype": mimetypes.guess_type(filename)[0] or "application/pdf",
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        )
        self.write(
            {"certificate_attachment_id": attachment.id, "certificate_url": False, "last_error": False}
        )
        self.message_post(
            body=self.env._("Certificate of uncollectibility received."), attachment_ids=attachment.ids
        )

    # ------------------------------------------------------------------ write-off

    def _check_writeoff(self):
        self.ensure_one()
        if self.state not in UNCOLLECTIBLE_STATES:
            raise UserError(
                self.env._(
                    "Only a dossier the agency reports uncollectible or bankrupt is written off; "
                    "%(dossier)s is %(state)s.",
                    dossier=self.display_name,
                    state=self.state,
                )
            )
        if self.writeoff_move_id:
            raise UserError(
                self.env._(
                    "The dossier %(dossier)s is written off already (%(entry)s).",
                    dossier=self.display_name,
                    entry=self.writeoff_move_id.name,
                )
            )
        if not self._get_collection_receivable_lines():
            raise UserError(self.env._("Nothing of %(dossier)s is open.", dossier=self.display_name))

    def _get_writeoff_plan(self, vat_relief=True, vat_account=None):
        """Per open receivable line, what its write-off books: ``{"line": line, "vat": {(VAT
        account, refund repartition line): (amount in currency, in company currency)}, "base":
        [(base tags, amount in currency, in company currency)]}``.

        The VAT share is the unpaid part of each tax line of the invoice, in proportion to what
        is unpaid of its total, at the invoice's own rate; the rest is the bad-debt expense,
        split over the invoice's tax bases in the same proportion. Both carry the tax grids of
        the taxes' refund repartition, so the VAT return shows the correction as it shows a
        credit note. Without VAT relief the whole unpaid amount is expense, without grids."""
        self.ensure_one()
        plan = []
        company_currency = self.company_id.currency_id
        for line in self._get_collection_receivable_lines():
            move, currency = line.move_id, line.currency_id
            open_amounts = (line.amount_residual_currency, line.amount_residual)
            vat, bases = defaultdict(lambda: [0.0, 0.0]), defaultdict(lambda: [0.0, 0.0])
            if vat_relief and move.amount_total and move.amount_total_signed:
                shares = (open_amounts[0] / move.amount_total, open_amounts[1] / move.amount_total_signed)
                for tax_line in move.line_ids.filtered("tax_line_id"):
                    key = (vat_account or tax_line.account_id, self._get_refund_repartition(tax_line))
                    vat[key][0] -= tax_line.amount_currency * shares[0]
                    vat[key][1] -= tax_line.balance * shares[1]
                for base_line in move.line_ids.filtered(lambda aml: aml.display_type == "product"):
                    taxes = base_line.tax_ids.flatten_taxes_hierarchy()
                    bases[taxes][0] -= base_line.amount_currency
                    bases[taxes][1] -= base_line.balance
            vat = {
                key: (currency.round(amounts[0]), company_currency.round(amounts[1]))
                for key, amounts in vat.items()
            }
            expense = (
                currency.round(open_amounts[0] - sum(amounts[0] for amounts in vat.values())),
                company_currency.round(open_amounts[1] - sum(amounts[1] for amounts in vat.values())),
            )
            plan.append(
                {
                    "line": line,
                    "vat": vat,
                    "base": self._split_writeoff_expense(expense, bases, (currency, company_currency)),
                }
            )
        return plan

    def _get_refund_repartition(self, tax_line):
        """The refund repartition line matching the invoice repartition line of ``tax_line``
        (same tax, same position among its tax lines): its grids are the credit note's."""
        repartition = tax_line.tax_repartition_line_id
        tax = repartition.tax_id
        if repartition.document_type == "refund":
            return repartition
        invoice_lines = tax.invoice_repartition_line_ids.filtered(lambda rep: rep.repartition_type == "tax")
        refund_lines = tax.refund_repartition_line_ids.filtered(lambda rep: rep.repartition_type == "tax")
        position = invoice_lines.ids.index(repartition.id) if repartition in invoice_lines else -1
        return refund_lines[position] if 0 <= position < len(refund_lines) else refund_lines[:1]

    @staticmethod
    def _split_writeoff_expense(expense, bases, currencies):
        """Split the bad-debt expense over the tax bases in proportion to each base; the last
        base takes the rounding rest, so the parts add up to the cent."""
        bases = {taxes: amounts for taxes, amounts in bases.items() if amounts[0] or amounts[1]}
        totals = [sum(amounts[i] for amounts in bases.values()) for i in (0, 1)]
        if not bases or not totals[0] or not totals[1]:
            return [(None, *expense)]
        parts, rest = [], list(expense)
        for index, (taxes, amounts) in enumerate(bases.items()):
            tags = taxes.get_tax_tags(True, "base") if taxes else None
            if index == len(bases) - 1:
                parts.append((tags, currencies[0].round(rest[0]), currencies[1].round(rest[1])))
                break
            part = [currencies[i].round(expense[i] * amounts[i] / totals[i]) for i in (0, 1)]
            rest = [rest[i] - part[i] for i in (0, 1)]
            parts.append((tags, *part))
        return parts

    def _writeoff(self, day, journal, account, vat_relief=True, vat_account=None):
        """Post the write-off entry: each open receivable credited and reconciled, the VAT share
        of the unpaid part debited to the VAT account, the rest to the bad-debt account, both
        on the tax grids of a credit note."""
        self.ensure_one()
        self._check_writeoff()
        plan = self._get_writeoff_plan(vat_relief, vat_account)
        label = self.env._("Bad debt, dossier %(dossier)s", dossier=self.name)
        receivable_vals, other_vals, targets = [], [], []
        for item in plan:
            line = item["line"]
            invoice_label = f"{label}: {line.move_id.name}"
            common = {"partner_id": line.partner_id.id, "currency_id": line.currency_id.id}
            receivable_vals.append(
                {
                    **common,
                    "name": invoice_label,
                    "account_id": line.account_id.id,
                    "amount_currency": -line.amount_residual_currency,
                    "balance": -line.amount_residual,
                }
            )
            targets.append(line)
            for (vat_account_line, repartition), (amount_currency, balance) in item["vat"].items():
                other_vals.append(
                    {
                        **common,
                        "name": self.env._("%(label)s, VAT correction", label=invoice_label),
                        "account_id": vat_account_line.id,
                        "amount_currency": amount_currency,
                        "balance": balance,
                        "tax_tag_ids": [Command.set(repartition.tag_ids.ids)],
                    }
                )
            for tags, amount_currency, balance in item["base"]:
                other_vals.append(
                    {
                        **common,
                        "name": invoice_label,
                        "account_id": account.id,
                        "amount_currency": amount_currency,
                        "balance": balance,
                        "tax_tag_ids": [Command.set(tags.ids if tags else [])],
                    }
                )
        move = (
            self.env["account.move"]
            .with_company(self.company_id)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "company_id": self.company_id.id,
                    "date": day,
                    "ref": label,
                    "line_ids": [Command.create(vals) for vals in receivable_vals + other_vals],
                }
            )
        )
        move.action_post()
        new_lines = move.line_ids.sorted("id")[: len(targets)]
        self.env["account.move.line"]._reconcile_plan(
            [new_line + target for new_line, target in zip(new_lines, targets, strict=True)]
        )
        if self.certificate_attachment_id:
            self.certificate_attachment_id.sudo().copy({"res_model": "account.move", "res_id": move.id})
        self.writeoff_move_id = move
        self.message_post(
            body=self.env._("Written off in %(entry)s.", entry=move.name),
        )
        return move
