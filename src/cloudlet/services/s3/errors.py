"""S3's error codes, each with the HTTP status S3 answers it with."""
from cloudlet.errors import AccessDenied as _AccessDenied, ServiceError, error_class

NoSuchBucket = error_class("NoSuchBucket", 404)
NoSuchKey = error_class("NoSuchKey", 404)
NoSuchVersion = error_class("NoSuchVersion", 404)
NoSuchUpload = error_class("NoSuchUpload", 404)
BucketAlreadyExists = error_class("BucketAlreadyExists", 409)
BucketAlreadyOwnedByYou = error_class("BucketAlreadyOwnedByYou", 409)
BucketNotEmpty = error_class("BucketNotEmpty", 409)
InvalidBucketName = error_class("InvalidBucketName", 400)
InvalidLocationConstraint = error_class("InvalidLocationConstraint", 400)
IllegalLocationConstraint = error_class("IllegalLocationConstraintException", 400)
InvalidArgument = error_class("InvalidArgument", 400)
InvalidRequest = error_class("InvalidRequest", 400)
InvalidRange = error_class("InvalidRange", 416)
InvalidPartNumber = error_class("InvalidPartNumber", 416)
PreconditionFailed = error_class("PreconditionFailed", 412)
MethodNotAllowed = error_class("MethodNotAllowed", 405)
MalformedXML = error_class("MalformedXML", 400)
MalformedACLError = error_class("MalformedACLError", 400)
KeyTooLong = error_class("KeyTooLongError", 400)
MetadataTooLarge = error_class("MetadataTooLarge", 400)
InvalidStorageClass = error_class("InvalidStorageClass", 400)
InvalidObjectState = error_class("InvalidObjectState", 403)
RestoreAlreadyInProgress = error_class("RestoreAlreadyInProgress", 409)
BadDigest = error_class("BadDigest", 400)
InvalidDigest = error_class("InvalidDigest", 400)
BadRequest = error_class("BadRequest", 400)
InvalidTag = error_class("InvalidTag", 400)
EntityTooSmall = error_class("EntityTooSmall", 400)
EntityTooLarge = error_class("EntityTooLarge", 400)
InvalidPart = error_class("InvalidPart", 400)
InvalidPartOrder = error_class("InvalidPartOrder", 400)
InvalidBucketState = error_class("InvalidBucketState", 409)
AccessControlListNotSupported = error_class("AccessControlListNotSupported", 400)
InvalidBucketAclWithObjectOwnership = error_class("InvalidBucketAclWithObjectOwnership", 400)
InvalidBucketAclWithBlockPublicAccess = error_class("InvalidBucketAclWithBlockPublicAccessError", 400)
MalformedPolicy = error_class("MalformedPolicy", 400)
SignatureDoesNotMatch = error_class("SignatureDoesNotMatch", 403)
XAmzContentSHA256Mismatch = error_class("XAmzContentSHA256Mismatch", 400)
AuthorizationQueryParametersError = error_class("AuthorizationQueryParametersError", 400)
InvalidTargetBucketForLogging = error_class("InvalidTargetBucketForLogging", 400)
CrossLocationLoggingProhibitted = error_class("CrossLocationLoggingProhibitted", 403)
ObjectLockConfigurationNotFound = error_class("ObjectLockConfigurationNotFoundError", 404)
NoSuchObjectLockConfiguration = error_class("NoSuchObjectLockConfiguration", 404)
IncompleteBody = error_class("IncompleteBody", 400)
TooManyConfigurations = error_class("TooManyConfigurations", 400)
IdMismatch = error_class("IdMismatch", 400)
InvalidS3DestinationBucket = error_class("InvalidS3DestinationBucket", 400)
UnimplementedHeader = error_class("NotImplemented", 501)
InvalidRedirectLocation = error_class("InvalidRedirectLocation", 400)
RequestTimeTooSkewed = error_class("RequestTimeTooSkewed", 403)
ConditionalRequestConflict = error_class("ConditionalRequestConflict", 409)


class AccessDenied(_AccessDenied):
    status = 403


def not_found(code: str, message: str) -> type[ServiceError]:
    return error_class(code, 404)


NO_SUCH_KEY = "The specified key does not exist."
NO_SUCH_BUCKET = "The specified bucket does not exist"
NO_SUCH_UPLOAD = ("The specified upload does not exist. The upload ID may be invalid, or the upload may have been "
                  "aborted or completed.")
PRECONDITION = "At least one of the pre-conditions you specified did not hold"
