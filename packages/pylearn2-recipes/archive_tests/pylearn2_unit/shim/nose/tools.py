"""nose.tools' assertion helpers, from unittest."""

import unittest

import pytest

_case = unittest.TestCase()
_case.maxDiff = None

assert_raises = _case.assertRaises
assert_equal = _case.assertEqual
assert_not_equal = _case.assertNotEqual
assert_true = _case.assertTrue
assert_false = _case.assertFalse
assert_is = _case.assertIs
assert_in = _case.assertIn
assert_is_instance = _case.assertIsInstance
assert_almost_equal = _case.assertAlmostEqual
assert_raises_regexp = _case.assertRaisesRegex
eq_ = _case.assertEqual
ok_ = _case.assertTrue


def _raises(*exceptions):
    def decorate(function):
        def wrapped(*args, **kwargs):
            with pytest.raises(exceptions):
                function(*args, **kwargs)

        wrapped.__name__ = function.__name__
        return wrapped

    return decorate


raises = _raises
