-- A copied database must not remind customers or charge them fees by itself.
UPDATE res_company SET billing_dunning_auto_run = false;
