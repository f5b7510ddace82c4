"""Labelled data sets on disk, made with the engine: plan, run, resume, shard and merge.

Export knows nothing of how an image is drawn: it asks the engine for batches and writes them.
"""
from .run import ExportRequest, ExportResult, load_export, merge_exports, plan_export, preview, run_export

__all__ = ["ExportRequest", "ExportResult", "load_export", "merge_exports", "plan_export", "preview", "run_export"]
