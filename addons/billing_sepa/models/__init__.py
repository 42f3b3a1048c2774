from . import billing_sepa_mandate
from . import res_company
