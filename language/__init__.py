"""Language tools with no Django inside: tokenising, checking and reading learner text."""
