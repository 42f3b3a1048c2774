from . import billing_sepa_batch_create
from . import billing_sepa_return_import_wizard
from . import billing_sepa_return_fee_waive
from . import billing_sepa_credit_transfer_create
