"""The PySide6 desktop application: the only package of sysmap that imports Qt."""
