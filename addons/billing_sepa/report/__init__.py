from . import billing_sepa_collection_report
