"""Thread-safe refresh for models with protected django-fsm-2 fields.

django-fsm-2's FSMModelMixin.refresh_from_db turns the field's class-level `protected`
flag off and on again around the reload; two threads refreshing at once (a threaded server,
our PostgreSQL race tests) can then raise "Direct status modification is not allowed".
Serialising that one method removes the race; the SELECT it runs takes no row locks.
"""

import threading

from django_fsm import ConcurrentTransitionMixin

_REFRESH_LOCK = threading.RLock()


class SafeConcurrentTransitionMixin(ConcurrentTransitionMixin):
    def refresh_from_db(self, *args, **kwargs):
        with _REFRESH_LOCK:
            super().refresh_from_db(*args, **kwargs)
