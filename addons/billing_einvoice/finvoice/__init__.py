"""Plain-Python Finvoice 3.0 code: no Odoo imports, plain data in and bytes out.

``references`` checks Finnish (7-3-1) and RF (ISO 11649) payment references,
``document`` holds the dataclasses and the writer, ``frame`` the SOAP/ebXML
transmission frame, ``schema`` the validation against the official XSD and
``transport`` the operator REST transport.
"""
