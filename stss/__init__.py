"""stss: school improvement and school-to-school support for a trust, from plain records in git."""

__version__ = "0.1.0"
