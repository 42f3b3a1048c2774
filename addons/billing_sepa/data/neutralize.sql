-- A copied database must not start collecting from customers by itself.
UPDATE res_company SET sepa_auto_collect = false;
