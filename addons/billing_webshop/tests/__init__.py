from . import test_backend
from . import test_customer_matching
from . import test_order_import
from . import test_polling
from . import test_webhook
from . import test_webshop_emulator
from . import test_webshop_normalize
from . import test_webshop_signature
