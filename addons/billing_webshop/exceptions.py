from odoo.exceptions import UserError


class WebshopImportError(UserError):
    """An order cannot be imported as it is: the event goes to error with this message.

    Besides the message, the error says in the shop's terms what the import lacks, so that the
    event can store it and offer the fix in place (see ``billing.webshop.event.missing_kind``):
    ``kind`` is one of those values, ``ref`` the shop's id of what is missing (product or
    variation id, gateway code, tax rate id, currency code, the backend field to fill), ``name``
    the shop's name of it, and ``details`` what else the fix needs (SKU, rate, country, ...).
    """

    def __init__(self, message, *, kind=False, ref="", name="", details=None):
        super().__init__(message)
        self.missing_kind = kind
        self.missing_ref = str(ref) if ref not in (None, False) else ""
        self.missing_name = name or ""
        self.missing_details = details or {}


class WebshopLockBusy(Exception):
    """Another transaction is importing the same shop order right now."""
