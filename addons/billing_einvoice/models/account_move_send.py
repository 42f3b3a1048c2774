from odoo import api, fields, models
from odoo.exceptions import UserError

from ..ubl import validation
from .account_move import MAIL_SERVER_CONTEXT_KEY
from .billing_einvoice_delivery import DELIVERY_CHANNELS, FINVOICE_CHANNELS


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _get_default_sending_method(self, move):
        # EXTENDS 'account': the invoice's own choice wins over the customer's.
        return move.einvoice_sending_method or super()._get_default_sending_method(move)

    @api.model
    def _is_applicable_to_move(self, method, move, **move_data):
        # EXTENDS 'account'
        if method in FINVOICE_CHANNELS:
            partner = move.partner_id.commercial_partner_id
            return move.is_sale_document(include_receipts=False) and bool(
                partner.einvoice_address and partner.einvoice_operator
            )
        return super()._is_applicable_to_move(method, move, **move_data)

    @api.model
    def _generate_and_send_invoices(
        self, moves, from_cron=False, allow_raising=True, allow_fallback_pdf=False, **custom_settings
    ):
        # EXTENDS 'account': an invoice sent now (by hand or by our queue) leaves the automatic
        # send queue. Writing the row at once makes the queue's SKIP LOCKED pass over it.
        queued = moves.filtered("einvoice_send_after")
        if queued:
            queued.sudo().write({"einvoice_send_after": False})
            queued.flush_recordset(["einvoice_send_after"])
        return super()._generate_and_send_invoices(
            moves,
            from_cron=from_cron,
            allow_raising=allow_raising,
            allow_fallback_pdf=allow_fallback_pdf,
            **custom_settings,
        )

    @api.model
    def _send_mail(self, move, mail_template, **kwargs):
        # EXTENDS 'account': the company's own outgoing mail server, unless the template names one.
        server = move.company_id.invoice_mail_server_id
        if server and not mail_template.mail_server_id:
            move = move.with_context(**{MAIL_SERVER_CONTEXT_KEY: server.id})
        return super()._send_mail(move, mail_template, **kwargs)

    @api.model
    def _get_mail_params(self, move, move_data):
        # EXTENDS 'account': the template says whether the invoice PDF goes with the e-mail.
        params = super()._get_mail_params(move, move_data)
        template = move_data.get("mail_template")
        pdf = move.invoice_pdf_report_id
        if params and template and not template.einvoice_attach_pdf and pdf:
            params["attachments"] = [
                (name, content) for name, content in params["attachments"] if name != pdf.name
            ]
        return params

    @api.model
    def _get_finvoice_method(self, invoice_data):
        return next(
            (method for method in invoice_data["sending_methods"] if method in FINVOICE_CHANNELS), None
        )

    @api.model
    def _hook_invoice_document_before_pdf_report_render(self, invoice, invoice_data):
        # EXTENDS 'account': build and validate the Finvoice message before anything is sent.
        super()._hook_invoice_document_before_pdf_report_render(invoice, invoice_data)
        self._check_peppol_document(invoice, invoice_data)
        method = self._get_finvoice_method(invoice_data)
        if not method or invoice_data.get("error"):
            return
        builder = self.env["billing.einvoice.finvoice.builder"]
        try:
            invoice_data["finvoice_message"] = builder._build_finvoice_payload(invoice, method)
        except UserError as error:
            invoice_data["error"] = {
                "error_title": self.env._("The e-invoice of %(invoice)s was not sent:", invoice=invoice.name),
                "errors": [str(error.args[0])],
            }

    @api.model
    def _is_peppol_document(self, invoice_data):
        # Peppol BIS Billing 3.0 itself; the national CIUS builders (NLCIUS, XRechnung, ...)
        # have rules of their own that are not checked here.
        builder = invoice_data.get("ubl_cii_xml_options", {}).get("builder")
        return builder is not None and builder._name == "account.edi.xml.ubl_bis3"

    @api.model
    def _check_peppol_document(self, invoice, invoice_data):
        """Stop a Peppol BIS 3 document Odoo built that fails the UBL XSD, EN 16931 or Peppol rules."""
        if (
            invoice_data.get("error")
            or not invoice.company_id.einvoice_peppol_validation
            or not self._is_peppol_document(invoice_data)
        ):
            return
        content = invoice_data["ubl_cii_xml_attachment_values"]["raw"]
        try:
            findings = validation.validate_ubl(content)
        except validation.ValidatorMissing as error:
            raise UserError(
                self.env._(
                    "Peppol invoices are checked before they are sent, and %(reason)s. Install it "
                    '(pip install -r setup/requirements.txt) or turn off "Check Peppol invoices before '
                    'sending" for %(company)s in Settings > Invoicing > E-invoicing.',
                    reason=str(error),
                    company=invoice.company_id.name,
                )
            ) from None
        except validation.ValidatorFailed as error:
            findings = [validation.Finding("en16931", "", str(error))]
        if findings:
            invoice_data["error"] = {
                "error_title": self.env._(
                    "The Peppol document of %(invoice)s breaks the rules and was not sent:",
                    invoice=invoice.name,
                ),
                "errors": [self._format_peppol_finding(invoice, finding) for finding in findings],
            }

    @api.model
    def _format_peppol_finding(self, invoice, finding):
        hints = {
            "PEPPOL-EN16931-R020": self.env._(
                "The company %(company)s has no Peppol endpoint: set its Peppol EAS and endpoint "
                "(e.g. 0216 and its OVT code) on the company's contact.",
                company=invoice.company_id.name,
            ),
            "PEPPOL-EN16931-R010": self.env._(
                "The customer %(customer)s has no Peppol endpoint: set its Peppol EAS and endpoint.",
                customer=invoice.commercial_partner_id.display_name,
            ),
        }
        text = hints.get(finding.code) or finding.text
        return f"[{finding.code}] {text}" if finding.code else text

    @api.model
    def _hook_if_errors(self, moves_data, allow_raising=True):
        # EXTENDS 'account': a message that did not pass its checks stays queued with the error.
        if not allow_raising:
            for move, move_data in moves_data.items():
                method = self._get_finvoice_method(move_data)
                if method:
                    self.env["billing.einvoice.delivery"].sudo().create(
                        {
                            "move_id": move.id,
                            "channel": method,
                            "error_message": self._format_error_text(move_data["error"]),
                        }
                    )
        return super()._hook_if_errors(moves_data, allow_raising=allow_raising)

    @api.model
    def _hook_if_success(self, moves_data):
        # EXTENDS 'account': record one delivery per channel the invoice went out on.
        super()._hook_if_success(moves_data)
        deliveries = self.env["billing.einvoice.delivery"].sudo()
        channels = dict(DELIVERY_CHANNELS)
        finvoice_deliveries = deliveries
        for move, move_data in moves_data.items():
            if not move.is_sale_document(include_receipts=False):
                continue
            if message := move_data.get("finvoice_message"):
                finvoice_deliveries |= deliveries._create_finvoice_delivery(
                    move, self._get_finvoice_method(move_data), *message
                )
            if (
                "email" in move_data["sending_methods"]
                and "email" in channels
                and move_data.get("mail_partner_ids")
            ):
                message = (
                    self.env["mail.message"]
                    .sudo()
                    .search(
                        [
                            ("model", "=", move._name),
                            ("res_id", "=", move.id),
                            ("message_type", "=", "comment"),
                        ],
                        order="id desc",
                        limit=1,
                    )
                )
                delivery = deliveries.create(
                    {"move_id": move.id, "channel": "email", "mail_message_id": message.id}
                )
                # The e-mail may already be out (sent in the same transaction): take its state now.
                delivery._update_from_mail_notifications()
            elif "email" in move_data["sending_methods"]:
                # Odoo skips an invoice without e-mail recipient silently, and still calls it sent.
                deliveries.create(
                    {
                        "move_id": move.id,
                        "channel": "email",
                        "state": "failed",
                        "done_date": fields.Datetime.now(),
                        "error_message": self.env._(
                            "The customer has no e-mail address: no e-mail was sent."
                        ),
                    }
                )
        # Through the operator API at once; for a bank file they wait for the download.
        finvoice_deliveries._send_by_transport()
        # Sent means accepted by the channel (odoo/odoo#195327): not merely that a PDF exists.
        self.env["account.move"].concat(*moves_data)._sync_einvoice_move_sent()
