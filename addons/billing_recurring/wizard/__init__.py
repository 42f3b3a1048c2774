from . import billing_recurring_preview
