from odoo.addons.billing_base.tests.apps_screenshot import AppsScreenshotCase
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestAppsScreenshot(AppsScreenshotCase):
    """The webshop orders imported by the demo data, as on the Apps page of the addon."""

    def test_main_screen(self):
        self._check_list_screenshot("billing_webshop", "billing_webshop.billing_webshop_order_binding_action")
