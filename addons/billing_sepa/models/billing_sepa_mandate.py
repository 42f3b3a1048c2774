from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumValidationError

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..sepa.identifiers import identifier_errors


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

    _sql_constraints = [
        (
            "company_reference_unique",
            "unique(company_id, reference_key)",
            "A mandate reference must be unique per creditor, whatever its case.",
        ),
    ]

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

    def action_revoke(self):
        if self.filtered(lambda m: m.state not in ("draft", "active")):
            raise UserError(self.env._("Only draft or active mandates can be revoked."))
        self.write({"state": "revoked"})
