import base64
import binascii

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..finvoice import reader, receiver_info
from ..tools import ensure_records


class BillingEinvoiceConsumerOrder(models.Model):
    """One ReceiverInfo message: a consumer's e-invoice order (ADD), change or termination (DELETE).

    Every message is kept with its payload, also when it cannot be read (state ``error``, with
    the reason); ``action_retry`` reads it again. The same message imported twice (same digest,
    or same message identifier for the same billing subject) is not imported again.
    """

    _name = "billing.einvoice.consumer.order"
    _description = "Consumer E-invoice Order"
    _inherit = ["mail.thread"]
    _order = "create_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Message", required=True, default="/", readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    state = fields.Selection(
        [
            ("to_match", "To Match"),
            ("matched", "Matched"),
            ("allocated", "Allocated"),
            ("error", "Error"),
            ("done", "Done"),
        ],
        required=True,
        default="to_match",
        tracking=True,
        index=True,
    )
    action = fields.Selection(
        [("ADD", "Order"), ("CHANGE", "Change"), ("DELETE", "Termination")], readonly=True
    )
    error = fields.Text(readonly=True)
    payload = fields.Binary(attachment=True, readonly=True, help="The message as received.")
    frame = fields.Binary(attachment=True, readonly=True, help="Its SOAP/ebXML frame, if it had one.")
    file_name = fields.Char(readonly=True)
    digest = fields.Char(readonly=True, index=True, help="SHA-256 of the message.")
    message_identifier = fields.Char(readonly=True, index=True)
    sender_info_identifier = fields.Char(string="SenderInfo Identifier", readonly=True)
    billing_subject_id = fields.Many2one(
        "billing.einvoice.billing.subject", readonly=True, check_company=True
    )
    partner_id = fields.Many2one("res.partner", string="Customer", tracking=True, check_company=True)
    buyer_name = fields.Char(readonly=True)
    buyer_street = fields.Char(readonly=True)
    buyer_zip = fields.Char(readonly=True)
    buyer_city = fields.Char(readonly=True)
    buyer_country_code = fields.Char(readonly=True)
    recipient_address = fields.Char(string="E-invoice Address", readonly=True)
    recipient_intermediator = fields.Char(string="Intermediator", readonly=True)
    seller_invoice_identifier = fields.Char(string="Identifier Typed", readonly=True)
    seller_invoice_identifier_type = fields.Char(string="Identifier Type", readonly=True)
    language_code = fields.Char(readonly=True)
    proposed_due_date = fields.Char(readonly=True)
    direct_payment = fields.Boolean(readonly=True)

    @api.model
    def import_file(self, file_content, file_name=False):
        """Import an RI file given as base64 text; return the ids of its orders (new or already there)."""
        try:
            data = base64.b64decode(file_content, validate=True)
        except (binascii.Error, TypeError, ValueError) as error:
            raise UserError(
                self.env._("The file is not valid base64: %(error)s", error=str(error))
            ) from error
        return self._import_bytes(data, file_name or "receiverinfo.xml").ids

    def _import_bytes(self, data, file_name):
        if len(data) > reader.MAX_BYTES:
            raise UserError(
                self.env._(
                    "The file is %(size)s bytes, more than the limit of %(limit)s bytes.",
                    size=len(data),
                    limit=reader.MAX_BYTES,
                )
            )
        try:
            parts = receiver_info.split_file(data)
        except receiver_info.ReceiverInfoError as error:
            # The file cannot even be cut into messages: keep it whole, with the reason.
            parts = [receiver_info.Part(frame=b"", message=data)]
            split_error = str(error)
        else:
            split_error = False
        # The messages already imported, in one search; the new ones created together.
        existing = {
            order.digest: order
            for order in self.search(
                [("company_id", "=", self.env.company.id), ("digest", "in", [part.digest for part in parts])]
            )
        }
        new_parts = list({part.digest: part for part in parts if part.digest not in existing}.values())
        created = self.create(
            [
                {
                    "payload": base64.b64encode(part.message),
                    "frame": base64.b64encode(part.frame) if part.frame else False,
                    "file_name": file_name,
                    "digest": part.digest,
                    "company_id": self.env.company.id,
                }
                for part in new_parts
            ]
        )
        if split_error:
            created._set_error(split_error)
        else:
            created._read_payload()
        new_by_digest = {}
        for order in created:
            # The same message sent again in another frame: answered by the first import.
            duplicate = order._find_duplicate() if order.state != "error" else self.browse()
            new_by_digest[order.digest] = duplicate or order
        (created - self.browse(order.id for order in new_by_digest.values())).unlink()
        orders = self.browse()
        for part in parts:
            orders |= existing.get(part.digest) or new_by_digest[part.digest]
        for company, to_match in (
            orders.filtered(lambda order: order.state == "to_match").grouped("company_id").items()
        ):
            if company.einvoice_consumer_order_auto_match:
                to_match.action_match()
        return orders

    def _find_duplicate(self):
        self.ensure_one()
        if not self.message_identifier:
            return self.browse()
        return self.search(
            [
                # only an earlier order: of two copies in one file, the first one stays
                ("id", "<", self.id),
                ("company_id", "=", self.company_id.id),
                ("message_identifier", "=", self.message_identifier),
                ("sender_info_identifier", "=", self.sender_info_identifier),
                ("state", "!=", "error"),
            ],
            limit=1,
        )

    def _set_error(self, text):
        self.write({"state": "error", "error": text})
        for order in self:
            order.message_post(body=self.env._("This message could not be read: %(error)s", error=text))

    def _read_payload(self):
        """Parse each order's payload again and fill its fields, or put it in error with the reason."""
        Subject = self.env["billing.einvoice.billing.subject"].with_context(active_test=False)
        subjects = {}  # (company id, SenderInfo identifier) -> billing subject, looked up once
        for order in self:
            part = receiver_info.Part(
                frame=base64.b64decode(order.frame) if order.frame else b"",
                message=base64.b64decode(order.payload or b""),
            )
            try:
                info = receiver_info.parse_message(part)
            except receiver_info.ReceiverInfoError as error:
                order._set_error(str(error))
                continue
            subject_key = (order.company_id.id, info.sender_info_identifier)
            if subject_key not in subjects:
                subjects[subject_key] = Subject.search(
                    [("company_id", "=", subject_key[0]), ("sender_info_identifier", "=", subject_key[1])],
                    limit=1,
                )
            subject = subjects[subject_key]
            order.write(order._prepare_order_vals(info, subject))
            if not subject:
                order._set_error(
                    self.env._(
                        "No billing subject of %(company)s has the SenderInfo identifier %(identifier)s: "
                        "create it (or fix it) and retry.",
                        company=order.company_id.name,
                        identifier=info.sender_info_identifier,
                    )
                )

    def _prepare_order_vals(self, info, subject):
        return {
            "name": info.message_identifier or self.name,
            "state": "to_match",
            "error": False,
            "action": info.action,
            "message_identifier": info.message_identifier,
            "sender_info_identifier": info.sender_info_identifier,
            "billing_subject_id": subject.id,
            "buyer_name": info.buyer_name,
            "buyer_street": info.street,
            "buyer_zip": info.post_code,
            "buyer_city": info.town,
            "buyer_country_code": info.country_code,
            "recipient_address": info.recipient_address,
            "recipient_intermediator": info.recipient_intermediator,
            "seller_invoice_identifier": info.seller_invoice_identifier,
            "seller_invoice_identifier_type": info.seller_invoice_identifier_type,
            "language_code": info.language_code,
            "proposed_due_date": info.proposed_due_date,
            "direct_payment": info.direct_payment,
        }

    def action_retry(self):
        ensure_records(self)
        self.filtered(lambda order: order.state == "error")._read_payload()
        return True
