"""The desktop application (PySide6). Nothing outside this package imports Qt."""

from hospital_osh.ui.compat import immortalise_singletons

immortalise_singletons()
