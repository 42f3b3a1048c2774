import base64
import json
import logging
from datetime import datetime

from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError

from ..collection.agency_client import AgencyClient

_logger = logging.getLogger(__name__)

DEFAULT_SCENARIO_B2C = """The consumer receives a formal notice from the agency with the amount due, the interest and
the damages the law allows. The consumer pays the principal, the statutory interest and the
capped damages; the agency keeps its commission from what it recovers.
When the debt proves uncollectible or the debtor goes bankrupt, the creditor pays the agency a
flat fee of EUR 40 and receives a certificate of uncollectibility."""
DEFAULT_SCENARIO_B2B = """The business debtor pays the principal, the statutory interest and the EUR 40 fixed
compensation (Late Payment Directive); the agency's costs above the EUR 40 are claimed as
recovery costs. The creditor pays the agency's commission on what it recovers.
When the debt proves uncollectible or the debtor goes bankrupt, the creditor pays the agency a
flat fee of EUR 40 and receives a certificate of uncollectibility."""

MANAGER_GROUP = "account.group_account_manager"


class BillingCollectionAgency(models.Model):
    """A debt-collection agency the company hands unpaid invoices over to.

    The API key and the callback secret are readable by accounting managers only; the code
    that talks to the agency reads them with sudo and never logs or posts them."""

    _name = "billing.collection.agency"
    _description = "Collection Agency"
    _inherit = ["mail.thread"]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Agency Contact",
        check_company=True,
        tracking=True,
        help="The agency as a supplier: its commission and flat fees are billed by this partner.",
    )
    api_url = fields.Char(
        string="API Base URL", tracking=True, help="For example https://api.agency.example/v1"
    )
    api_key = fields.Char(string="API Key", groups=MANAGER_GROUP, copy=False)
    callback_secret = fields.Char(
        string="Callback Secret",
        groups=MANAGER_GROUP,
        copy=False,
        help="Shared secret of the signed status callbacks. Without it every callback is refused.",
    )
    callback_url = fields.Char(compute="_compute_callback_url", help="Give this address to the agency.")
    timeout = fields.Float(string="Timeout (seconds)", default=10.0)
    scenario_b2c = fields.Text(
        string="Consumer Scenario",
        default=DEFAULT_SCENARIO_B2C,
        translate=True,
        help="What the consumer pays, what the creditor pays, and the flat fee when the debt proves uncollectible.",
    )
    scenario_b2b = fields.Text(
        string="Business Scenario",
        default=DEFAULT_SCENARIO_B2B,
        translate=True,
        help="What the business debtor pays, what the creditor pays, and the flat fee when the debt proves "
        "uncollectible.",
    )
    commission_rate_b2c = fields.Float(string="Commission on Consumer Recoveries (%)", tracking=True)
    commission_rate_b2b = fields.Float(string="Commission on Business Recoveries (%)", tracking=True)
    fee_currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.ref("base.EUR"), required=True
    )
    uncollectible_fee = fields.Monetary(
        string="Flat Fee if Uncollectible",
        currency_field="fee_currency_id",
        default=40.0,
        tracking=True,
        help="What the creditor pays when the debt proves uncollectible or the debtor goes bankrupt.",
    )
    terms_file = fields.Binary(string="Terms and Conditions", attachment=True, copy=False)
    terms_filename = fields.Char(copy=False)
    dossier_ids = fields.One2many("billing.collection.dossier", "agency_id", string="Dossiers")
    dossier_count = fields.Integer(compute="_compute_dossier_count")

    def _compute_callback_url(self):
        for agency in self:
            agency.callback_url = (
                f"{agency.get_base_url()}/billing_dunning/collection/callback/{agency.id}"
                if isinstance(agency.id, int)
                else False
            )

    def _compute_dossier_count(self):
        counts = dict(
            self.env["billing.collection.dossier"]._read_group(
                [("agency_id", "in", self.ids)], ["agency_id"], ["__count"]
            )
        )
        for agency in self:
            agency.dossier_count = counts.get(agency, 0)

    def action_view_dossiers(self):
        ensure_records(self, single=True)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "billing_dunning.billing_collection_dossier_action"
        )
        action["domain"] = [("agency_id", "=", self.id)]
        action["context"] = {"default_agency_id": self.id}
        return action

    def _get_scenario_text(self, scenario):
        self.ensure_one()
        return self.scenario_b2c if scenario == "b2c" else self.scenario_b2b

    def _check_ready(self):
        """Raise when a dossier cannot start with this agency: no T&C, no URL."""
        self.ensure_one()
        if not self.terms_file:
            raise UserError(
                self.env._(
                    "Attach your terms and conditions to the collection agency %(agency)s before "
                    "starting the first dossier: the agency needs them to claim the amounts.",
                    agency=self.display_name,
                )
            )
        if not self.api_url:
            raise UserError(
                self.env._("The collection agency %(agency)s has no API base URL.", agency=self.display_name)
            )
        if not self.partner_id:
            raise UserError(
                self.env._(
                    "Set the contact of the collection agency %(agency)s: its commission and fees "
                    "are booked as its bills.",
                    agency=self.display_name,
                )
            )

    def _get_client(self):
        """The HTTP client, with the credentials read as superuser (never logged)."""
        self.ensure_one()
        agency = self.sudo()
        return AgencyClient(agency.api_url, agency.api_key, timeout=agency.timeout or 10.0)

    def _get_terms_attachment(self):
        self.ensure_one()
        return (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [("res_model", "=", self._name), ("res_id", "=", self.id), ("res_field", "=", "terms_file")],
                limit=1,
            )
        )

    # ------------------------------------------------------------------ callbacks

    def _process_callback(self, raw_body):
        """Apply one authentic status callback (its signature is checked by the controller).

        Returns (HTTP status, message). A body that cannot be applied is stored with its raw
        bytes and the reason, and answered 202: the agency stops resending it and a manager
        looks at it; a callback already applied (same ``event_id``) is answered 200."""
        self.ensure_one()
        try:
            data = json.loads(raw_body)
        except ValueError:
            return self._store_callback(raw_body, self.env._("The body is not JSON."))
        if not isinstance(data, dict):
            return self._store_callback(raw_body, self.env._("The body is not a JSON object."))
        dossier = self.env["billing.collection.dossier"].search(
            [("agency_id", "=", self.id), ("dossier_number", "=", str(data.get("dossier_number") or ""))],
            limit=1,
        )
        if not dossier or not data.get("dossier_number"):
            return self._store_callback(
                raw_body,
                self.env._("No dossier %(number)s at this agency.", number=data.get("dossier_number")),
            )
        try:
            applied = dossier._apply_agency_event(data, "callback")
        except (UserError, ValueError) as exc:
            return self._store_callback(raw_body, str(exc), dossier)
        return (200, "applied") if applied else (200, "duplicate")

    def _store_callback(self, raw_body, reason, dossier=None):
        # Kept whoever triggered it (a poll by an invoicing user, the public callback route).
        callback = (
            self.env["billing.collection.callback"]
            .sudo()
            .create(
                {
                    "agency_id": self.id,
                    "dossier_id": dossier.id if dossier else False,
                    "raw_body": base64.b64encode(raw_body),
                    "reason": reason,
                    "received_at": datetime.now(),
                }
            )
        )
        _logger.info("collection agency %s: callback %s stored unprocessed", self.id, callback.id)
        return 202, "stored"

    @api.model
    def _get_agency_for_company(self, company):
        return self.search([("company_id", "=", company.id)], limit=1)
