"""Password hashing: Argon2id with OWASP's recommended minimum parameters.

Django's default Argon2 settings (100 MiB, 8 lanes) cost ~180 ms of CPU and 100 MiB of memory per sign-in, so a
September rush of sign-ins would take most of a small server. OWASP's Password Storage Cheat Sheet gives
m=19 MiB, t=2, p=1 as a configuration of equal defence (~20 ms here). Hashes made with other parameters still
verify (Argon2 reads them from the hash) and are re-hashed with these at the next sign-in.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
