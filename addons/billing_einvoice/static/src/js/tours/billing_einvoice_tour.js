/** @odoo-module **/

import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * Choose a customer's channel and watch an invoice go out: the channel is set once on the
 * customer, every invoice goes out on it and leaves a delivery record. Steps marked "auto" only
 * run in tests (HttpCase.start_tour), where the customer is the test's "Tour Customer" with a
 * draft invoice; a user who starts the tour picks a customer of their own.
 */
registry.category("web_tour.tours").add("billing_einvoice_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("account.menu_finance", _t("Invoices go out from the Invoicing app.")),
        {
            trigger: 'button[data-menu-xmlid="account.menu_finance_receivables"]',
            content: _t("Open the Customers menu."),
            run: "click",
        },
        {
            trigger: '.dropdown-item[data-menu-xmlid="account.menu_account_customer"]',
            content: _t("Open your customers."),
            run: "click",
        },
        {
            isActive: ["auto"],
            trigger: ".o_kanban_record:contains(Tour Customer)",
            run: "click",
        },
        {
            trigger: ".o_notebook .nav-link[name=accounting]",
            content: _t("How the customer gets invoices is set on the Invoicing tab."),
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=invoice_sending_method] select",
            content: _t("Choose the channel: e-mail, Peppol, Finvoice or consumer e-invoice."),
            run: 'select "email"',
        },
        ...stepUtils.saveForm(),
        {
            trigger: 'button[data-menu-xmlid="account.menu_finance_receivables"]',
            content: _t("Now an invoice of this customer."),
            run: "click",
        },
        {
            trigger: '.dropdown-item[data-menu-xmlid="account.menu_action_move_out_invoice_type"]',
            content: _t("Open the invoices."),
            run: "click",
        },
        {
            isActive: ["auto"],
            trigger: ".o_list_view .o_data_row td:contains(Tour Customer)",
            run: "click",
        },
        {
            trigger: ".o_form_view button[name=action_post]",
            content: _t("Confirm the invoice."),
            run: "click",
        },
        {
            trigger: ".o_form_view button[name=action_invoice_sent]",
            content: _t("Send it: it goes out on the customer's channel."),
            run: "click",
        },
        {
            trigger: ".modal button[name=action_send_and_print]",
            content: _t("Send."),
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=einvoice_delivery_state]:contains(Queued)",
            // The server's work (a whole run, a file, a send, an import) may take a while.
            timeout: 60000,
            content: _t("The e-mail waits in the outgoing queue: Sent once the mail server takes it, Bounced if it comes back."),
        },
        {
            trigger: ".o_notebook .nav-link[name=einvoice_deliveries]",
            content: _t("Each attempt to send is a delivery, with its channel and any error."),
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=einvoice_delivery_ids] .o_data_row:contains(Queued)",
        },
    ],
});
