"""End-to-end tests: drive a running Odoo over XML-RPC, as an external CRM would.

setup/test starts the server and sets BILLING_ODOO_URL and BILLING_ODOO_DB.
"""

import os
import xmlrpc.client

import pytest


class OdooRpc:
    """The few lines of XML-RPC plumbing every external client writes."""

    def __init__(self, url, db, login, password):
        self.url, self.db, self.password = url, db, password
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common", allow_none=True)
        self.uid = common.authenticate(db, login, password, {})
        if not self.uid:
            raise RuntimeError(f"cannot log in to {db} at {url} as {login}")
        self.models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def __call__(self, model, method, *args, **kwargs):
        return self.models.execute_kw(self.db, self.uid, self.password, model, method, list(args), kwargs)


@pytest.fixture(scope="session")
def odoo():
    url = os.environ.get("BILLING_ODOO_URL")
    db = os.environ.get("BILLING_ODOO_DB")
    if not url or not db:
        pytest.fail(
            "BILLING_ODOO_URL and BILLING_ODOO_DB must point at a running Odoo (setup/test sets them)"
        )
    return OdooRpc(
        url,
        db,
        os.environ.get("BILLING_ODOO_LOGIN", "admin"),
        os.environ.get("BILLING_ODOO_PASSWORD", "admin"),
    )
