import rules

# any signed-in, active account may hold API tokens: a token sees exactly what its owner sees on the web
rules.add_perm("api.manage_own_tokens", rules.is_authenticated & rules.is_active)
