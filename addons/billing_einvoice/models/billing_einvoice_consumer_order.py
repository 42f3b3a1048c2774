import base64
import binascii

from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError

from ..finvoice import reader, receiver_info


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
        company = self.env.company
        # The messages already imported, in one search; the new ones read, then created together.
        existing = {
            order.digest: order
            for order in self.search(
                [("company_id", "=", company.id), ("digest", "in", [part.digest for part in parts])]
            )
        }
        new_parts = list({part.digest: part for part in parts if part.digest not in existing}.values())
        if split_error:
            read = [(None, split_error)] * len(new_parts)
        else:
            read = [self._parse_part(part) for part in new_parts]
        infos = [info for info, _error in read if info]
        subjects = self._get_billing_subjects(company, {info.sender_info_identifier for info in infos})
        earlier = self._get_orders_by_message(company, infos)
        vals_list, errors, created_parts = [], [], []
        first_of_key = {}  # (message identifier, SenderInfo identifier) -> digest of its first part
        answered_by = {}  # digest -> digest of the part whose order answers it
        for part, (info, error) in zip(new_parts, read, strict=True):
            vals = {
                "payload": base64.b64encode(part.message),
                "frame": base64.b64encode(part.frame) if part.frame else False,
                "file_name": file_name,
                "digest": part.digest,
                "company_id": company.id,
            }
            if info:
                subject = (
                    subjects.get(info.sender_info_identifier) or self.env["billing.einvoice.billing.subject"]
                )
                vals.update(self._prepare_order_vals(info, subject))
                if subject and info.message_identifier:
                    # The same message sent again, in another frame: answered by the first import.
                    key = (info.message_identifier, info.sender_info_identifier)
                    if key in earlier:
                        existing[part.digest] = earlier[key]
                        continue
                    if key in first_of_key:
                        answered_by[part.digest] = first_of_key[key]
                        continue
                    first_of_key[key] = part.digest
                error = error or self._get_missing_subject_error(company, info, subject)
            vals_list.append(vals)
            errors.append(error)
            created_parts.append(part)
        created = self.create(vals_list)
        new_by_digest = {part.digest: order for part, order in zip(created_parts, created, strict=True)}
        for error, with_error in self._group_errors(created, errors).items():
            with_error._set_error(error)
        orders = self.browse()
        for part in parts:
            digest = answered_by.get(part.digest, part.digest)
            orders |= existing.get(digest) or new_by_digest[digest]
        for company, to_match in (
            orders.filtered(lambda order: order.state == "to_match").grouped("company_id").items()
        ):
            if company.einvoice_consumer_order_auto_match:
                to_match.action_match()
        return orders

    @api.model
    def _parse_part(self, part):
        """``(ReceiverInfo, False)`` of one message, or ``(None, the reason it cannot be read)``."""
        try:
            return receiver_info.parse_message(part), False
        except receiver_info.ReceiverInfoError as error:
            return None, str(error)

    @api.model
    def _get_billing_subjects(self, company, sender_info_identifiers):
        """{SenderInfo identifier: billing subject} of ``company``, in one search."""
        subjects = (
            self.env["billing.einvoice.billing.subject"]
            .with_context(active_test=False)
            .search(
                [
                    ("company_id", "=", company.id),
                    ("sender_info_identifier", "in", list(sender_info_identifiers)),
                ],
                order="id desc",
            )
        )
        return {subject.sender_info_identifier: subject for subject in subjects}

    @api.model
    def _get_orders_by_message(self, company, infos):
        """{(message identifier, SenderInfo identifier): the first readable order of ``company``}."""
        identifiers = list({info.message_identifier for info in infos if info.message_identifier})
        if not identifiers:
            return {}
        orders = self.search(
            [
                ("company_id", "=", company.id),
                ("message_identifier", "in", identifiers),
                ("state", "!=", "error"),
            ],
            order="id desc",
        )
        return {(order.message_identifier, order.sender_info_identifier): order for order in orders}

    @api.model
    def _get_missing_subject_error(self, company, info, subject):
        if subject:
            return False
        return self.env._(
            "No billing subject of %(company)s has the SenderInfo identifier %(identifier)s: "
            "create it (or fix it) and retry.",
            company=company.name,
            identifier=info.sender_info_identifier,
        )

    @api.model
    def _group_errors(self, orders, errors):
        """{error text: the orders of ``orders`` that have it}, ``errors`` given in the same order."""
        grouped = {}
        for order, error in zip(orders, errors, strict=True):
            if error:
                grouped[error] = grouped.get(error, self.browse()) | order
        return grouped

    def _set_error(self, text):
        self.write({"state": "error", "error": text})
        for order in self:
            order.message_post(body=self.env._("This message could not be read: %(error)s", error=text))

    def _read_payload(self):
        """Parse each order's payload again and fill its fields, or put it in error with the reason."""
        orders_read, errors = self.browse(), []
        for company, orders in self.grouped("company_id").items():
            read = [
                self._parse_part(
                    receiver_info.Part(
                        frame=base64.b64decode(order.frame) if order.frame else b"",
                        message=base64.b64decode(order.payload or b""),
                    )
                )
                for order in orders
            ]
            subjects = self._get_billing_subjects(
                company, {info.sender_info_identifier for info, _error in read if info}
            )
            for order, (info, error) in zip(orders, read, strict=True):
                if info:
                    subject = (
                        subjects.get(info.sender_info_identifier)
                        or self.env["billing.einvoice.billing.subject"]
                    )
                    order.write(order._prepare_order_vals(info, subject))
                    error = self._get_missing_subject_error(company, info, subject)
                orders_read |= order
                errors.append(error)
        for error, with_error in self._group_errors(orders_read, errors).items():
            with_error._set_error(error)

    def _prepare_order_vals(self, info, subject):
        return {
            "name": info.message_identifier or self.name or "/",
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
