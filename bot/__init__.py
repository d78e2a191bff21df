"""coachbot's platform-neutral core: the coaching programme's model, rules and services.

Nothing here imports a chat platform, a database or a scheduler library; the outer layers
(`adapters`, `storage`, `scheduler`) depend on this package, never the other way round.
"""
