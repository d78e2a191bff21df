"""coachbot's scheduler: APScheduler jobs and the outbox dispatcher."""
