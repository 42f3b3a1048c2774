{
    "name": "Webshop Order Sync",
    "version": "18.0.1.0.0",
    "summary": "WooCommerce and signed-JSON webshop orders become customers, orders, invoices and payments",
    "category": "Sales/Sales",
    "author": "Billing Automation Suite",
    "website": "https://github.com/billing-automation-suite/billing-suite",
    "license": "LGPL-3",
    "depends": ["sale_stock", "account"],
    "data": [
        "security/billing_webshop_groups.xml",
        "security/ir.model.access.csv",
        "security/billing_webshop_security.xml",
        "views/billing_webshop_backend_views.xml",
        "views/billing_webshop_menus.xml",
    ],
    "installable": True,
    "application": False,
}
