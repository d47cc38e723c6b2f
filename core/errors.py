from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refusal the user can understand. `status` is the HTTP status a view maps it to."""

    status = 400
    default_message = _("The request could not be completed.")

    def __init__(self, message=None, **params):
        self.message = message or self.default_message
        self.params = params
        super().__init__(str(self.message))

    def __str__(self):
        return str(self.message) % self.params if self.params else str(self.message)


class IllegalTransition(DomainError):
    status = 409
    default_message = _("This action is not possible in the proposal's current state.")


class NotPermitted(DomainError):
    status = 403
    default_message = _("You are not allowed to do this.")


class ConcurrentChange(DomainError):
    status = 409
    default_message = _("Someone else changed this proposal at the same time. Reload the page and try again.")


class InvalidInput(DomainError):
    status = 400
