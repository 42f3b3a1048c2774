{
    "name": "Getting Paid",
    "version": "18.0.1.0.0",
    "summary": "Getting Paid: the common menu and overview of the billing suite",
    "category": "Accounting/Accounting",
    "author": "Billing Automation Suite",
    "website": "https://github.com/billing-automation-suite/billing-suite",
    "license": "LGPL-3",
    "depends": ["account"],
    "data": [
        "security/ir.model.access.csv",
        "security/billing_base_security.xml",
        "data/billing_overview_card_data.xml",
        "views/billing_overview_card_views.xml",
        "views/billing_base_menus.xml",
    ],
    "installable": True,
    "application": False,
}
