"""Shim so that tools which still call setup.py directly work; metadata lives in setup.cfg."""
from setuptools import setup

setup()
