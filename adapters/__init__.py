"""coachbot's doors: Slack, Teams, the LMS, the HTTP server, the command line and the wiring."""
