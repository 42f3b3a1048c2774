"""Matching a consumer order to a customer, and what a matched order does to the customer."""

import difflib
import re

from odoo import fields, models
from odoo.exceptions import UserError

from ..finvoice import sender_info
from ..tools import ensure_records

CANDIDATE_MIN_SCORE = 40
CANDIDATE_LIMIT = 5


def _normalized(text):
    return " ".join(sorted(re.sub(r"[^\w]+", " ", (text or "").lower()).split()))


class BillingEinvoiceConsumerOrder(models.Model):
    _inherit = "billing.einvoice.consumer.order"

    candidate_ids = fields.One2many(
        "billing.einvoice.consumer.order.candidate", "order_id", string="Candidates", readonly=True
    )
    agreement_id = fields.Many2one("billing.einvoice.agreement", readonly=True, check_company=True)

    def action_match(self):
        """Match orders by the identifier the consumer typed; list name + address candidates otherwise."""
        ensure_records(self)
        for order in self.filtered(lambda order: order.state == "to_match"):
            partner = order._match_by_identifier()
            if partner:
                order.write({"partner_id": partner.id, "state": "matched"})
                order._apply_order()
            else:
                order._set_candidates()
        return True

    def action_allocate(self):
        """Apply the orders to the customer a user picked (the allocation queue)."""
        ensure_records(self)
        for order in self:
            if order.state != "to_match":
                raise UserError(
                    self.env._("Order %(order)s is not waiting for a customer.", order=order.name)
                )
            if not order.partner_id:
                raise UserError(self.env._("Pick the customer of order %(order)s first.", order=order.name))
            order.state = "allocated"
            order._apply_order()
        return True

    def _match_by_identifier(self):
        """The one customer the typed identifier points to, or an empty recordset."""
        self.ensure_one()
        identifier = (self.seller_invoice_identifier or "").strip()
        if not identifier:
            return self.env["res.partner"]
        finders = [self._find_by_customer_number, self._find_by_reference]
        if self.seller_invoice_identifier_type == sender_info.IDENTIFIER_REFERENCE:
            finders.reverse()
        for finder in finders:
            partner = finder(identifier)
            if len(partner) == 1:
                return partner
        return self.env["res.partner"]

    def _find_by_customer_number(self, identifier):
        return self.env["res.partner"].search(
            [("ref", "=", identifier), ("company_id", "in", [False, self.company_id.id])], limit=2
        )

    def _find_by_reference(self, identifier):
        compact = identifier.replace(" ", "")
        moves = self.env["account.move"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("move_type", "=", "out_invoice"),
                ("payment_reference", "in", list({identifier, compact})),
            ],
            limit=20,
        )
        return moves.commercial_partner_id

    def _set_candidates(self):
        """Score customers by name and address; the candidates are shown, never applied."""
        self.ensure_one()
        tokens = [token for token in _normalized(self.buyer_name).split() if len(token) > 2]
        domain = [("company_id", "in", [False, self.company_id.id])]
        conditions = [("name", "ilike", token) for token in tokens]
        if self.buyer_zip:
            conditions.append(("zip", "=", self.buyer_zip))
        if not conditions:
            return
        domain += ["|"] * (len(conditions) - 1) + conditions
        scored = []
        for partner in self.env["res.partner"].search(domain, limit=200):
            score = (
                70
                * difflib.SequenceMatcher(
                    None, _normalized(partner.name), _normalized(self.buyer_name)
                ).ratio()
            )
            if self.buyer_zip and partner.zip == self.buyer_zip:
                score += 15
            score += (
                15
                * difflib.SequenceMatcher(
                    None, _normalized(partner.street), _normalized(self.buyer_street)
                ).ratio()
            )
            if score >= CANDIDATE_MIN_SCORE:
                scored.append((round(score), partner))
        scored.sort(key=lambda item: -item[0])
        self.candidate_ids = [fields.Command.clear()] + [
            fields.Command.create({"partner_id": partner.id, "score": score})
            for score, partner in scored[:CANDIDATE_LIMIT]
        ]

    def _apply_order(self):
        """Make the matched order take effect on its customer."""
        for order in self:
            if order.action == "ADD":
                order._apply_add()
            elif order.action == "CHANGE":
                order._apply_change()
            else:
                order._apply_delete()
            order.state = "done"

    def _active_agreements(self):
        return self.env["billing.einvoice.agreement"].search(
            [
                ("partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("state", "=", "active"),
            ]
        )

    def _apply_add(self):
        partner = self.partner_id.with_company(self.company_id)
        previous = self._active_agreements()
        previous_method = previous[:1].previous_sending_method or partner.invoice_sending_method or False
        previous.write({"state": "ended", "date_end": fields.Date.context_today(self)})
        agreement = self.env["billing.einvoice.agreement"].create(
            {
                "partner_id": partner.id,
                "company_id": self.company_id.id,
                "billing_subject_id": self.billing_subject_id.id,
                "order_id": self.id,
                "recipient_address": self.recipient_address,
                "recipient_intermediator": self.recipient_intermediator,
                "identifier": self.seller_invoice_identifier,
                "language_code": self.language_code,
                "proposed_due_date": self.proposed_due_date,
                "direct_payment": self.direct_payment,
                "previous_sending_method": previous_method,
            }
        )
        partner.write(
            {
                "invoice_sending_method": "elasku",
                "einvoice_address": self.recipient_address,
                "einvoice_operator": self.recipient_intermediator,
            }
        )
        self.agreement_id = agreement
        partner.message_post(
            body=self.env._(
                "Consumer e-invoice agreement made by order %(order)s: invoices now go to %(address)s (%(bank)s).",
                order=self.name,
                address=self.recipient_address,
                bank=self.recipient_intermediator,
            )
        )

    def _apply_change(self):
        agreement = self._active_agreements()[:1]
        if not agreement:
            return self._apply_add()
        agreement.write(
            {
                "recipient_address": self.recipient_address,
                "recipient_intermediator": self.recipient_intermediator,
            }
        )
        self.partner_id.write(
            {"einvoice_address": self.recipient_address, "einvoice_operator": self.recipient_intermediator}
        )
        self.agreement_id = agreement
        self.partner_id.message_post(
            body=self.env._("E-invoice address changed by order %(order)s.", order=self.name)
        )

    def _apply_delete(self):
        partner = self.partner_id.with_company(self.company_id)
        agreements = self._active_agreements()
        if agreements:
            agreements.write(
                {"state": "ended", "date_end": fields.Date.context_today(self), "end_order_id": self.id}
            )
            self.agreement_id = agreements[:1]
        fallback = agreements[:1].previous_sending_method
        if not fallback or fallback == "elasku":
            fallback = "email" if partner.email else "manual"
        if partner.invoice_sending_method == "elasku":
            partner.write(
                {"invoice_sending_method": fallback, "einvoice_address": False, "einvoice_operator": False}
            )
        method_label = dict(partner._fields["invoice_sending_method"]._description_selection(self.env)).get(
            fallback, fallback
        )
        partner.message_post(
            body=self.env._(
                "The consumer ended the e-invoice agreement (order %(order)s): invoices go %(method)s again.",
                order=self.name,
                method=method_label,
            )
        )
        partner.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("E-invoice agreement ended"),
            note=self.env._("Check how this customer wants to receive invoices from now on."),
            user_id=self.env.user.id,
        )


class BillingEinvoiceConsumerOrderCandidate(models.Model):
    """A customer that may have sent an unmatched order, by name and address: shown, never applied."""

    _name = "billing.einvoice.consumer.order.candidate"
    _description = "Consumer Order Candidate Customer"
    _order = "score desc, id"

    order_id = fields.Many2one(
        "billing.einvoice.consumer.order", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade")
    score = fields.Integer(help="0 to 100: name (70), postcode (15) and street (15) likeness.")

    def action_choose(self):
        ensure_records(self, single=True)
        self.order_id.partner_id = self.partner_id
        return self.order_id.action_allocate()
