"""The screenshot of an addon's main screen shown on its Apps page and in the README.

A test case of the addon opens the screen on the demo data in Chromium and checks the page and
the picture on every run; with ``BILLING_SAVE_SCREENSHOTS=1`` in the environment it also writes
the picture to ``<addon>/static/description/<addon>_screenshot.png`` (how a developer refreshes
the pictures after a change to the screen)."""

import base64
import io
import os
from unittest.mock import patch

from PIL import Image

from odoo.modules.module import get_module_path
from odoo.tests import HttpCase
from odoo.tests.common import ChromeBrowser

# Once the list is drawn: an error dialog, Odoo's "nothing here" help or a list without rows
# (or, grouped, without groups) fails the test.
CHECK_LIST = """
const problem = document.querySelector(".o_error_dialog, .o_view_nocontent, .o_notification.border-danger");
const rows = document.querySelectorAll(".o_action_manager .o_list_view :is(.o_data_row, .o_group_header)");
if (problem) {
    console.error("The screen shows: " + problem.innerText.slice(0, 200));
} else if (!rows.length) {
    console.error("The list has no rows");
} else {
    console.log("test successful");
}
"""


class AppsScreenshotCase(HttpCase):
    """Base of the Apps-page screenshot tests: ``_check_list_screenshot`` opens a list action for
    the admin with all of the admin's companies selected (the demo data spreads the stories over
    several companies)."""

    def _check_list_screenshot(self, addon, action):
        admin = self.env.ref("base.user_admin")
        cids = "-".join(str(company_id) for company_id in (admin.company_id | admin.company_ids).ids)
        shots = []
        stop = ChromeBrowser.stop

        def stop_after_screenshot(browser):
            shots.append(browser.take_screenshot(prefix=f"{addon}_").result(timeout=30)["data"])
            return stop(browser)

        with patch.object(ChromeBrowser, "stop", stop_after_screenshot):
            self.browser_js(
                f"/odoo/action-{action}?cids={cids}",
                CHECK_LIST,
                ready="!!document.querySelector('.o_action_manager .o_list_view :is(.o_data_row, .o_group_header), .o_view_nocontent')",
                login="admin",
            )
        png = base64.b64decode(shots[0])
        image = Image.open(io.BytesIO(png)).convert("RGB")
        self.assertGreaterEqual(image.size, (800, 500))
        # A drawn page has the navbar, the control panel and the rows: many colours, not one.
        colours = image.resize((200, 120)).getcolors(maxcolors=200 * 120)
        self.assertGreater(len(colours), 30, "the screenshot is a blank page")
        white = {colour: count for count, colour in colours}.get((255, 255, 255), 0)
        self.assertLess(white, 0.95 * 200 * 120, "the screenshot is mostly empty")
        if os.environ.get("BILLING_SAVE_SCREENSHOTS") == "1":
            path = os.path.join(get_module_path(addon), "static", "description", f"{addon}_screenshot.png")
            with open(path, "wb") as file:
                file.write(png)
