"""theano.tests helpers pylearn2's tests import (test code only)."""
