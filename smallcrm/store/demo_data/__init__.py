"""The demo CRM's data set (``demo.json``), shipped inside the package so that ``smallcrm demo``
works wherever smallcrm is installed; ``data/make_demo.py`` in the source tree writes it."""
