"""Plain-Python checks of UBL 2.1 documents (Peppol BIS Billing 3.0) before they are sent.

No Odoo imports: bytes in, findings out.
"""
