"""The Microsoft Teams door: Bot Framework activities in at `POST /api/messages`, Adaptive
Cards out, proactive DMs through the `Messenger` port. botbuilder stays inside this package."""
