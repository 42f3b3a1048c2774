from stdnum.eu import at_02
from stdnum.exceptions import ValidationError as StdnumValidationError

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    sepa_creditor_identifier = fields.Char(
        string="SEPA Creditor Identifier",
        help="Creditor identifier (CI) given by your bank or national bank, e.g. DE98ZZZ09999999999. "
        "It appears on every mandate and direct-debit file.",
    )
    sepa_prenotification_days = fields.Integer(
        string="Pre-notification Days",
        default=14,
        help="Calendar days between the pre-notification (the invoice) and the collection. "
        "The EPC default is 14; a shorter period needs the debtor's agreement.",
    )
    sepa_collection_delay_days = fields.Integer(
        string="Collection Delay",
        default=0,
        help="Days after the invoice date before the invoice may be collected.",
    )

    sepa_auto_collect = fields.Boolean(
        string="Weekly Direct-Debit Collections",
        help="Every week, gather the direct-debit invoices that are due into a new collection "
        "batch, ready to generate and send to the bank.",
    )

    sepa_return_max_file_size = fields.Integer(
        string="Bank Report Size Limit (MB)",
        default=50,
        help="Bank reports (pain.002, camt.053, camt.054) larger than this are refused unread.",
    )
    sepa_return_charge_account_id = fields.Many2one(
        "account.account",
        string="Bank Charges on Returns",
        check_company=True,
        help="Expense account for what the bank keeps when it returns a direct debit.",
    )

    sepa_return_fee_enabled = fields.Boolean(
        string="Charge Return Fees",
        help="A returned direct debit whose reason charges a fee gets a fee invoice to the customer, "
        "out of VAT scope; off: returns cost the customer nothing.",
    )
    sepa_return_fee_amount = fields.Monetary(
        string="Return Fee",
        currency_field="currency_id",
        help="Charged to the customer per returned direct debit, without VAT.",
    )
    sepa_return_fee_product_id = fields.Many2one(
        "product.product",
        string="Return Fee Product",
        check_company=True,
        help="Names the fee on the customer's invoice; its taxes are not applied.",
    )
    sepa_return_fee_account_id = fields.Many2one(
        "account.account",
        string="Return Fee Income Account",
        check_company=True,
        help="Income account of return fees; empty: the product's, or the sales journal's.",
    )

    @api.constrains("sepa_return_fee_amount")
    def _check_sepa_return_fee_amount(self):
        for company in self:
            if company.sepa_return_fee_amount < 0:
                raise ValidationError(
                    self.env._(
                        "The return fee of %(company)s cannot be negative.", company=company.display_name
                    )
                )

    def _get_sepa_return_max_file_size(self):
        """The size limit of bank reports in bytes."""
        self.ensure_one()
        return max(self.sepa_return_max_file_size or 50, 1) * 1024 * 1024

    @api.constrains("sepa_creditor_identifier")
    def _check_sepa_creditor_identifier(self):
        for company in self.filtered("sepa_creditor_identifier"):
            try:
                at_02.validate(company.sepa_creditor_identifier)
            except StdnumValidationError as error:
                raise ValidationError(
                    self.env._(
                        "The SEPA creditor identifier %(identifier)s of %(company)s is not valid: %(reason)s",
                        identifier=company.sepa_creditor_identifier,
                        company=company.display_name,
                        reason=error.message,
                    )
                ) from error

    @api.model
    def _normalize_sepa_creditor_identifier(self, value):
        return at_02.compact(value) if value else value

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("sepa_creditor_identifier"):
                vals["sepa_creditor_identifier"] = self._normalize_sepa_creditor_identifier(
                    vals["sepa_creditor_identifier"]
                )
        return super().create(vals_list)

    def write(self, vals):
        if "sepa_creditor_identifier" not in vals:
            return super().write(vals)
        if vals["sepa_creditor_identifier"]:
            vals["sepa_creditor_identifier"] = self._normalize_sepa_creditor_identifier(
                vals["sepa_creditor_identifier"]
            )
        old_identifiers = {
            company: company.sepa_creditor_identifier
            for company in self
            if company.sepa_creditor_identifier != vals["sepa_creditor_identifier"]
        }
        result = super().write(vals)
        if old_identifiers:
            self.env["billing.sepa.mandate"].sudo()._record_creditor_identifier_amendments(old_identifiers)
        return result
