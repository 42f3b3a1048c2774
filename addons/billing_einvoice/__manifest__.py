{
    "name": "Invoice Delivery Channels and E-Invoicing",
    "version": "18.0.1.0.0",
    "summary": "Per-customer invoice delivery (e-mail, Peppol, Finvoice, post) with delivery tracking",
    "category": "Accounting/Accounting",
    "author": "Billing Automation Suite",
    "website": "https://github.com/billing-automation-suite/billing-suite",
    "license": "LGPL-3",
    "depends": ["account", "account_edi_ubl_cii"],
    "data": [
        "security/ir.model.access.csv",
        "security/billing_einvoice_security.xml",
        "views/billing_einvoice_delivery_views.xml",
        "views/billing_einvoice_menus.xml",
    ],
    "installable": True,
    "application": False,
}
