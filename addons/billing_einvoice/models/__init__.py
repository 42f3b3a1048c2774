from . import billing_einvoice_delivery
