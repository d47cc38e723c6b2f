"""Password checks that never crowd out pages.

A password check costs Django's default PBKDF2 work (about 250 ms of one core here), and a burst of
sign-ins (a review round opening) would otherwise take every core and every server thread: pages of
people already signed in queued behind it for seconds. This hasher is Django's own PBKDF2-SHA256 (same
algorithm name, iterations and encoded form, so existing hashes verify and new ones are ordinary), but it
runs the derivation on a small pool of threads at a lower CPU priority (PASSWORD_HASH_NICE, Linux nice
+10 by default; hashlib releases the GIL while it derives). The kernel then serves page requests first
and gives the rest of the processor to sign-ins, which still run at full speed when nothing else does."""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

_pool: ThreadPoolExecutor | None = None
_pool_pid: int | None = None
_lock = threading.Lock()


def _lower_priority():
    nice = getattr(settings, "PASSWORD_HASH_NICE", 10)
    if nice and hasattr(os, "setpriority"):
        try:  # on Linux a thread's own priority: `who` is its native id
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
        except OSError:
            pass  # not permitted here: derive at normal priority


def pool() -> ThreadPoolExecutor:
    """One pool per process (a forked server worker builds its own), as many threads as cores."""
    global _pool, _pool_pid
    with _lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="password-hash",
                                       initializer=_lower_priority)
            _pool_pid = os.getpid()
        return _pool


class BackgroundPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2-SHA256, derived on the lower-priority pool."""

    def encode(self, password, salt, iterations=None):
        return pool().submit(super().encode, password, salt, iterations).result()
