from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """Somebody else changed the thing first (a delivery claimed a moment earlier): the
    request was right, the world moved. Pages show it as a message; the API answers 409."""
