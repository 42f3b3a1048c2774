/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * Test tours (HttpCase only) of a collection whose file is built in parts in the background:
 * the accountant clicks Generate File and the form says the files are being built; once the
 * scheduled action has built a part, the form says how many of the file's parts are built.
 */
registry.category("web_tour.tours").add("billing_sepa_file_parts_generate_tour", {
    steps: () => [
        {
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_generate_file']:contains('Generate File')",
            content: "Generate the file of a draft collection.",
            run: "click",
        },
        {
            trigger: ".o_form_view .alert-info:contains('Generating the files in the background')",
            content: "The batch is in Generating File: the scheduled action builds the file.",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Generating File')",
        },
    ],
});

registry.category("web_tour.tours").add("billing_sepa_file_parts_progress_tour", {
    steps: () => [
        {
            trigger: ".o_form_view .alert-info:contains('The file in progress is built in parts')",
            content: "The form says that the file is built in parts.",
        },
        {
            trigger: ".alert-info div[name='generated_part_count']:contains('1')",
        },
        {
            trigger: ".alert-info div[name='planned_part_count']:contains('3')",
        },
    ],
});
