"""Amazon S3: buckets and objects over the real rest-xml wire protocol, streamed to files.

Modules: buckets, objects (put/get/head/delete/copy), listing, multipart, versions, objectmeta
(tags, ACLs, attributes, restore), config (bucket sub-resources), lifecycle, lock, sse, acl,
notifications, cors and post (browser uploads), auth (signatures, presigned URLs, anonymous).
"""
from cloudlet.services.s3 import (acl, buckets, config, lifecycle, listing, lock, multipart,  # noqa: F401
                                  notifications, objectmeta, objects)
from cloudlet.services.s3.common import service
from cloudlet.services.s3.hook import request_hook

service.request_hook = request_hook

__all__ = ["service"]
