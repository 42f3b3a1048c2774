import base64
import uuid

from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError

from ..finvoice import transport as finvoice_transport


class BillingEinvoiceBillingSubject(models.Model):
    """A billing subject (laskutusaihe) the company announces to every Finnish bank by SenderInfo."""

    _name = "billing.einvoice.billing.subject"
    _description = "Consumer E-invoice Billing Subject"
    _inherit = ["mail.thread"]
    _check_company_auto = True

    name = fields.Char(
        string="Name (Finnish)", required=True, tracking=True, help="The name consumers see in the netbank."
    )
    name_sv = fields.Char(string="Name (Swedish)")
    name_en = fields.Char(string="Name (English)")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    code = fields.Char(
        string="Billing Subject Code",
        required=True,
        help="PaymentInstructionIdentifier: every invoice of this subject must carry the same value.",
    )
    sender_info_identifier = fields.Char(
        string="SenderInfo Identifier",
        required=True,
        copy=False,
        default=lambda self: uuid.uuid4().hex[:20].upper(),
        help="Repeated in the consumers' orders (ReceiverInfo): it tells which subject they ordered.",
    )
    seller_party_identifier = fields.Char(
        string="Business ID",
        required=True,
        default=lambda self: self.env.company.company_registry or self.env.company.vat,
        help="SellerPartyIdentifier (Y-tunnus) of the invoicer.",
    )
    einvoice_address = fields.Char(
        string="E-invoice Address", required=True, default=lambda self: self.env.company.einvoice_address
    )
    einvoice_intermediator = fields.Char(
        string="Intermediator", required=True, default=lambda self: self.env.company.einvoice_operator
    )
    new_einvoice_address = fields.Char(string="New E-invoice Address", help="For a CHANGE notification.")
    new_einvoice_intermediator = fields.Char(string="New Intermediator", help="For a CHANGE notification.")
    bank_account_ids = fields.Many2many(
        "res.partner.bank",
        string="Receiving Accounts",
        check_company=True,
        domain="[('partner_id', '=', company_partner_id)]",
        help="Every IBAN that receives payments (banks check the invoice account against this list).",
    )
    company_partner_id = fields.Many2one(related="company_id.partner_id")
    identifier_type = fields.Selection(
        [("reference", "Reference number"), ("customer_number", "Customer number"), ("both", "Both")],
        required=True,
        default="customer_number",
        help="What the consumer types in the netbank when ordering e-invoices.",
    )
    direct_payment_identifier = fields.Char(string="Direct Payment Identifier", help="suoramaksutunnus")
    free_text = fields.Text(string="Free Text (Finnish)")
    free_text_sv = fields.Text(string="Free Text (Swedish)")
    free_text_en = fields.Text(string="Free Text (English)")
    proposed_due_date_accepted = fields.Boolean(help="The consumer may propose a due date.")
    state = fields.Selection(
        [("draft", "Not announced"), ("announced", "Announced"), ("withdrawn", "Withdrawn")],
        default="draft",
        required=True,
        tracking=True,
    )
    log_ids = fields.One2many(
        "billing.einvoice.sender.info.log", "billing_subject_id", string="Notifications"
    )

    _sql_constraints = [
        (
            "sender_info_identifier_unique",
            "UNIQUE(company_id, sender_info_identifier)",
            "The SenderInfo identifier must be unique in the company.",
        )
    ]

    def action_send_add(self):
        ensure_records(self)
        return self._send_sender_info("ADD")

    def action_send_change(self):
        ensure_records(self)
        return self._send_sender_info("CHANGE")

    def action_send_delete(self):
        ensure_records(self)
        return self._send_sender_info("DELETE")

    def _send_sender_info(self, action):
        """Build one SenderInfo per active bank, check it, and send it (operator) or keep it as a bank file."""
        banks = self.env["billing.einvoice.bank"].search([])
        if not banks:
            raise UserError(self.env._("No bank is active: the SenderInfo has nowhere to go."))
        builder = self.env["billing.einvoice.finvoice.builder"]
        logs = self.env["billing.einvoice.sender.info.log"]
        for subject in self:
            if action != "ADD" and subject.state == "draft":
                raise UserError(
                    self.env._(
                        "Announce %(subject)s (ADD) before changing or withdrawing it.", subject=subject.name
                    )
                )
            encoding = subject.company_id.finvoice_encoding or "UTF-8"
            transport = subject.company_id._get_finvoice_transport()
            for bank in banks:
                message_identifier, payload = builder._build_sender_info_payload(subject, action, bank)
                log = logs.create(
                    {
                        "billing_subject_id": subject.id,
                        "bank_id": bank.id,
                        "action": action,
                        "message_identifier": message_identifier,
                        "file": base64.b64encode(payload),
                        "file_name": f"senderinfo_{action.lower()}_{bank.bic}_{message_identifier}.xml",
                        "state": "ready",
                    }
                )
                if transport:
                    log._send_by_transport(transport, encoding)
                logs |= log
            subject.state = "withdrawn" if action == "DELETE" else "announced"
            subject.message_post(
                body=self.env._(
                    "SenderInfo %(action)s prepared for %(count)s banks.", action=action, count=len(banks)
                )
            )
        return logs.ids


class BillingEinvoiceSenderInfoLog(models.Model):
    """One SenderInfo message to one bank: the file sent and what became of it."""

    _name = "billing.einvoice.sender.info.log"
    _description = "SenderInfo Notification Log"
    _order = "create_date desc, id desc"

    billing_subject_id = fields.Many2one(
        "billing.einvoice.billing.subject", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="billing_subject_id.company_id", store=True, index=True)
    bank_id = fields.Many2one("billing.einvoice.bank", required=True, ondelete="restrict")
    action = fields.Selection([("ADD", "Add"), ("CHANGE", "Change"), ("DELETE", "Delete")], required=True)
    message_identifier = fields.Char(required=True, index=True)
    file = fields.Binary(attachment=True, help="The SOAP frame and the SenderInfo, as sent.")
    file_name = fields.Char()
    state = fields.Selection(
        [("ready", "Bank file ready"), ("sent", "Sent"), ("error", "Error")], required=True, default="ready"
    )
    transport_reference = fields.Char(help="The operator's id of the message.")
    error = fields.Text()

    def _send_by_transport(self, transport, encoding):
        for log in self:
            try:
                result = transport.send(log.message_identifier, base64.b64decode(log.file), encoding=encoding)
            except finvoice_transport.TransportError as error:
                log.write({"state": "error", "error": str(error)})
                continue
            log.write({"state": "sent", "transport_reference": result.reference, "error": False})

    def action_retry(self):
        ensure_records(self)
        for company, logs in self.filtered(lambda log: log.state == "error").grouped("company_id").items():
            transport = company._get_finvoice_transport()
            if not transport:
                logs.write({"state": "ready", "error": False})
                continue
            logs._send_by_transport(transport, company.finvoice_encoding or "UTF-8")
        return True

    @api.model
    def _get_download_action(self, log):
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{log._name}/{log.id}/file/{log.file_name}?download=true",
            "target": "self",
        }

    def action_download(self):
        ensure_records(self, single=True)
        return self._get_download_action(self)
