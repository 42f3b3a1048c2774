from . import test_dunning_policy
from . import test_interest
