-- A copied database must not remind customers or charge them fees by itself.
UPDATE res_company SET billing_dunning_auto_run = false;
-- Nor hand invoices over to a collection agency or poll it.
UPDATE res_company SET billing_collection_auto_sync = false;
UPDATE billing_collection_agency SET api_url = NULL;
-- Nor propose or start collection dossiers after the last dunning level.
UPDATE billing_dunning_policy SET collection_rule = 'off';
