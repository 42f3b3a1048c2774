-- A copied (neutralized) database must neither receive, poll nor push shop data.
UPDATE billing_webshop_backend SET active = false, poll_enabled = false, push_enabled = false;
-- A Shopify token obtained by the copied database's original is not the copy's to use.
UPDATE billing_webshop_backend SET shopify_access_token = NULL, shopify_token_expires_at = NULL;
