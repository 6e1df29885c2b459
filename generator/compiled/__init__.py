"""Jinja's compiled form of each built-in template, written by `python -m convgen.precompile`
(see generator/precompiled.py); not linted or type-checked: the code is Jinja's."""
