from odoo import models


class ResPartnerBank(models.Model):
    _inherit = "res.partner.bank"

    def write(self, vals):
        if "acc_number" not in vals:
            return super().write(vals)
        # Changing the number of an account in place changes the debtor account of its
        # mandates, whether it happens in the form, an import or over RPC.
        old_numbers = {bank: bank.sanitized_acc_number for bank in self}
        result = super().write(vals)
        self.env["billing.sepa.mandate"]._record_debtor_account_amendments(old_numbers)
        return result

    def _get_sepa_masked_number(self):
        """The account number with all but the country, check digits and last four hidden."""
        self.ensure_one()
        number = self.sanitized_acc_number or ""
        return number[:4] + "*" * max(len(number) - 8, 0) + number[-4:] if len(number) > 8 else number
