"""Every resident-facing string and format: ``<locale>/*.json`` (one folder per language), the catalogue, Babel.

A language is a folder named by its tag (``en``, ``es``, ``es-MX``) holding the same files as ``en/``; a lookup
falls back along ``es-MX → es → en`` (``catalogue.py``). Numbers, money, dates and times are CLDR's, through Babel
(``formats.py``). Problem details are for developers and stay English where they are raised.
"""
