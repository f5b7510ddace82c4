"""``python -m digitseq_gui.cli`` is the ``digitseq`` command."""

import sys

from . import main

sys.exit(main())
