from odoo.exceptions import UserError


class WebshopImportError(UserError):
    """An order cannot be imported as it is: the event goes to error with this message."""


class WebshopLockBusy(Exception):
    """Another transaction is importing the same shop order right now."""
