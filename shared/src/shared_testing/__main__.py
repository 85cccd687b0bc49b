"""Run ``python -m shared_testing serve <system>``."""

import sys

from shared_testing.cli import main

sys.exit(main())
