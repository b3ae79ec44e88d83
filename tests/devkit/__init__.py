"""Helpers of the tests (never test modules themselves) and the tests of ``devkit``."""
