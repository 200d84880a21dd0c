"""Organizations and posts from spreadsheets (and back): Chinese headers, kinds and posts by their Chinese names.

Organizations are keyed by their unified social credit code, or else by (place, name); a parent
organization is given by code or by a path of names (``和平街道党工委/和平社区党委``), and may be
a row of the same file.  Posts are keyed by (identity number or name, organization, post, start).
"""

from .organizations import ORG_EXPORT_COLUMNS, OrganizationImporter
from .posts import PostImporter, post_export_columns

__all__ = ["ORG_EXPORT_COLUMNS", "OrganizationImporter", "PostImporter", "post_export_columns"]
