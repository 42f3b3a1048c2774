-- A copied (neutralized) database must neither receive, poll nor push shop data.
UPDATE billing_webshop_backend SET active = false, poll_enabled = false, push_enabled = false;
