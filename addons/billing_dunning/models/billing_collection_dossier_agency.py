import base64
import logging

from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError

from ..collection.agency_client import AgencyError
from .billing_collection_dossier import FINAL_STATES, SYNC_STATES

_logger = logging.getLogger(__name__)

# Dossiers polled per call of the scheduled action.
SYNC_BATCH_SIZE = 50


class BillingCollectionDossier(models.Model):
    """The dossier's exchanges with the agency: submit, poll, withdraw (readme/AGENCY_API.md)."""

    _inherit = "billing.collection.dossier"

    def action_submit(self):
        """Hand the dossier over to the agency (also: retry after the agency was down).

        True when every dossier is submitted; otherwise a notification with the error, the
        dossier stays a draft with the error in ``last_error`` and can be submitted again."""
        ensure_records(self)
        errors = []
        for dossier in self:
            if dossier.state != "draft":
                continue
            dossier.agency_id._check_ready()
            try:
                answer = dossier.agency_id._get_client().create_dossier(
                    dossier._prepare_agency_payload(), dossier.idempotency_key
                )
            except AgencyError as exc:
                dossier._record_agency_error(exc)
                errors.append(f"{dossier.name}: {exc}")
                continue
            number = answer.get("dossier_number")
            if not number:
                dossier.last_error = self.env._("The agency answered without a dossier number.")
                errors.append(f"{dossier.name}: {dossier.last_error}")
                continue
            dossier.write(
                {"dossier_number": str(number), "last_error": False, "last_sync": fields.Datetime.now()}
            )
            dossier._add_status(
                "submitted", note=self.env._("Handed over to %(agency)s", agency=dossier.agency_id.name)
            )
            dossier._apply_agency_events(answer.get("events") or [], "poll")
        return self._agency_result(errors)

    def action_refresh_status(self):
        """Fetch the status of the dossiers from the agency and apply the new events."""
        ensure_records(self)
        errors = []
        for dossier in self:
            if not dossier.dossier_number:
                continue
            try:
                dossier._sync_status()
            except AgencyError as exc:
                dossier._record_agency_error(exc)
                errors.append(f"{dossier.name}: {exc}")
        return self._agency_result(errors)

    def action_withdraw(self):
        """Take the dossiers back from the agency; a draft never handed over is withdrawn here."""
        ensure_records(self)
        for dossier in self:
            if dossier.state in FINAL_STATES:
                continue
            if dossier.dossier_number:
                try:
                    dossier.agency_id._get_client().withdraw(dossier.dossier_number)
                except AgencyError as exc:
                    dossier._record_agency_error(exc)
                    raise UserError(
                        self.env._(
                            "The agency did not take the withdrawal of %(dossier)s: %(error)s",
                            dossier=dossier.display_name,
                            error=str(exc),
                        )
                    ) from exc
            dossier._add_status(
                "withdrawn", note=self.env._("Withdrawn by %(user)s", user=self.env.user.name)
            )
        return True

    # ------------------------------------------------------------------ helpers

    def _agency_result(self, errors):
        if not errors:
            return True
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("The collection agency did not answer"),
                "message": "\n".join(errors),
                "type": "warning",
                "sticky": True,
            },
        }

    def _record_agency_error(self, error):
        self.ensure_one()
        self.last_error = self.env._(
            "%(error)s (%(when)s)%(retry)s",
            error=str(error),
            when=fields.Datetime.now(),
            retry=self.env._(": try again later") if error.retryable else "",
        )
        _logger.info("collection dossier %s: agency error, status %s", self.id, error.status)

    def _sync_status(self):
        self.ensure_one()
        answer = self.agency_id._get_client().get_status(self.dossier_number)
        self.write({"last_error": False, "last_sync": fields.Datetime.now()})
        self._apply_agency_events(answer.get("events") or [], "poll")

    def _apply_agency_events(self, events, source):
        for event in sorted(
            (event for event in events if isinstance(event, dict)), key=lambda event: str(event.get("date"))
        ):
            try:
                self._apply_agency_event(event, source)
            except ValueError as exc:
                _logger.info("collection dossier %s: agency event not applied: %s", self.id, exc)

    def _prepare_agency_payload(self):
        """The JSON body of POST /dossiers."""
        self.ensure_one()
        partner, company = self.partner_id, self.company_id
        terms = self.agency_id._get_terms_attachment()
        return {
            "reference": self.name,
            "idempotency_key": self.idempotency_key,
            "callback_url": self.agency_id.callback_url,
            "scenario": self.scenario,
            "currency": self.currency_id.name,
            "creditor": {
                "name": company.name,
                "vat": company.vat or "",
                "country": company.country_id.code or "",
            },
            "debtor": {
                "name": partner.name,
                "is_business": self.scenario == "b2b",
                "vat": partner.vat or "",
                "email": partner.email or "",
                "phone": partner.phone or "",
                "street": partner.street or "",
                "zip": partner.zip or "",
                "city": partner.city or "",
                "country": partner.country_id.code or "",
            },
            "amounts": {
                "principal": self.amount_principal,
                "interest": self.amount_interest,
                "fees": self.amount_fees,
                "compensation": self.amount_compensation,
                "total": self.amount_total,
            },
            "invoices": [
                {
                    "number": invoice.name,
                    "date": fields.Date.to_string(invoice.invoice_date),
                    "due_date": fields.Date.to_string(invoice.invoice_date_due),
                    "amount_total": invoice.amount_total,
                    "amount_residual": invoice.amount_residual,
                    "pdf_base64": base64.b64encode(invoice._get_billing_collection_pdf()).decode(),
                }
                for invoice in self.invoice_ids
            ],
            "terms": {
                "filename": self.agency_id.terms_filename or "terms.pdf",
                "content_base64": terms.datas.decode() if terms else "",
            },
        }

    @api.model
    def _cron_sync_collection_dossiers(self, batch_size=SYNC_BATCH_SIZE):
        """Safety net of the callbacks: poll the live dossiers of the companies that switched
        the sync on, the least recently synchronised first. It only reads from the agency."""
        companies = self.env["res.company"].search([("billing_collection_auto_sync", "=", True)])
        dossiers = self.search(
            [
                ("company_id", "in", companies.ids),
                ("state", "in", SYNC_STATES),
                ("dossier_number", "!=", False),
                "|",
                ("last_sync", "=", False),
                ("last_sync", "<", fields.Datetime.subtract(fields.Datetime.now(), hours=1)),
            ],
            order="last_sync asc nulls first, id",
            limit=batch_size + 1,
        )
        batch = dossiers[:batch_size]
        for dossier in batch:
            try:
                dossier.with_company(dossier.company_id)._sync_status()
            except AgencyError as exc:
                dossier._record_agency_error(exc)
                dossier.last_sync = fields.Datetime.now()
        more = len(dossiers) > batch_size
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=1 if more else 0)
        if more:
            self.env.ref("billing_dunning.ir_cron_billing_collection_sync")._trigger()
