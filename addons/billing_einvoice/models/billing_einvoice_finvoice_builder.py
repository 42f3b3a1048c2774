import datetime
from collections import defaultdict
from decimal import Decimal

from odoo import models
from odoo.exceptions import UserError

from ..finvoice import document, frame, references, schema

FINVOICE_LANGUAGES = ("FI", "SV", "EN")


class BillingEinvoiceFinvoiceBuilder(models.AbstractModel):
    """Maps records to the plain data of ``finvoice/`` and builds the Finvoice-family messages
    (the invoice here; SenderInfo, ReceiverProposal and direct payment in the
    ``billing_einvoice_finvoice_builder_*.py`` files), as ``account.edi.xml.ubl_20`` does for UBL:
    the methods take the records as arguments, and a module extends the mapping by inheriting
    this model and calling ``super()``.
    """

    # Named after the suite (billing.<area>.<thing>) rather than account.edi.xml.finvoice: core's
    # account.edi.xml.* builders inherit account.edi.common and take part in its UBL/CII export
    # and import (_export_invoice, _import_fill_invoice), which this builder does not, and the
    # OCA's account_edi_finvoice could one day claim that name for its own Finvoice.
    _name = "billing.einvoice.finvoice.builder"
    _description = "Finvoice Builder"

    # ---- invoice -----------------------------------------------------------------------------

    def _get_finvoice_message_identifier(self, invoice, timestamp):
        """2 to 48 characters, unique per sender: company, invoice and time of the attempt."""
        invoice.ensure_one()
        return f"FINV-{invoice.company_id.id}-{invoice.id}-{timestamp:%Y%m%d%H%M%S}"

    def _get_finvoice_address(self, partner):
        if not (partner.street or partner.street2) or not partner.city or not partner.zip:
            return None
        return document.PostalAddress(
            street_lines=[line for line in (partner.street, partner.street2) if line],
            town=partner.city,
            postcode=partner.zip,
            country_code=partner.country_id.code or "",
        )

    def _get_finvoice_seller_accounts(self, invoice):
        invoice.ensure_one()
        company_banks = invoice.company_id.partner_id.bank_ids
        banks = invoice.partner_bank_id or company_banks.filtered("allow_out_payment")
        return [
            document.BankAccount(iban=bank.sanitized_acc_number or "", bic=bank.bank_id.bic or "")
            for bank in banks
        ]

    def _get_finvoice_lines(self, invoice):
        invoice.ensure_one()
        lines = []
        for line in invoice.invoice_line_ids.filtered(lambda aml: aml.display_type == "product"):
            percent_taxes = line.tax_ids.flatten_taxes_hierarchy().filtered(
                lambda tax: tax.amount_type == "percent"
            )
            vat_percent = Decimal(str(sum(percent_taxes.mapped("amount"))))
            lines.append(
                document.InvoiceLine(
                    name=line.name or line.product_id.display_name or "",
                    article_identifier=line.product_id.default_code or "",
                    quantity=Decimal(str(line.quantity)),
                    unit_code=line.product_uom_id._get_unece_code() if line.product_uom_id else "",
                    unit_price=Decimal(str(line.price_unit)),
                    discount_percent=Decimal(str(line.discount)) if line.discount else None,
                    vat_percent=vat_percent,
                    vat_code="S" if vat_percent else "Z",
                    vat_amount=Decimal(str(line.price_total - line.price_subtotal)),
                    amount_excluded=Decimal(str(line.price_subtotal)),
                    amount_included=Decimal(str(line.price_total)),
                )
            )
        return lines

    def _get_finvoice_vat_summaries(self, lines):
        totals = defaultdict(lambda: [Decimal(0), Decimal(0), "S"])
        for line in lines:
            total = totals[line.vat_percent]
            total[0] += line.amount_excluded
            total[1] += line.vat_amount
            total[2] = line.vat_code
        return [
            document.VatSummary(percent=percent, base=base, amount=amount, vat_code=code)
            for percent, (base, amount, code) in sorted(totals.items())
        ]

    def _get_finvoice_data(self, invoice, sending_method, timestamp):
        """Map ``invoice`` to the plain Finvoice data (``finvoice.document.Invoice``)."""
        invoice.ensure_one()
        company = invoice.company_id
        partner = invoice.partner_id.commercial_partner_id
        if not invoice.is_sale_document(include_receipts=False):
            raise UserError(self.env._("Only customer invoices and credit notes can be sent as Finvoice."))
        missing = []
        if not company.einvoice_address or not company.einvoice_operator:
            missing.append(
                self.env._(
                    "the company %(company)s has no own e-invoice address and intermediator "
                    "(Settings > Invoicing > E-invoicing)",
                    company=company.name,
                )
            )
        if not partner.einvoice_address or not partner.einvoice_operator:
            missing.append(
                self.env._(
                    "the customer %(customer)s has no e-invoice address and intermediator",
                    customer=partner.display_name,
                )
            )
        if missing:
            raise UserError("; ".join(missing))
        lines = self._get_finvoice_lines(invoice)
        scheme, reference = references.reference_scheme(invoice.payment_reference or "")
        lang = (partner.lang or "")[:2].upper()
        original = invoice.reversed_entry_id
        return document.Invoice(
            message_identifier=self._get_finvoice_message_identifier(invoice, timestamp),
            timestamp=timestamp,
            routing=document.Routing(
                from_identifier=company.einvoice_address,
                from_intermediator=company.einvoice_operator,
                to_identifier=partner.einvoice_address,
                to_intermediator=partner.einvoice_operator,
            ),
            seller=document.Party(
                name=company.name,
                identifier=company.company_registry or "",
                vat=company.vat or "",
                address=self._get_finvoice_address(company.partner_id),
                email=company.email or "",
                phone=company.phone or "",
            ),
            seller_accounts=self._get_finvoice_seller_accounts(invoice),
            buyer=document.Party(
                name=partner.name or "",
                identifier=(partner.company_registry or "") if partner.is_company else "",
                vat=partner.vat or "",
                address=self._get_finvoice_address(partner),
                email=partner.email or "",
                unit_number=partner.einvoice_address if sending_method == "finvoice" else "",
            ),
            number=invoice.name,
            date=invoice.invoice_date,
            due_date=invoice.invoice_date_due or invoice.invoice_date,
            currency=invoice.currency_id.name,
            total_excluded=Decimal(str(invoice.amount_untaxed)),
            total_vat=Decimal(str(invoice.amount_tax)),
            total_included=Decimal(str(invoice.amount_total)),
            lines=lines,
            vat_summaries=self._get_finvoice_vat_summaries(lines),
            is_credit_note=invoice.move_type == "out_refund",
            language=lang if lang in FINVOICE_LANGUAGES else "",
            payment_reference=reference if scheme else "",
            payment_instruction_id=(
                (company.finvoice_payment_instruction_id or "") if sending_method == "elasku" else ""
            ),
            original_invoice_number=original.name or "",
            original_invoice_date=original.invoice_date if original else None,
            sellers_buyer_identifier=partner.ref or "",
            buyer_reference=invoice.ref or "",
            payment_terms_text=invoice.invoice_payment_term_id.name or "",
        )

    def _build_finvoice_payload(self, invoice, sending_method, timestamp=None):
        """Return ``(message identifier, bytes)`` for ``invoice``: the SOAP frame followed by the
        Finvoice document, validated against the XSD. Raises a UserError naming the field otherwise.
        """
        invoice.ensure_one()
        timestamp = timestamp or datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        xsd_dir = invoice.company_id._get_finvoice_xsd_dir()
        data = self._get_finvoice_data(invoice, sending_method, timestamp)
        encoding = invoice.company_id.finvoice_encoding
        try:
            finvoice = document.build_finvoice(data, encoding=encoding)
            schema.validate_finvoice(finvoice, xsd_dir)
        except (document.FinvoiceDataError, schema.FinvoiceSchemaError) as error:
            raise UserError(
                self.env._(
                    "Invoice %(invoice)s cannot be sent as Finvoice: field %(field)s is wrong: %(problem)s",
                    invoice=invoice.name,
                    field=error.field or "?",
                    problem=str(error),
                )
            ) from None
        routing = data.routing
        soap_frame = frame.build_soap_frame(
            frame.Frame(
                message_identifier=data.message_identifier,
                timestamp=timestamp,
                from_identifier=routing.from_identifier,
                from_intermediator=routing.from_intermediator,
                to_identifier=routing.to_identifier,
                to_intermediator=routing.to_intermediator,
            ),
            encoding=encoding,
        )
        return data.message_identifier, soap_frame + finvoice
