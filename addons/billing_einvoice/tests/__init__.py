from . import test_delivery
from . import test_finvoice_document
from . import test_einvoice_sending
from . import test_auto_send
from . import test_transport
from . import test_peppol_validation
from . import test_ui
from . import test_overview
