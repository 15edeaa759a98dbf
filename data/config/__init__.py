"""Default configuration files, installed as ``hotspot_tasking.default_config``.

``hotspot-tasking init`` copies these TOML files into a new workspace's ``config/``
folder; a partnership edits its own copies there.
"""
