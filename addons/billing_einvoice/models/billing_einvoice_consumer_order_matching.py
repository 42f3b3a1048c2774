"""Matching a consumer order to a customer, and what a matched order does to the customer."""

import difflib
import re
from collections import defaultdict

from odoo import fields, models
from odoo.addons.billing_base.tools import ensure_records
from odoo.exceptions import UserError

from ..finvoice import sender_info

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
        to_match = self.filtered(lambda order: order.state == "to_match")
        partner_by_order = to_match._match_by_identifier()
        # the customers' fields read at once, not by each order's company check
        self.env["res.partner"].union(*partner_by_order.values()).fetch(["company_id"])
        matched = self.browse()
        for order in to_match:
            if partner := partner_by_order.get(order):
                order.write({"partner_id": partner.id, "state": "matched"})
                matched |= order
        matched._apply_order()
        for order in to_match - matched:
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
        self.state = "allocated"
        self._apply_order()
        return True

    def _match_by_identifier(self):
        """{order: the one customer its typed identifier points to}, for the orders that have one.

        The customer numbers and invoice references of all the orders are looked up together.
        """
        identifiers = {
            order: (order.seller_invoice_identifier or "").strip()
            for order in self
            if (order.seller_invoice_identifier or "").strip()
        }
        if not identifiers:
            return {}
        orders = self.browse(order.id for order in identifiers)
        by_number = orders._find_by_customer_numbers()
        by_reference = orders._find_by_references()
        partner_by_order = {}
        for order, identifier in identifiers.items():
            found = [
                by_number.get((order.company_id, identifier)),
                by_reference.get((order.company_id, identifier.replace(" ", ""))),
            ]
            if order.seller_invoice_identifier_type == sender_info.IDENTIFIER_REFERENCE:
                found.reverse()
            partner = next((partners for partners in found if partners and len(partners) == 1), None)
            if partner:
                partner_by_order[order] = partner
        return partner_by_order

    def _find_by_customer_numbers(self):
        """{(company, customer number): customers with that number}, in one search."""
        numbers = {(order.seller_invoice_identifier or "").strip() for order in self} - {""}
        partners = self.env["res.partner"].search_fetch(
            [("ref", "in", list(numbers)), ("company_id", "in", [False, *self.company_id.ids])],
            ["ref", "company_id"],
        )
        found = defaultdict(lambda: self.env["res.partner"])
        for partner in partners:
            for company in partner.company_id or self.company_id:
                found[company, partner.ref] |= partner
        # read together: one query for the fields of all the customers found
        return {key: group.with_prefetch(partners._prefetch_ids) for key, group in found.items()}

    def _find_by_references(self):
        """{(company, reference without spaces): customers of its invoices}, in one search."""
        identifiers = {(order.seller_invoice_identifier or "").strip() for order in self} - {""}
        references = identifiers | {identifier.replace(" ", "") for identifier in identifiers}
        moves = self.env["account.move"].search_fetch(
            [
                ("company_id", "in", self.company_id.ids),
                ("move_type", "=", "out_invoice"),
                ("payment_reference", "in", list(references)),
            ],
            ["company_id", "payment_reference", "commercial_partner_id"],
        )
        found = defaultdict(lambda: self.env["res.partner"])
        for move in moves:
            found[move.company_id, move.payment_reference.replace(" ", "")] |= move.commercial_partner_id
        prefetch_ids = moves.commercial_partner_id._prefetch_ids
        return {key: group.with_prefetch(prefetch_ids) for key, group in found.items()}

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
        """Make the matched orders take effect on their customers, in batches.

        A customer's orders take effect one after the other: the first order of every customer
        in one batch, then the second ones, and so on.
        """
        for wave in self._get_waves():
            changes = wave.filtered(lambda order: order.action == "CHANGE")
            wave.filtered(lambda order: order.action == "ADD")._apply_add()
            changes._apply_change()
            wave.filtered(lambda order: order.action == "DELETE")._apply_delete()
            wave.state = "done"

    def _get_waves(self):
        """The orders in batches in which every customer has one order, in the orders' sequence."""
        waves = []
        seen = defaultdict(int)
        for order in self:
            key = (order.partner_id, order.company_id)
            if seen[key] == len(waves):
                waves.append(self.browse())
            waves[seen[key]] |= order
            seen[key] += 1
        return waves

    def _get_active_agreements(self):
        """{(customer, company): its active agreements}, for the orders' customers, in one search."""
        agreements = self.env["billing.einvoice.agreement"].search(
            [
                ("partner_id", "in", self.partner_id.ids),
                ("company_id", "in", self.company_id.ids),
                ("state", "=", "active"),
            ]
        )
        found = defaultdict(lambda: self.env["billing.einvoice.agreement"])
        for agreement in agreements:
            found[agreement.partner_id, agreement.company_id] |= agreement
        return found

    def _log_on_customers(self, body_by_order):
        """A chatter note on each order's customer, written in one batch."""
        for company, orders in self.grouped("company_id").items():
            bodies = {order.partner_id.id: body_by_order[order] for order in orders}
            self.env["res.partner"].with_company(company).browse(bodies)._message_log_batch(bodies=bodies)

    def _apply_add(self):
        if not self:
            return
        Agreement = self.env["billing.einvoice.agreement"]
        active = self._get_active_agreements()
        today = fields.Date.context_today(self)
        ended, vals_list = Agreement, []
        for order in self:
            partner = order.partner_id.with_company(order.company_id)
            previous = active[order.partner_id, order.company_id]
            ended |= previous
            vals_list.append(
                {
                    "partner_id": partner.id,
                    "company_id": order.company_id.id,
                    "billing_subject_id": order.billing_subject_id.id,
                    "order_id": order.id,
                    "recipient_address": order.recipient_address,
                    "recipient_intermediator": order.recipient_intermediator,
                    "identifier": order.seller_invoice_identifier,
                    "language_code": order.language_code,
                    "proposed_due_date": order.proposed_due_date,
                    "direct_payment": order.direct_payment,
                    "previous_sending_method": previous[:1].previous_sending_method
                    or partner.invoice_sending_method
                    or False,
                }
            )
        ended.write({"state": "ended", "date_end": today})
        agreements = Agreement.create(vals_list)
        for company, orders in self.grouped("company_id").items():
            orders.partner_id.with_company(company).invoice_sending_method = "elasku"
        for order, agreement in zip(self, agreements, strict=True):
            order.partner_id.write(
                {
                    "einvoice_address": order.recipient_address,
                    "einvoice_operator": order.recipient_intermediator,
                }
            )
            order.agreement_id = agreement
        self._log_on_customers(
            {
                order: self.env._(
                    "Consumer e-invoice agreement made by order %(order)s: invoices now go to %(address)s "
                    "(%(bank)s).",
                    order=order.name,
                    address=order.recipient_address,
                    bank=order.recipient_intermediator,
                )
                for order in self
            }
        )

    def _apply_change(self):
        if not self:
            return
        active = self._get_active_agreements()
        without = self.filtered(lambda order: not active[order.partner_id, order.company_id])
        without._apply_add()
        changes = self - without
        for order in changes:
            agreement = active[order.partner_id, order.company_id][:1]
            values = {
                "recipient_address": order.recipient_address,
                "recipient_intermediator": order.recipient_intermediator,
            }
            agreement.write(values)
            order.partner_id.write(
                {
                    "einvoice_address": order.recipient_address,
                    "einvoice_operator": order.recipient_intermediator,
                }
            )
            order.agreement_id = agreement
        changes._log_on_customers(
            {
                order: self.env._("E-invoice address changed by order %(order)s.", order=order.name)
                for order in changes
            }
        )

    def _apply_delete(self):
        if not self:
            return
        active = self._get_active_agreements()
        today = fields.Date.context_today(self)
        bodies = {}
        for order in self:
            partner = order.partner_id.with_company(order.company_id)
            agreements = active[order.partner_id, order.company_id]
            if agreements:
                agreements.write({"state": "ended", "date_end": today, "end_order_id": order.id})
                order.agreement_id = agreements[:1]
            fallback = agreements[:1].previous_sending_method
            if not fallback or fallback == "elasku":
                fallback = "email" if partner.email else "manual"
            if partner.invoice_sending_method == "elasku":
                partner.write(
                    {
                        "invoice_sending_method": fallback,
                        "einvoice_address": False,
                        "einvoice_operator": False,
                    }
                )
            method_label = dict(
                partner._fields["invoice_sending_method"]._description_selection(self.env)
            ).get(fallback, fallback)
            bodies[order] = self.env._(
                "The consumer ended the e-invoice agreement (order %(order)s): invoices go %(method)s again.",
                order=order.name,
                method=method_label,
            )
        self._log_on_customers(bodies)
        for company, orders in self.grouped("company_id").items():
            orders.partner_id.with_company(company).activity_schedule(
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
