"""Plain-Python collection-agency code: the HTTP client, the callback signature, and the
settlement and certificate of a status event. No Odoo
imports: plain data in and out (readme/AGENCY_API.md is the contract)."""
