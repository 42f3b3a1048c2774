"""Plain-Python Finvoice 3.0 code: no Odoo imports, plain data in and bytes out.

``references`` checks Finnish (7-3-1) and RF (ISO 11649) payment references,
``document`` holds the dataclasses and the writer, ``frame`` the SOAP/ebXML
transmission frame, and ``schema`` the validation against the official XSD.
"""
