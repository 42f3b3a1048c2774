from odoo import api, fields, models

ACTIONS = [
    ("reopen", "Reopen the invoice"),
    ("represent", "Re-present once in the next collection"),
    ("suspend_mandate", "Suspend or close the mandate"),
    ("dispute", "Mark disputed, no re-presentation"),
    ("technical", "Technical: a person fixes and resubmits"),
]


class BillingSepaReturnReason(models.Model):
    """An ISO 20022 external status reason code, with what a return for it does."""

    _name = "billing.sepa.return.reason"
    _description = "SEPA Return Reason"
    _order = "code"
    _rec_names_search = ["code", "name"]

    code = fields.Char(required=True, index=True)
    name = fields.Char(string="Meaning", required=True, translate=True)
    action = fields.Selection(
        ACTIONS,
        required=True,
        default="reopen",
        help="Every return reopens its invoice; this says what happens next.",
    )
    close_mandate = fields.Boolean(
        string="Close the Mandate",
        help="With the mandate action: close the mandate for good (account closed, no mandate, debtor "
        "deceased) instead of suspending it until a person reactivates it.",
    )
    charge_fee = fields.Boolean(
        string="Charge Return Fee",
        help="Returns for this reason charge the customer the company's return fee (when return fees "
        "are switched on in the settings).",
    )
    needs_activity = fields.Boolean(
        compute="_compute_needs_activity",
        help="Returns for this reason get an activity for a person.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [("code_unique", "unique(code)", "A reason code is listed once.")]

    @api.depends("code", "name")
    def _compute_display_name(self):
        for reason in self:
            reason.display_name = f"{reason.code} {reason.name}" if reason.name else reason.code

    @api.depends("action")
    def _compute_needs_activity(self):
        for reason in self:
            reason.needs_activity = reason.action in ("suspend_mandate", "dispute", "technical")

    @api.model
    def _get_or_create(self, codes):
        """The reasons for ``codes``, creating an entry for a code the list does not hold yet.

        A bank may send a code newer than the shipped list: it is kept, for a person to look at.
        """
        codes = {code for code in codes if code}
        reasons = self.with_context(active_test=False).search([("code", "in", list(codes))])
        missing = codes - set(reasons.mapped("code"))
        if missing:
            reasons |= self.sudo().create(
                [{"code": code, "name": code, "action": "technical"} for code in sorted(missing)]
            )
        return {reason.code: reason for reason in reasons}
