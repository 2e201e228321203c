"""The parts of nose pylearn2's tests import (test code only): nose does not run on 3.11."""
