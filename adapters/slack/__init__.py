"""The Slack door: a Bolt app on `POST /slack/events` (or Socket Mode), Block Kit rendering and
the Slack messenger. Block Kit lives only here."""
