"""``python -m toolkit.datasets.synth --out datasets/demo [--seed N]``."""

from toolkit.datasets.synth import main

raise SystemExit(main())
