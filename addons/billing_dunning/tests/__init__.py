from . import test_dunning_charges
from . import test_dunning_policy
from . import test_dunning_run
from . import test_interest
from . import test_levels
