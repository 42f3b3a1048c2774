"""Plain-Python collection-agency code: the HTTP client and the callback signature. No Odoo
imports: plain data in and out (readme/AGENCY_API.md is the contract)."""
