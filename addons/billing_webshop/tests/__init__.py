from . import test_backend
from . import test_webshop_signature
from . import test_webshop_normalize
from . import test_webshop_emulator
