"""SenderInfo: the invoicer's notification to a bank, built from a billing subject."""

import uuid

from odoo import fields, models
from odoo.exceptions import UserError

from ..finvoice import frame, sender_info

IDENTIFIER_TYPES = {
    "reference": [sender_info.IDENTIFIER_REFERENCE],
    "customer_number": [sender_info.IDENTIFIER_CUSTOMER_NUMBER],
    "both": [sender_info.IDENTIFIER_CUSTOMER_NUMBER, sender_info.IDENTIFIER_REFERENCE],
}
IDENTIFIER_LABELS = {
    sender_info.IDENTIFIER_REFERENCE: {"FI": "Viitenumero", "SV": "Referensnummer", "EN": "Reference number"},
    sender_info.IDENTIFIER_CUSTOMER_NUMBER: {
        "FI": "Asiakasnumero",
        "SV": "Kundnummer",
        "EN": "Customer number",
    },
}


class BillingEinvoiceFinvoiceBuilder(models.AbstractModel):
    _inherit = "billing.einvoice.finvoice.builder"

    def _get_sender_info_data(self, subject, action, bank):
        """Map billing ``subject`` to the plain SenderInfo (``finvoice.sender_info.SenderInfo``) of
        ``action`` (ADD, CHANGE, DELETE) for ``bank`` (a ``billing.einvoice.bank``)."""
        subject.ensure_one()
        company = subject.company_id
        partner = company.partner_id
        accounts = [
            sender_info.Account(iban=account.acc_number, bic=account.bank_id.bic or "")
            for account in subject.bank_account_ids
        ]
        if (
            action == "CHANGE"
            and accounts
            and not (subject.new_einvoice_address or subject.new_einvoice_intermediator)
        ):
            # A CHANGE of the account list: the accounts are sent as their own New… values.
            for account in accounts:
                account.new_iban, account.new_bic = account.iban, account.bic
        return sender_info.SenderInfo(
            action=action,
            message_identifier=f"SI{uuid.uuid4().hex[:30].upper()}",
            sender_info_identifier=subject.sender_info_identifier,
            message_date=fields.Date.context_today(subject),
            seller_identifier=subject.seller_party_identifier,
            names={"FI": subject.name, "SV": subject.name_sv or "", "EN": subject.name_en or ""},
            bank_name=bank.name,
            street=partner.street or "",
            town=partner.city or "",
            post_code=partner.zip or "",
            country_code=partner.country_id.code or "FI",
            web_address=company.website or "",
            sender_address=subject.einvoice_address,
            sender_intermediator=subject.einvoice_intermediator,
            new_sender_address=subject.new_einvoice_address or "",
            new_sender_intermediator=subject.new_einvoice_intermediator or "",
            accounts=accounts,
            direct_payment_identifier=subject.direct_payment_identifier or "",
            payment_instruction_identifier=subject.code,
            free_texts={
                "FI": subject.free_text or "",
                "SV": subject.free_text_sv or "",
                "EN": subject.free_text_en or "",
            },
            identifiers=[
                sender_info.IdentifierRequest(type=code, texts=IDENTIFIER_LABELS[code])
                for code in IDENTIFIER_TYPES[subject.identifier_type]
            ],
            proposed_due_date_accepted=subject.proposed_due_date_accepted,
        )

    def _build_sender_info_payload(self, subject, action, bank):
        """Return ``(message identifier, bytes)``: the SOAP frame to ``bank`` followed by the
        SenderInfo of ``subject``, checked for its structure. Raises a UserError otherwise.
        """
        subject.ensure_one()
        encoding = subject.company_id.finvoice_encoding or "UTF-8"
        data = self._get_sender_info_data(subject, action, bank)
        try:
            xml = sender_info.build_sender_info(data, encoding=encoding)
        except sender_info.SenderInfoError as error:
            raise UserError(
                self.env._(
                    "The SenderInfo of %(subject)s for %(bank)s is not valid: %(error)s",
                    subject=subject.name,
                    bank=bank.name,
                    error=str(error),
                )
            ) from error
        header = frame.build_soap_frame(
            frame.Frame(
                message_identifier=data.message_identifier,
                timestamp=fields.Datetime.now(),
                from_identifier=subject.einvoice_address,
                from_intermediator=subject.einvoice_intermediator,
                to_identifier=bank.bic,
                to_intermediator=bank.bic,
            ),
            encoding=encoding,
        )
        return data.message_identifier, header + xml
