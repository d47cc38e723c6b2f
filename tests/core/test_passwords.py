"""Password checks run Django's own PBKDF2 on a lower-priority pool: same hashes, same cost, pages first."""

import os
import threading

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, make_password

from core.passwords import BackgroundPBKDF2PasswordHasher, pool

HASHERS = ["core.passwords.BackgroundPBKDF2PasswordHasher"]


def test_its_hashes_are_djangos_pbkdf2_hashes_and_verify_both_ways():
    ours, djangos = BackgroundPBKDF2PasswordHasher(), PBKDF2PasswordHasher()
    salt = djangos.salt()
    assert ours.algorithm == djangos.algorithm == "pbkdf2_sha256"
    assert ours.iterations == djangos.iterations  # Django's default cost, unchanged
    assert ours.encode("钙钛矿-secret", salt, 1000) == djangos.encode("钙钛矿-secret", salt, 1000)
    assert djangos.verify("钙钛矿-secret", ours.encode("钙钛矿-secret", salt, 1000))
    assert not ours.verify("wrong", djangos.encode("钙钛矿-secret", salt, 1000))


def test_the_project_checks_passwords_with_it(settings):
    settings.PASSWORD_HASHERS = HASHERS
    encoded = make_password("pw-secret-123", hasher=BackgroundPBKDF2PasswordHasher())
    assert encoded.startswith("pbkdf2_sha256$")
    assert check_password("pw-secret-123", encoded) and not check_password("pw-secret-124", encoded)


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="thread priorities are a POSIX feature")
def test_the_derivation_runs_on_a_pool_thread_at_a_lower_priority(settings):
    settings.PASSWORD_HASH_NICE = 10

    def where():
        return threading.current_thread().name, os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    name, nice = pool().submit(where).result()
    assert name.startswith("password-hash")
    assert nice == max(10, mine)  # niced when it started (a process already nicer than 10 stays as it is)
