from . import billing_dunning_charge_waive
from . import billing_collection_start
from . import billing_collection_writeoff
