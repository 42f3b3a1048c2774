from . import res_company
from . import res_partner
from . import res_partner_bank
from . import account_journal
from . import account_move
from . import billing_sepa_mandate
from . import billing_sepa_mandate_amendment
