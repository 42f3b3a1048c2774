from . import test_billing_run
from . import test_billing_run_credits
from . import test_billing_run_handover
from . import test_billing_run_taxes
from . import test_translations
from . import test_overview_card
from . import test_apps_screenshot
