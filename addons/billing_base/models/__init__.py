from . import billing_overview_card
