from . import billing_dunning_charge_waive
