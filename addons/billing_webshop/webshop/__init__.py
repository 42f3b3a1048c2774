"""Plain-Python webshop code: no Odoo imports, plain data in and out.

``signature`` checks WooCommerce webhook signatures, ``normalize`` turns WooCommerce REST v3
orders into frozen dataclasses with ``Decimal`` money, and ``emulator`` is a local WooCommerce
REST v3 stand-in for tests.
"""
