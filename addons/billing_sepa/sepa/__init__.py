"""Plain-Python SEPA format code: no Odoo imports, plain data in and out."""
