"""Cluster descriptions: one page of prose per cluster written from a profile by fixed
templates, merged with the experts' narrative, and a report as Markdown and self-contained
HTML (figures embedded as base64 PNG). See ``docs/descriptions.md``.
"""

from ._narratives import profile_fingerprint, read_templates, write_templates
from ._result import ClusterDescription, ClusterDescriptions, describe_clusters

__all__ = ["describe_clusters", "ClusterDescriptions", "ClusterDescription",
           "profile_fingerprint", "write_templates", "read_templates"]
