from . import billing_sepa_batch_create
