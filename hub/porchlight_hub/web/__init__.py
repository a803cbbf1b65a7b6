"""The hub's two browser faces: the public page at ``/`` and the agency portal.

The public page is rendered here from ``templates/``; the portal is a static
bundle (built from ``hub/portal/``) under ``static/portal/`` that speaks only
to the JSON API. Both are served with a Content-Security-Policy that allows
no inline script.
"""
