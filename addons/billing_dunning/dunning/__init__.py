"""Plain-Python dunning calculations: no Odoo imports, plain data in and out."""
