"""Typed errors that handlers raise; the protocol serializer renders them from the model.

A handler raises ``SomeError("message")``. The serializer looks the code up among the service's
error shapes to find its HTTP status and wire code, so services only name their errors.
"""
from __future__ import annotations


class ServiceError(Exception):
    code: str = "InternalFailure"
    status: int | None = None  # None: the model's httpStatusCode for this code, else 400
    sender_fault: bool = True

    def __init__(self, message: str = "", *, code: str | None = None, status: int | None = None,
                 sender_fault: bool | None = None, headers: dict | None = None, **fields):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        if sender_fault is not None:
            self.sender_fault = sender_fault
        self.headers = headers or {}
        self.fields = fields  # extra members of the error shape (S3 <Key>, DynamoDB Item, ...)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r})"


def error_class(code: str, status: int | None = None, sender_fault: bool = True) -> type[ServiceError]:
    """Make a typed error class for a service: ``QueueDoesNotExist = error_class("QueueDoesNotExist")``."""
    return type(code, (ServiceError,), {"code": code, "status": status, "sender_fault": sender_fault})


class InvalidInput(ServiceError):
    """Generic input validation failure; each service renders it with its own validation code."""
    code = "ValidationException"
    status = 400


class SerializationError(ServiceError):
    """The request body could not be read as the protocol's format."""
    code = "SerializationException"
    status = 400


class UnknownOperation(ServiceError):
    code = "UnknownOperationException"
    status = 400


class NotImplementedOperation(ServiceError):
    code = "NotImplemented"
    status = 501


class InternalFailure(ServiceError):
    code = "InternalFailure"
    status = 500
    sender_fault = False


class ExpiredToken(ServiceError):
    code = "ExpiredToken"
    status = 400


class AccessDenied(ServiceError):
    code = "AccessDenied"
    status = 403
