from . import test_identifiers
from . import test_mandate
from . import test_amendments
from . import test_invoice_collection
from . import test_sepa_charset
from . import test_sepa_target2
from . import test_pain008
from . import test_batch
