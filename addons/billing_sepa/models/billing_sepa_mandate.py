from dateutil.relativedelta import relativedelta
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumValidationError

from odoo import api, fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..sepa.identifiers import identifier_errors

# EPC rulebook: a mandate with no collection presented for 36 months expires.
MANDATE_VALIDITY_MONTHS = 36
EXPIRY_WARNING_DAYS = 30


class BillingSepaMandate(models.Model):
    _name = "billing.sepa.mandate"
    _description = "SEPA Direct Debit Mandate"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "signature_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Mandate Reference",
        required=True,
        copy=False,
        default="/",
        tracking=True,
        help="Unique mandate reference (UMR). Left as '/', it is taken from the company's mandate sequence.",
    )
    reference_key = fields.Char(
        compute="_compute_reference_key",
        store=True,
        help="Upper-cased reference: banks compare mandate references without case.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Debtor",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    partner_bank_id = fields.Many2one(
        "res.partner.bank",
        string="Debtor Bank Account",
        required=True,
        tracking=True,
        check_company=True,
        domain="[('partner_id', '=', partner_id)]",
    )
    scheme = fields.Selection(
        [("CORE", "Core (consumers and businesses)"), ("B2B", "B2B (businesses only)")],
        required=True,
        default="CORE",
        tracking=True,
    )
    mandate_type = fields.Selection(
        [("recurrent", "Recurrent"), ("oneoff", "One-off")],
        string="Type",
        required=True,
        default="recurrent",
        tracking=True,
    )
    signature_date = fields.Date(tracking=True, copy=False)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("active", "Active"),
            ("suspended", "Suspended"),
            ("revoked", "Revoked"),
            ("expired", "Expired"),
            ("closed", "Closed"),
        ],
        required=True,
        default="draft",
        tracking=True,
        copy=False,
        index=True,
    )
    last_collection_date = fields.Date(
        copy=False,
        readonly=True,
        help="Due date of the last collection presented under this mandate, returned or not. "
        "A recurrent mandate expires 36 months after it.",
    )
    expiry_date = fields.Date(
        compute="_compute_expiry_date",
        store=True,
        help="A recurrent mandate with no collection presented by this date expires: 36 months after "
        "the last collection, or after the signature when it was never used.",
    )
    expiry_warned = fields.Boolean(copy=False, readonly=True)
    sequence_settled = fields.Boolean(
        copy=False,
        readonly=True,
        help="A collection under this mandate has been settled: with FRST, later ones are RCUR.",
    )
    amendment_ids = fields.One2many("billing.sepa.mandate.amendment", "mandate_id", readonly=True)
    pending_amendment_count = fields.Integer(compute="_compute_pending_amendment_count")

    _sql_constraints = [
        (
            "company_reference_unique",
            "unique(company_id, reference_key)",
            "A mandate reference must be unique per creditor, whatever its case.",
        ),
    ]

    @api.depends("mandate_type", "last_collection_date", "signature_date")
    def _compute_expiry_date(self):
        for mandate in self:
            start = mandate.last_collection_date or mandate.signature_date
            if mandate.mandate_type == "recurrent" and start:
                mandate.expiry_date = start + relativedelta(months=MANDATE_VALIDITY_MONTHS)
            else:
                mandate.expiry_date = False

    @api.depends("amendment_ids.state")
    def _compute_pending_amendment_count(self):
        counts = dict(
            self.env["billing.sepa.mandate.amendment"]._read_group(
                [("mandate_id", "in", self.ids), ("state", "=", "pending")], ["mandate_id"], ["__count"]
            )
        )
        for mandate in self:
            mandate.pending_amendment_count = counts.get(mandate, 0)

    @api.depends("name")
    def _compute_reference_key(self):
        for mandate in self:
            mandate.reference_key = (mandate.name or "").upper()

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code("billing.sepa.mandate")
                )
        return super().create(vals_list)

    def write(self, vals):
        amendments = self._amendments_for(vals)
        result = super().write(vals)
        if amendments:
            self.env["billing.sepa.mandate.amendment"].sudo().create(amendments)
        return result

    @api.model
    def _record_collection_presented(self, mandate_ids, collection_date):
        """Set the last collection date of the mandates ``mandate_ids``, and so their expiry date.

        One UPDATE for any number of mandates, the cache invalidated after it. Through the ORM a
        batch of 100 000 debits took 55 s to write, recompute and prepare the tracking of as many
        mandates, although neither field is tracked and no amendment follows from them (see
        :meth:`_compute_expiry_date`, which this repeats: the start is the collection date).
        """
        if not mandate_ids:
            return
        self.flush_model(["mandate_type", "last_collection_date", "expiry_date"])
        self.env.cr.execute(
            SQL(
                """UPDATE billing_sepa_mandate
                      SET last_collection_date = %(date)s,
                          expiry_date = CASE WHEN mandate_type = 'recurrent'
                                             THEN (%(date)s::date + %(months)s * INTERVAL '1 month')::date
                                        END,
                          write_uid = %(uid)s,
                          write_date = %(now)s
                    WHERE id = ANY(%(ids)s)""",
                date=collection_date,
                months=MANDATE_VALIDITY_MONTHS,
                uid=self.env.uid,
                now=self.env.cr.now(),
                ids=list(mandate_ids),
            )
        )
        self.invalidate_model(["last_collection_date", "expiry_date", "write_uid", "write_date"])

    def _amendments_for(self, vals):
        """Amendment values for the reference and debtor account changes in ``vals``.

        Only mandates already presented to the debtor bank need one: before the first
        collection the bank has nothing to compare with.
        """
        presented = self.filtered("last_collection_date")
        amendments = []
        if "name" in vals:
            amendments += [
                {"mandate_id": m.id, "kind": "reference", "original_value": m.name, "new_value": vals["name"]}
                for m in presented
                if m.name.upper() != (vals["name"] or "").upper()
            ]
        if "partner_bank_id" in vals:
            new_bank = self.env["res.partner.bank"].browse(vals["partner_bank_id"])
            amendments += [
                {
                    "mandate_id": m.id,
                    "kind": "debtor_account",
                    "original_value": m.partner_bank_id.sanitized_acc_number,
                    "new_value": new_bank.sanitized_acc_number,
                }
                for m in presented
                if m.partner_bank_id.sanitized_acc_number != new_bank.sanitized_acc_number
            ]
        return amendments

    @api.model
    def _record_debtor_account_amendments(self, old_numbers_by_bank):
        """Record amendments after bank accounts changed their number in place.

        :param old_numbers_by_bank: {res.partner.bank record: sanitized number before the write}
        """
        self._record_amendments(
            "debtor_account",
            "partner_bank_id",
            old_numbers_by_bank,
            lambda mandate: mandate.partner_bank_id.sanitized_acc_number,
        )

    @api.model
    def _record_creditor_identifier_amendments(self, old_identifiers_by_company):
        """Record amendments after companies changed their creditor identifier."""
        self._record_amendments(
            "creditor_identifier",
            "company_id",
            old_identifiers_by_company,
            lambda mandate: mandate.company_id.sepa_creditor_identifier,
        )

    @api.model
    def _record_amendments(self, kind, link_field, old_values, new_value):
        """Record a ``kind`` amendment on the presented, active mandates linked by
        ``link_field`` to the keys of ``old_values`` (their values before the change),
        when ``new_value(mandate)`` differs from it."""
        mandates = self.search(
            [
                (link_field, "in", [record.id for record in old_values]),
                ("last_collection_date", "!=", False),
                ("state", "=", "active"),
            ]
        )
        amendments = []
        for mandate in mandates:
            original, new = old_values[mandate[link_field]], new_value(mandate)
            if original and original != new:
                amendments.append(
                    {"mandate_id": mandate.id, "kind": kind, "original_value": original, "new_value": new}
                )
        self.env["billing.sepa.mandate.amendment"].sudo().create(amendments)

    @api.model
    def _cron_expire_mandates(self):
        """Expire recurrent mandates unused for 36 months; warn the responsible 30 days ahead."""
        today = fields.Date.context_today(self)
        expired = self.search([("state", "in", ("active", "suspended")), ("expiry_date", "<", today)])
        if expired:
            expired.write({"state": "expired"})
            expired._message_log_batch(
                bodies={
                    mandate.id: self.env._(
                        "Expired: no collection was presented for %(months)s months.",
                        months=MANDATE_VALIDITY_MONTHS,
                    )
                    for mandate in expired
                }
            )
        to_warn = self.search(
            [
                ("state", "=", "active"),
                ("expiry_warned", "=", False),
                ("expiry_date", "<=", today + relativedelta(days=EXPIRY_WARNING_DAYS)),
            ]
        )
        for mandate in to_warn:
            mandate.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=mandate.expiry_date,
                summary=self.env._("SEPA mandate expires soon"),
                note=self.env._(
                    "Mandate %(reference)s expires on %(date)s unless a collection is presented before.",
                    reference=mandate.name,
                    date=mandate.expiry_date,
                ),
                user_id=mandate.create_uid.id or self.env.uid,
            )
        to_warn.write({"expiry_warned": True})

    @api.constrains("name")
    def _check_name(self):
        messages = {
            "too_long": self.env._("at most 35 characters"),
            "charset": self.env._(
                "only letters a-z, digits and the characters / - ? : ( ) . , ' + and space"
            ),
            "leading_or_trailing_slash": self.env._("no '/' at the start or the end"),
            "double_slash": self.env._("no '//'"),
            "surrounding_space": self.env._("no spaces at the start or the end"),
            "empty": self.env._("a value"),
        }
        for mandate in self:
            errors = identifier_errors(mandate.name)
            if errors:
                raise ValidationError(
                    self.env._(
                        "The mandate reference %(reference)s is not a valid SEPA identifier; it needs %(rules)s.",
                        reference=mandate.name,
                        rules=", ".join(messages[error] for error in errors),
                    )
                )

    @api.constrains("signature_date")
    def _check_signature_date(self):
        today = fields.Date.context_today(self)
        for mandate in self:
            if mandate.signature_date and mandate.signature_date > today:
                raise ValidationError(
                    self.env._(
                        "The mandate %(reference)s cannot be signed in the future (%(date)s).",
                        reference=mandate.name,
                        date=mandate.signature_date,
                    )
                )

    @api.constrains("partner_bank_id")
    def _check_partner_bank_id(self):
        for mandate in self:
            try:
                stdnum_iban.validate(mandate.partner_bank_id.acc_number or "")
            except StdnumValidationError as error:
                raise ValidationError(
                    self.env._(
                        "The bank account %(account)s of mandate %(reference)s is not a valid IBAN: %(reason)s",
                        account=mandate.partner_bank_id.display_name,
                        reference=mandate.name,
                        reason=error.message,
                    )
                ) from error

    def action_activate(self):
        ensure_records(self)
        for mandate in self:
            if mandate.state != "draft":
                raise UserError(
                    self.env._(
                        "Only draft mandates can be activated (%(reference)s).", reference=mandate.name
                    )
                )
            if not mandate.signature_date:
                raise UserError(
                    self.env._(
                        "Enter the signature date of mandate %(reference)s before activating it.",
                        reference=mandate.name,
                    )
                )
        self.write({"state": "active"})
        return True

    def action_reactivate(self):
        """Collect again under mandates a return suspended (the debtor's account works again)."""
        ensure_records(self)
        for mandate in self:
            if mandate.state != "suspended":
                raise UserError(
                    self.env._(
                        "Only suspended mandates can be reactivated (%(reference)s); a closed, revoked or "
                        "expired mandate needs a new signature.",
                        reference=mandate.name,
                    )
                )
        self.write({"state": "active"})
        return True

    def action_revoke(self):
        ensure_records(self)
        if self.filtered(lambda m: m.state not in ("draft", "active", "suspended")):
            raise UserError(self.env._("Only draft, active or suspended mandates can be revoked."))
        self.write({"state": "revoked"})
        return True
