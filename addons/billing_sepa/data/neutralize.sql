-- A copied database must not start collecting from customers by itself.
UPDATE res_company SET sepa_auto_collect = false;
-- Nor charge return fees on the returns someone imports there.
UPDATE res_company SET sepa_return_fee_enabled = false;
