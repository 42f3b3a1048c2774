from . import billing_dunning_level
from . import billing_dunning_policy
