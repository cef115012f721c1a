"""``python -m smallcrm.cli``: the same as the ``smallcrm`` console script."""

from smallcrm.cli import main

main()
