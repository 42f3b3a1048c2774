{
    "name": "SEPA Direct Debit Collection",
    "version": "18.0.1.0.0",
    "summary": "SEPA mandates, direct-debit collection batches and pain.008 files",
    "category": "Accounting/Accounting",
    "author": "Billing Automation Suite",
    "website": "https://github.com/billing-automation-suite/billing-suite",
    "license": "LGPL-3",
    "depends": ["account"],
    "external_dependencies": {"python": ["python-stdnum"]},
    "data": [
        "security/ir.model.access.csv",
        "security/billing_sepa_security.xml",
        "data/ir_sequence_data.xml",
        "views/billing_sepa_mandate_views.xml",
        "views/res_company_views.xml",
        "views/billing_sepa_menus.xml",
    ],
    "demo": [
        "demo/billing_sepa_demo.xml",
    ],
    "installable": True,
    "application": False,
}
