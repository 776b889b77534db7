"""Passwords are hashed with Argon2id at OWASP's minimum parameters; older Argon2 hashes still sign in and are
re-hashed with these parameters when they do."""

import argon2
import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password
from django.test import Client

from tests.builders import PASSWORD, make_user


def _parameters(encoded: str) -> argon2.Parameters:
    assert encoded.startswith("argon2$argon2id$")
    return argon2.extract_parameters(encoded.removeprefix("argon2"))


def test_new_passwords_use_argon2id_with_owasp_parameters():
    params = _parameters(make_password("a long enough passphrase"))
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19 * 1024, 2, 1)
    assert params.type is argon2.Type.ID


def test_a_hash_with_djangos_default_parameters_still_checks():
    old = Argon2PasswordHasher().encode("a long enough passphrase", "saltsaltsalt")
    assert _parameters(old).memory_cost == 102400
    assert check_password("a long enough passphrase", old)
    assert not check_password("the wrong passphrase", old)


@pytest.mark.django_db
def test_signing_in_rehashes_an_old_hash_with_the_new_parameters():
    user = make_user("old@test.example")
    user.password = Argon2PasswordHasher().encode(PASSWORD, "saltsaltsalt")
    user.save(update_fields=["password"])
    response = Client().post("/account/sign-in/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert _parameters(user.password).memory_cost == 19 * 1024
