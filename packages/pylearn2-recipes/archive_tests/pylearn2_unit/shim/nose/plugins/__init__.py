"""nose.plugins (test code only)."""
