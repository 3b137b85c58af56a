"""`python -m crawler` is `haopin`: how the weekly job starts its child steps with the same interpreter."""

import sys

from crawler.cli import main

sys.exit(main())
