-- A copied database must not invoice customers by itself.
UPDATE res_company SET billing_recurring_auto_run = false;
