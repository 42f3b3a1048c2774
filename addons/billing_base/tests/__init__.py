from . import test_overview_card
from . import test_overview_screenshot
from . import test_translations
