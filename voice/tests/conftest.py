# The browser tests' database for daphne, shared with the learner UI's browser tests.
from config.tests.test_browser import server_database_url  # noqa: F401
