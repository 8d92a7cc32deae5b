import sys

from empirical.cli import main

sys.exit(main())
