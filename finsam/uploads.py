"""A size limit on uploaded files that holds while the request is read.

Django keeps a whole upload, in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE and on disk beyond it,
before any form can say it is too large (DATA_UPLOAD_MAX_MEMORY_SIZE leaves files out). With
limit_uploads, a file stops being kept once it passes the limit: the rest is read from the
connection and dropped, and the form learns which field it was.
"""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest


class _SizeLimit(FileUploadHandler):
    def __init__(self, request: HttpRequest, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.refused: set[str] = set()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.max_bytes:
            self.refused.add(self.field_name)
            raise SkipFile  # Django closes (and so deletes) what the other handlers kept
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the handlers after this one make the file


def limit_uploads(request: HttpRequest, *, max_bytes: int) -> set[str]:
    """Keep no uploaded file of request past max_bytes; returns the set that will hold the
    names of the fields whose file was dropped, once the body is read.

    Call it before anything reads request.POST or request.FILES, and so before the CSRF check:
    the view is csrf_exempt and what it calls is csrf_protect.
    """
    handler = _SizeLimit(request, max_bytes)
    request.upload_handlers.insert(0, handler)
    return handler.refused
