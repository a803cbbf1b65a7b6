"""A demo doorbell camera for scripts/develop, on every supported release.

Home Assistant 2025.5 removed the YAML set-up of the ``local_file`` camera the
demo used, and a config flow would have to be clicked through on every fresh
config. This camera serves the demo picture from a YAML platform entry, the
same way on the oldest and the newest line, with nothing to click and no
repair notice.
"""
