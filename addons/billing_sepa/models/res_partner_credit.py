from stdnum import iban

from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    sepa_credit_policy = fields.Selection(
        [("offset", "Keep as Credit"), ("refund", "Pay Back by Transfer")],
        string="Customer Credits",
        company_dependent=True,
        help="What happens to this customer's credits (overpayments, credit notes, refunded debits): "
        "kept and offset against the next invoice or collection, or paid back by SEPA credit "
        "transfer with the next refund batch. Empty: kept.",
    )

    def _get_sepa_refund_bank_accounts(self, company):
        """{partner: bank account} to pay these customers back to, for those with a valid IBAN.

        The account of the customer's newest active mandate in ``company`` first, else their
        first bank account with a valid IBAN.
        """
        mandates = self.env["billing.sepa.mandate"].search(
            [("partner_id", "in", self.ids), ("company_id", "=", company.id), ("state", "=", "active")],
            order="signature_date desc, id desc",
        )
        banks = {}
        for mandate in mandates:
            if _is_valid_iban(mandate.partner_bank_id):
                banks.setdefault(mandate.partner_id, mandate.partner_bank_id)
        for partner in self - self.browse(partner.id for partner in banks):
            bank = partner.bank_ids.filtered(_is_valid_iban)[:1]
            if bank:
                banks[partner] = bank
        return banks


def _is_valid_iban(bank):
    return bool(bank.sanitized_acc_number) and iban.is_valid(bank.sanitized_acc_number)
