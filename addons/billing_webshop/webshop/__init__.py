"""Plain-Python webshop code: no Odoo imports, plain data in and out.

``signature`` checks WooCommerce webhook signatures, ``normalize`` turns WooCommerce REST v3
orders into frozen dataclasses with ``Decimal`` money. The local shop emulators the tests run
against live in ``tests/`` (``woo_emulator``, ``shopify_emulator``), not in the runtime package.
"""
