"""End-to-end tests: drive a running Odoo over XML-RPC, as an external CRM would.

setup/test starts the server and sets BILLING_ODOO_URL and BILLING_ODOO_DB.
"""

import os
import uuid
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


def xmlid(odoo, name):
    """The database id of the record with the external id ``module.name``."""
    module, _dot, short = name.partition(".")
    [data] = odoo("ir.model.data", "search_read", [("module", "=", module), ("name", "=", short)], ["res_id"])
    return data["res_id"]


# The groups the suite's access rules name (addons/*/security), lowest rights first.
SUITE_GROUPS = (
    "sales_team.group_sale_salesman",
    "account.group_account_readonly",
    "account.group_account_invoice",
    "account.group_account_manager",
    "billing_webshop.group_billing_webshop_manager",
)


class Tenants:
    """Company A (the admin's) and a company B made by the test, with a user per suite group in each."""

    def __init__(self, odoo):
        self.odoo = odoo
        self.suffix = uuid.uuid4().hex[:8]
        [admin] = odoo("res.users", "read", [odoo.uid], ["company_id", "company_ids"])
        self.company_a = admin["company_id"][0]
        self.admin_company_ids = admin["company_ids"]
        [currency_id] = odoo("res.currency", "search", [("name", "=", "EUR")], context={"active_test": False})
        self.company_b = odoo(
            "res.company", "create", {"name": f"Company B {self.suffix}", "currency_id": currency_id}
        )
        self.users = {}  # (company letter, group) -> OdooRpc

    def user(self, company, *groups):
        """An OdooRpc logged in as a new user of ``company`` ("A", "B" or an id) holding ``groups`` only."""
        if (company, groups) not in self.users:
            company_id = {"A": self.company_a, "B": self.company_b}.get(company, company)
            login = f"{str(company).lower()}-{'-'.join(group.rpartition('.')[2] for group in groups)}-{self.suffix}"
            self.odoo(
                "res.users",
                "create",
                {
                    "name": login,
                    "login": login,
                    "password": login,
                    "company_id": company_id,
                    "company_ids": [(6, 0, [company_id])],
                    "groups_id": [(6, 0, [xmlid(self.odoo, name) for name in ("base.group_user", *groups)])],
                },
            )
            self.users[company, groups] = OdooRpc(self.odoo.url, self.odoo.db, login, login)
        return self.users[company, groups]

    def close(self):
        # Creating a company adds it to its creator: give the admin back the companies it had,
        # so that the other tests see one company as before.
        self.odoo("res.users", "write", [self.odoo.uid], {"company_ids": [(6, 0, self.admin_company_ids)]})


@pytest.fixture(scope="session")
def tenants(odoo):
    tenants = Tenants(odoo)
    yield tenants
    tenants.close()
