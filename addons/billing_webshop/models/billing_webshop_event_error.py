"""What an event in error lacks: its wording in the user's language, stored for programs as
``missing_*``, and the fixes the event form offers in place (Bind product, Map gateway, Map tax
rate, Open webshop)."""

import json

from odoo import api, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError

from ..webshop import normalize


class BillingWebshopEvent(models.Model):
    _inherit = "billing.webshop.event"

    def action_bind_product(self):
        """Open the wizard that binds the missing shop product to an Odoo product."""
        ensure_records(self, single=True)
        self._check_missing_kind("product")
        return self._fix_action(
            "billing.webshop.bind.product",
            self.env._("Bind shop product %(product)s", product=self.missing_ref),
        )

    def action_map_gateway(self):
        """Open the wizard that maps the missing payment gateway to a journal."""
        ensure_records(self, single=True)
        self._check_missing_kind("gateway")
        return self._fix_action(
            "billing.webshop.map.gateway",
            self.env._("Map payment gateway %(gateway)s", gateway=self.missing_ref),
        )

    def action_map_tax(self):
        """Open the wizard that maps the missing shop tax rate to an Odoo tax."""
        ensure_records(self, single=True)
        self._check_missing_kind("tax")
        return self._fix_action(
            "billing.webshop.map.tax",
            self.env._("Map shop tax rate %(rate)s", rate=self.missing_name or self.missing_ref),
        )

    def action_open_backend(self):
        """Open the webshop whose settings the import lacks."""
        ensure_records(self, single=True)
        return self.backend_id._get_records_action()

    def _check_missing_kind(self, kind):
        if self.missing_kind != kind or not self.missing_ref:
            raise UserError(
                self.env._(
                    "Event %(event)s does not wait for this fix: %(error)s",
                    event=self.display_name,
                    error=self.error or self.env._("it is not in error."),
                )
            )

    def _fix_action(self, model, name):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_event_id": self.id},
        }

    @api.model
    def _missing_vals(self, kind=False, ref="", name="", details=None):
        """The event values that say what an import lacks (all empty: nothing).

        Keys without a value are left out of the details: XML-RPC cannot carry None.
        """
        details = {key: value for key, value in (details or {}).items() if value is not None}
        return {
            "missing_kind": kind or False,
            "missing_ref": ref or False,
            "missing_name": name or False,
            "missing_details": details or False,
        }

    @api.model
    def _payload_error_message(self, error, backend, order=None, rpc=False):
        """Say in the user's language which field of a shop payload is wrong, and what to do.

        ``rpc``: the payload came from an XML-RPC caller, not from the shop.
        """
        problem = getattr(error, "problem", None)
        values = {
            "order": getattr(error, "order_id", None) or order or "?",
            "field": getattr(error, "field_name", None) or "?",
            "value": getattr(error, "value", None) or "?",
        }
        if problem == normalize.PROBLEM_MISSING:
            text = self.env._('Shop order %(order)s cannot be read: it has no field "%(field)s".', **values)
        elif problem == normalize.PROBLEM_EMPTY:
            text = self.env._(
                'Shop order %(order)s cannot be read: its field "%(field)s" is empty.', **values
            )
        elif problem == normalize.PROBLEM_NOT_TEXT:
            text = self.env._(
                'Shop order %(order)s cannot be read: its field "%(field)s" holds %(value)s, not a text.',
                **values,
            )
        elif problem == normalize.PROBLEM_NOT_INTEGER:
            text = self.env._(
                'Shop order %(order)s cannot be read: its field "%(field)s" holds %(value)s, not a whole number.',
                **values,
            )
        elif problem == normalize.PROBLEM_NOT_BOOLEAN:
            text = self.env._(
                'Shop order %(order)s cannot be read: its field "%(field)s" holds %(value)s, not true or false.',
                **values,
            )
        elif problem == normalize.PROBLEM_NOT_OBJECT and values["field"] == "?":
            text = self.env._(
                "The delivery is not a shop order: it holds %(value)s, not a JSON object.", **values
            )
        elif problem == normalize.PROBLEM_NOT_OBJECT:
            text = self.env._(
                'Shop order %(order)s cannot be read: its field "%(field)s" holds %(value)s, not a JSON object.',
                **values,
            )
        elif problem == normalize.PROBLEM_NOT_LIST:
            text = self.env._(
                'Shop order %(order)s cannot be read: its field "%(field)s" holds %(value)s, not a list.',
                **values,
            )
        elif problem == normalize.PROBLEM_NOT_AMOUNT:
            text = self.env._(
                'Shop order %(order)s cannot be read: its field "%(field)s" holds %(value)s, not an amount '
                'written as a string such as "12.50".',
                **values,
            )
        elif problem == normalize.PROBLEM_NOT_DATE:
            text = self.env._(
                'Shop order %(order)s cannot be read: its field "%(field)s" holds %(value)s, not an ISO 8601 '
                "date.",
                **values,
            )
        elif problem == normalize.PROBLEM_NOT_POSITIVE:
            text = self.env._(
                'Shop order %(order)s cannot be read: its field "%(field)s" holds %(value)s, not a positive id.',
                **values,
            )
        elif problem == normalize.PROBLEM_TOO_LARGE:
            text = self.env._(
                'Shop order %(order)s cannot be read: its field "%(field)s" holds %(value)s, too large for an '
                "amount or quantity (Odoo keeps them to the cent only below 10^15).",
                **values,
            )
        elif problem == normalize.PROBLEM_TOO_MANY_LINES:
            text = self.env._(
                'Shop order %(order)s has more line items than the %(value)s read at once ("%(field)s"): it is '
                "not imported in part. Enter it by hand, then Ignore this event.",
                **values,
            )
        elif problem == normalize.PROBLEM_UNSTORABLE_TEXT:
            text = self.env._(
                "Shop order %(order)s cannot be read: a NUL character or an unpaired surrogate (\\u0000, \\ud800) "
                "in %(field)s cannot be stored as text.",
                **values,
            )
        elif problem == normalize.PROBLEM_NOT_JSON or isinstance(error, json.JSONDecodeError):
            text = self.env._(
                "The delivery is not JSON (%(error)s).", error=getattr(error, "value", None) or error
            )
        else:
            text = self.env._("Shop order %(order)s cannot be read: %(error)s", error=str(error), **values)
        if rpc:
            return " ".join(
                (
                    text,
                    self.env._(
                        "Send the order as a JSON object in the shape of the WooCommerce REST API v3."
                    ),
                )
            )
        todo = self.env._(
            "This importer reads orders in the shape of the WooCommerce REST API v3: check the Shop Type of "
            "webshop %(backend)s and what the shop or one of its plugins sends, correct the order in the shop, "
            "then Retry; Ignore the event if it is not an order.",
            backend=backend.name,
        )
        return f"{text} {todo}"
