"""ReceiverProposal: e-invoicing proposed to a consumer, built from a proposal record."""

from odoo import fields, models
from odoo.exceptions import UserError

from ..finvoice import frame, receiver_proposal


class BillingEinvoiceFinvoiceBuilder(models.AbstractModel):
    _inherit = "billing.einvoice.finvoice.builder"

    def _get_receiver_proposal_data(self, proposal):
        """Map ``proposal`` (a ``billing.einvoice.receiver.proposal``) to the plain
        ReceiverProposal (``finvoice.receiver_proposal.ReceiverProposal``)."""
        proposal.ensure_one()
        subject = proposal.billing_subject_id
        partner = proposal.partner_id
        return receiver_proposal.ReceiverProposal(
            message_identifier=proposal.message_identifier,
            sender_info_identifier=subject.sender_info_identifier,
            message_date=fields.Date.context_today(proposal),
            seller_identifier=subject.seller_party_identifier,
            names={"FI": subject.name, "SV": subject.name_sv or "", "EN": subject.name_en or ""},
            sender_address=subject.einvoice_address,
            sender_intermediator=subject.einvoice_intermediator,
            payment_instruction_identifier=subject.code,
            buyer_name=partner.name or "",
            street=partner.street or "",
            town=partner.city or "",
            post_code=partner.zip or "",
            country_code=partner.country_id.code or "FI",
            recipient_address=proposal.recipient_address,
            recipient_intermediator=proposal.recipient_intermediator,
            seller_invoice_identifier=proposal.identifier,
            seller_invoice_identifier_type=proposal.identifier_type,
            language_code=proposal.language_code or "",
            free_text=proposal.free_text or "",
        )

    def _build_receiver_proposal_payload(self, proposal):
        """Return ``(message identifier, bytes)``: the SOAP frame to the consumer's bank followed
        by the ReceiverProposal, checked for its structure. Raises a UserError otherwise.
        """
        proposal.ensure_one()
        encoding = proposal.company_id.finvoice_encoding or "UTF-8"
        data = self._get_receiver_proposal_data(proposal)
        try:
            xml = receiver_proposal.build_receiver_proposal(data, encoding=encoding)
        except receiver_proposal.ReceiverProposalError as error:
            raise UserError(
                self.env._(
                    "The e-invoice proposal to %(customer)s is not valid: %(error)s",
                    customer=proposal.partner_id.display_name,
                    error=str(error),
                )
            ) from error
        header = frame.build_soap_frame(
            frame.Frame(
                message_identifier=data.message_identifier,
                timestamp=fields.Datetime.now(),
                from_identifier=data.sender_address,
                from_intermediator=data.sender_intermediator,
                to_identifier=data.recipient_address,
                to_intermediator=data.recipient_intermediator,
            ),
            encoding=encoding,
        )
        return data.message_identifier, header + xml
