from . import test_delivery
from . import test_finvoice_document
from . import test_einvoice_sending
