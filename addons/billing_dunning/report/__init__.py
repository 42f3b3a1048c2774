from . import billing_dunning_reminder_report
