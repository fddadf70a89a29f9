"""``python -m vocab.generate``: regenerate the committed vocabularies (see vocab.generate)."""

import sys

from vocab.generate import main

sys.exit(main())
