{
    "name": "Dunning and Debt Collection",
    "version": "18.0.1.0.0",
    "summary": "Dunning levels, fees, statutory interest, reminder runs and collection dossiers",
    "category": "Accounting/Accounting",
    "author": "Billing Automation Suite",
    "website": "https://github.com/billing-automation-suite/billing-suite",
    "license": "LGPL-3",
    "depends": ["account", "account_debit_note"],
    "data": [
        "security/ir.model.access.csv",
        "security/billing_dunning_security.xml",
        "views/billing_dunning_policy_views.xml",
        "views/billing_dunning_menus.xml",
    ],
    "demo": [
        "demo/billing_dunning_demo.xml",
    ],
    "installable": True,
    "application": False,
}
