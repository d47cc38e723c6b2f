from accounts.roles import role_names


def roles(request):
    user = getattr(request, "user", None)
    names = role_names(user) if user is not None else frozenset()
    return {"user_roles": names}
