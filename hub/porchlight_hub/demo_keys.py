"""The demo agency's private keys, kept on disk next to the demo database.

The demo agency signs its requests like any real agency, so its identity
must outlive a restart: it is written once (mode 0600) beside the database,
and a developer can open the demo's sealed clips with ``age -d -i`` on it.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from .agency_keys import AgencyIdentity, IdentityFileError, load, write_new
from .settings import Settings

FILE_SUFFIX = "-demo-agency-identity.txt"


def identity_path(settings: Settings) -> Path:
    """Beside a SQLite file; in the media folder for any other database."""
    url = make_url(settings.db_url)
    database = url.database
    if url.get_backend_name() == "sqlite" and database and database != ":memory:":
        path = Path(database)
        return path.with_name(path.stem + FILE_SUFFIX)
    return settings.media_dir / ("porchlight" + FILE_SUFFIX)


def load_or_create(path: Path) -> tuple[AgencyIdentity, bool]:
    """The identity in ``path``, made first if there is none; (identity, made)."""
    if path.exists():
        return load(path), False
    identity = AgencyIdentity.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_new(path, identity)
    return identity, True


__all__ = ["IdentityFileError", "identity_path", "load_or_create"]
