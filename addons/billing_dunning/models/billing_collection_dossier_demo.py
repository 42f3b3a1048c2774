import base64

from odoo import api, fields, models

# The certificate of the demo's uncollectible dossier (what the agency would send).
DEMO_CERTIFICATE = b"%PDF-1.4\n% Certificate of uncollectibility (demo)\n%%EOF\n"


class BillingCollectionDossier(models.Model):
    """Demo data only (demo/billing_collection_demo.xml): two dossiers made by the real
    hand-over, event and write-off code, with the agency's answers given here instead of by
    the reference agency, which need not run at install."""

    _inherit = "billing.collection.dossier"

    @api.model
    def _demo_create_collection_dossiers(self, agency_id, live_invoice_id, lost_invoice_id):
        agency = self.env["billing.collection.agency"].browse(agency_id)
        today = fields.Date.to_string(fields.Date.context_today(self))
        live = self._demo_hand_over(agency, live_invoice_id, "AG-DEMO-1001")
        live._apply_agency_event(
            {
                "event_id": "demo-1001-1",
                "status": "notice_sent",
                "date": today,
                "note": "Formal notice posted",
            },
            "callback",
        )
        live._apply_agency_event(
            {
                "event_id": "demo-1001-2",
                "status": "payment_plan",
                "date": today,
                "note": "First instalment of a payment plan",
                "settlement": {
                    "settlement_id": "ST-DEMO-1001-1",
                    "date": today,
                    "currency": live.currency_id.name,
                    "paid_amount": 300.0,
                    "costs_recovered": 0.0,
                    "costs": 0.0,
                },
            },
            "callback",
        )
        lost_invoice = self.env["account.move"].browse(lost_invoice_id)
        if lost_invoice.company_id.account_sale_tax_id:
            lost_invoice.invoice_line_ids.tax_ids = lost_invoice.company_id.account_sale_tax_id
        lost_invoice.action_post()
        lost = self._demo_hand_over(agency, lost_invoice_id, "AG-DEMO-1002")
        lost._apply_agency_event(
            {
                "event_id": "demo-1002-1",
                "status": "uncollectible",
                "date": today,
                "note": "No assets to seize",
                "certificate": {
                    "filename": "certificate-AG-DEMO-1002.pdf",
                    "content_base64": base64.b64encode(DEMO_CERTIFICATE).decode(),
                },
            },
            "callback",
        )
        self.env["billing.collection.writeoff"].create({"dossier_id": lost.id}).action_confirm()
        return True

    @api.model
    def _demo_hand_over(self, agency, invoice_id, number):
        wizard = self.env["billing.collection.start"].create(
            {"move_ids": [(6, 0, [invoice_id])], "agency_id": agency.id}
        )
        dossier = wizard._create_dossier()
        dossier.dossier_number = number
        dossier._add_status("submitted", note=self.env._("Handed over to %(agency)s", agency=agency.name))
        return dossier
