"""Allow ``python -m porchlight_hub``."""

from .cli import main

raise SystemExit(main())
