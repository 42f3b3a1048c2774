from . import billing_webshop_event_fix
from . import billing_webshop_bind_product
from . import billing_webshop_map_gateway
from . import billing_webshop_map_tax
