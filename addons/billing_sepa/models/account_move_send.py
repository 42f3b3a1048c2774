from markupsafe import Markup, escape

from odoo import api, models


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _get_default_mail_body(self, move, mail_template, mail_lang):
        body = super()._get_default_mail_body(move, mail_template, mail_lang)
        # The e-mail is the pre-notification too: the debtor must read amount and date in it.
        text = move.with_context(lang=mail_lang).sepa_prenotification_text
        if text:
            body = Markup("%s<p>%s</p>") % (body or "", escape(text))
        return body
