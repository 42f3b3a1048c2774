/** @odoo-module **/

import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * Create a mandate and collect: record the customer's signed mandate, confirm an invoice (it
 * takes the mandate and a collection date), gather it in a collection and make the bank file.
 * Steps marked "auto" only run in tests (HttpCase.start_tour), where the customer is the test's
 * "Tour Debtor" with a draft invoice; a user who starts the tour picks a customer of their own.
 */
registry.category("web_tour.tours").add("billing_sepa_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("account.menu_finance", _t("Direct debit is part of the Invoicing app.")),
        {
            trigger: 'button[data-menu-xmlid="account.menu_finance_receivables"]',
            content: _t("Direct debit is under Customers."),
            run: "click",
        },
        {
            trigger: '.dropdown-item[data-menu-xmlid="billing_sepa.billing_sepa_mandate_menu"]',
            content: _t("A mandate is the customer's signed permission to debit their account."),
            run: "click",
        },
        {
            trigger: ".o_list_view .o_list_button_add",
            content: _t("Record the mandate your customer signed."),
            run: "click",
        },
        {
            isActive: ["auto"],
            trigger: ".o_field_widget[name=name] input",
            run: "edit TOUR-MANDATE-1",
        },
        {
            trigger: ".o_field_widget[name=partner_id] input",
            content: _t("Choose the customer who signed it."),
            run: "edit Tour Debtor",
        },
        {
            isActive: ["auto"],
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour Debtor)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=partner_bank_id] input",
            content: _t("The account to debit: an IBAN of that customer."),
            run: "edit NL91",
        },
        {
            isActive: ["auto"],
            trigger: ".o-autocomplete--dropdown-item a:contains(NL91)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=signature_date] input",
            content: _t("The date the customer signed."),
            run: "edit +0",
        },
        ...stepUtils.saveForm(),
        {
            trigger: ".o_form_view button[name=action_activate]",
            content: _t("Activate the mandate: from now on the customer's invoices are collected."),
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=state] .o_arrow_button_current:contains(Active)",
            content: _t("The mandate is active."),
        },
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
            trigger: ".o_list_view .o_data_row td:contains(Tour Debtor)",
            run: "click",
        },
        {
            trigger: ".o_form_view button[name=action_post]",
            content: _t("Confirm the invoice: it takes the customer's mandate and a collection date."),
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=sepa_mandate_id] input:value(TOUR-MANDATE-1)",
            content: _t("The mandate that will be collected."),
        },
        {
            trigger: ".o_field_widget[name=sepa_collection_date]",
            content: _t("The day the money is collected, after the pre-notification period."),
        },
        {
            trigger: 'button[data-menu-xmlid="account.menu_finance_receivables"]',
            content: _t("Collect the invoices that are due."),
            run: "click",
        },
        {
            trigger: '.dropdown-item[data-menu-xmlid="billing_sepa.billing_sepa_batch_create_menu"]',
            content: _t("Create a collection."),
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=collection_date] input",
            content: _t("The day the bank debits the customers; invoices due by then are collected."),
            run: "edit +30",
        },
        {
            trigger: ".modal button[name=action_create]",
            content: _t("Gather the invoices."),
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=line_ids] .o_data_row td:contains(Tour Debtor)",
            // The server's work (a whole run, a file, a send, an import) may take a while.
            timeout: 60000,
            content: _t("Each invoice to collect is a line of the collection."),
        },
        {
            trigger: ".o_form_view button[name=action_generate_file]",
            content: _t("Make the pain.008 file for your bank."),
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=state] .o_arrow_button_current:contains(File Generated)",
            // The server's work (a whole run, a file, a send, an import) may take a while.
            timeout: 60000,
        },
        {
            trigger: ".o_form_view .o_field_widget[name=file_attachment_ids] .o_attachment",
            content: _t("Download the file and upload it to your bank."),
        },
        {
            trigger: ".o_form_view button[name=action_mark_sent]",
            content: _t("When the bank has it, mark it sent; once paid, mark it collected."),
        },
    ],
});
