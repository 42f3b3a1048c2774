from . import billing_webshop_backend
