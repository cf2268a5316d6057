"""Permission helpers shared by both apps: refuse with PermissionDenied, never silently."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])


def require_permission(user: Any, permission: str) -> None:
    """Raise PermissionDenied unless the user has the permission (roles come from groups)."""
    if not user.has_perm(permission):
        raise PermissionDenied(
            gettext("You need the permission %(permission)r for this.") % {"permission": permission}
        )


def permission_view(*permissions: str) -> Callable[[ViewFunc], ViewFunc]:
    """Log in first, then require every named permission (403 otherwise).

    `@login_required` alone would let any account in, such as the CMS integration user, which
    belongs to no newsroom role.
    """

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            for permission in permissions:
                require_permission(request.user, permission)
            return view(request, *args, **kwargs)

        return login_required(wrapped)  # type: ignore[return-value]

    return decorator
