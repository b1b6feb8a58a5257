"""stss: school improvement and school-to-school support for a trust, from plain records in git."""

__version__ = "0.1.0"

#: The name on the package index. `stss` there is someone else's project, so a
#: records repository must never `pip install stss`; the command is still `stss`.
DISTRIBUTION = "stss-records"
