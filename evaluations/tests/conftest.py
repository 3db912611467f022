from coaching.tests.conftest import offline_partner  # noqa: F401
