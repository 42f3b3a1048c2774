"""Customers and addresses of an imported order: found by e-mail or created, kept per shop."""

from odoo import api, models


class BillingWebshopOrderImporter(models.AbstractModel):
    _inherit = "billing.webshop.order.importer"

    # -- customers ----------------------------------------------------------------------------------

    def _get_partners(self, backend, order):
        """Return (customer, invoice address, delivery address) for the order."""
        partner = self._get_customer(backend, order)
        # The checkout's e-mail belongs to the billing block: invoices go to it.
        invoice_address = self._get_address(
            partner, order.billing_address, "invoice", email=order.customer.email
        )
        delivery_address = self._get_address(
            partner, order.shipping_address or order.billing_address, "delivery"
        )
        return partner, invoice_address, delivery_address

    def _get_customer(self, backend, order):
        """Match: customer binding → VAT → normalised e-mail → create. Never by name."""
        customer = order.customer
        Partner = self.env["res.partner"].with_context(active_test=False)
        PartnerBinding = self.env["billing.webshop.partner.binding"]
        if customer.external_id:
            binding = PartnerBinding.search(
                [("backend_id", "=", backend.id), ("external_id", "=", customer.external_id)], limit=1
            )
            if binding:
                return binding.partner_id.commercial_partner_id
        domain = [("company_id", "in", (backend.company_id.id, False))]
        excluded = set()
        if customer.external_id:
            # A partner already bound to another shop account is someone else.
            others = PartnerBinding.search(
                [("backend_id", "=", backend.id), ("external_id", "!=", customer.external_id)]
            )
            excluded = set(others.partner_id.ids)
        partner = Partner.browse()
        for step_domain in self._customer_match_domains(customer):
            candidates = Partner.search(domain + step_domain, order="parent_id desc, id")
            candidates = candidates.commercial_partner_id.filtered(lambda p: p.id not in excluded)
            if candidates:
                partner = candidates[0]
                break
        if not partner:
            partner = Partner.create(self._prepare_customer_vals(backend, order))
        if customer.external_id:
            PartnerBinding.create(
                {"backend_id": backend.id, "external_id": customer.external_id, "partner_id": partner.id}
            )
        return partner

    def _customer_match_domains(self, customer):
        domains = []
        if customer.vat:
            domains.append([("vat", "=ilike", customer.vat)])
        if customer.email:
            domains.append([("email_normalized", "=", customer.email)])
        return domains

    def _prepare_customer_vals(self, backend, order):
        customer = order.customer
        values = self._prepare_address_vals(order.billing_address)
        values.update(
            {
                "name": customer.company or customer.name or customer.email,
                "is_company": bool(customer.company),
                "email": customer.email,
                "phone": customer.phone or False,
                "vat": customer.vat or False,
                "company_id": False,
                "customer_rank": 1,
            }
        )
        return values

    def _prepare_address_vals(self, address):
        country = (
            self.env["res.country"].search([("code", "=", address.country)], limit=1)
            if address.country
            else None
        )
        state = self.env["res.country.state"]
        if country and address.state:
            state = state.search([("country_id", "=", country.id), ("code", "=", address.state)], limit=1)
        return {
            "name": address.name or address.company,
            "street": address.street or False,
            "street2": address.street2 or False,
            "zip": address.zip or False,
            "city": address.city or False,
            "state_id": state.id or False,
            "country_id": country.id if country else False,
        }

    @api.model
    def _address_key(self, values):
        def clean(value):
            return " ".join(str(value or "").lower().split())

        return tuple(
            clean(values.get(name))
            for name in ("name", "street", "street2", "zip", "city", "state_id", "country_id")
        )

    def _get_address(self, partner, address, address_type, email=None):
        """A child contact of ``partner`` for ``address``, reused when identical."""
        values = self._prepare_address_vals(address)
        key = self._address_key(values)
        for child in partner.child_ids.filtered(lambda c: c.type == address_type):
            child_values = {
                "name": child.name,
                "street": child.street,
                "street2": child.street2,
                "zip": child.zip,
                "city": child.city,
                "state_id": child.state_id.id or False,
                "country_id": child.country_id.id or False,
            }
            if self._address_key(child_values) == key:
                return child
        values.update(
            {
                "parent_id": partner.id,
                "type": address_type,
                "phone": address.phone or False,
                "email": email or False,
            }
        )
        return self.env["res.partner"].create(values)
