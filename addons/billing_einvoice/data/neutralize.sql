-- A copied database must not send invoices to customers or hand them to the e-invoice operator.
UPDATE res_company
   SET einvoice_auto_send = false,
       finvoice_transport = 'bank_file',
       finvoice_operator_api_key = NULL;
UPDATE account_move SET einvoice_send_after = NULL WHERE einvoice_send_after IS NOT NULL;
