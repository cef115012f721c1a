"""Contacts and appointments in a folder a CardDAV/CalDAV server (Radicale) serves to phones.

``smallcrm sync DIR`` keeps ``DIR/contacts`` (one vCard per contact) and ``DIR/calendar`` (one
iCalendar file per appointment) in step with the database, both ways: ``folder`` is the files
and the server's lock, ``state`` what was written (the ``sync_file`` table), ``cards`` and
``events`` a record as a file and a file as the values of a record, ``run`` one sync.
"""
