"""Try coachbot without Slack: the bundled Slack emulator on loopback, the Slack door pointed at
it, a sample organisation, and a demo that acts as Slack does (signed requests) to play one
coaching cycle."""
