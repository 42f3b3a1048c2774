import base64
import uuid

from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records

from ..finvoice import sender_info
from ..finvoice import transport as finvoice_transport

IDENTIFIER_TYPES = [
    (sender_info.IDENTIFIER_CUSTOMER_NUMBER, "Customer number"),
    (sender_info.IDENTIFIER_REFERENCE, "Reference number"),
]


class BillingEinvoiceReceiverProposal(models.Model):
    """A proposal of e-invoicing (ReceiverProposal) to a consumer who gave their bank details.

    Sent like a SenderInfo: kept as a bank file, or sent through the operator transport when the
    company uses one. The consumer approves it in the netbank; the bank then sends an RI ADD for
    the same billing subject and identifier, which is matched to this proposal's customer and
    makes the agreement (state Accepted, with the order and the agreement).
    """

    _name = "billing.einvoice.receiver.proposal"
    _description = "Consumer E-invoice Proposal"
    _inherit = ["mail.thread"]
    _order = "create_date desc, id desc"
    _check_company_auto = True
    _rec_name = "message_identifier"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, check_company=True, readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    billing_subject_id = fields.Many2one(
        "billing.einvoice.billing.subject", required=True, check_company=True, readonly=True
    )
    sender_info_identifier = fields.Char(
        related="billing_subject_id.sender_info_identifier", string="SenderInfo Identifier"
    )
    recipient_address = fields.Char(
        string="Consumer's Account", required=True, readonly=True, help="The IBAN the consumer gave."
    )
    recipient_intermediator = fields.Char(
        string="Consumer's Bank", required=True, readonly=True, help="The BIC of the consumer's bank."
    )
    identifier = fields.Char(
        string="Identifier",
        required=True,
        readonly=True,
        index=True,
        help="The customer number or reference the consumer would type; the answer carries it back.",
    )
    identifier_type = fields.Selection(IDENTIFIER_TYPES, required=True, readonly=True)
    language_code = fields.Char(readonly=True)
    free_text = fields.Text(readonly=True)
    message_identifier = fields.Char(required=True, readonly=True, index=True, copy=False)
    state = fields.Selection(
        [
            ("ready", "Bank file ready"),
            ("sent", "Sent"),
            ("error", "Error"),
            ("accepted", "Accepted"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="ready",
        readonly=True,
        tracking=True,
        index=True,
    )
    file = fields.Binary(
        attachment=True, readonly=True, help="The SOAP frame and the ReceiverProposal, as sent."
    )
    file_name = fields.Char(readonly=True)
    transport_reference = fields.Char(readonly=True, help="The operator's id of the message.")
    error = fields.Text(readonly=True)
    order_id = fields.Many2one(
        "billing.einvoice.consumer.order",
        string="Answer",
        readonly=True,
        check_company=True,
        help="The consumer's e-invoice order (RI ADD) that accepted the proposal.",
    )
    agreement_id = fields.Many2one(
        "billing.einvoice.agreement", string="Agreement", readonly=True, check_company=True
    )

    @api.model
    def _create_and_send(self, vals):
        """Create a proposal from ``vals``, build and check its message, and send it."""
        proposal = self.create({**vals, "message_identifier": f"RP{uuid.uuid4().hex[:30].upper()}"})
        proposal._build_file()
        transport = proposal.company_id._get_finvoice_transport()
        if transport:
            proposal._send_by_transport(transport)
        return proposal

    def _build_file(self):
        builder = self.env["billing.einvoice.finvoice.builder"]
        for proposal in self:
            message_identifier, payload = builder._build_receiver_proposal_payload(proposal)
            proposal.write(
                {
                    "file": base64.b64encode(payload),
                    "file_name": f"receiverproposal_{message_identifier}.xml",
                    "state": "ready",
                }
            )

    def _send_by_transport(self, transport):
        for proposal in self:
            encoding = proposal.company_id.finvoice_encoding or "UTF-8"
            try:
                result = transport.send(
                    proposal.message_identifier, base64.b64decode(proposal.file), encoding=encoding
                )
            except finvoice_transport.TransportError as error:
                proposal.write({"state": "error", "error": str(error)})
                continue
            proposal.write({"state": "sent", "transport_reference": result.reference, "error": False})

    def action_retry(self):
        """Send again the proposals whose sending failed (or keep them as bank files)."""
        ensure_records(self)
        for company, proposals in self.filtered(lambda p: p.state == "error").grouped("company_id").items():
            transport = company._get_finvoice_transport()
            if not transport:
                proposals.write({"state": "ready", "error": False})
                continue
            proposals._send_by_transport(transport)
        return True

    def action_cancel(self):
        """Stop waiting for an answer: a later RI ADD is then matched like any other order."""
        ensure_records(self)
        self.filtered(lambda p: p.state in ("ready", "sent", "error")).write({"state": "cancelled"})
        return True

    def action_download(self):
        ensure_records(self, single=True)
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/file/{self.file_name}?download=true",
            "target": "self",
        }

    def _find_open(self, orders):
        """{order: the open proposal it answers} for RI ADD ``orders``, in one search: the latest
        proposal of the same company and billing subject, to the identifier the consumer typed.
        """
        keys = {
            order: (order.company_id, order.billing_subject_id, order.seller_invoice_identifier.strip())
            for order in orders
            if order.billing_subject_id and (order.seller_invoice_identifier or "").strip()
        }
        if not keys:
            return {}
        proposals = self.search(
            [
                ("company_id", "in", list({company.id for company, _subject, _identifier in keys.values()})),
                ("billing_subject_id", "in", list({subject.id for _company, subject, _id in keys.values()})),
                ("identifier", "in", list({identifier for _company, _subject, identifier in keys.values()})),
                ("state", "in", ("ready", "sent")),
            ],
            order="id desc",
        )
        latest = {}
        for proposal in proposals:
            latest.setdefault(
                (proposal.company_id, proposal.billing_subject_id, proposal.identifier), proposal
            )
        return {order: latest[key] for order, key in keys.items() if key in latest}
