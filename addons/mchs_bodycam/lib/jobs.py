"""Background jobs that run to their end on their own (items 12, 13)."""


def report_step(env, cron_xmlid, done, remaining):
    """Tell ir.cron how a committed step went. Every step counts as progress (at least 1 done),
    also one that had nothing to do: ir.cron takes "nothing done" for "nothing left" and would
    leave the rest to the job's next interval. ir.cron runs a job at most 10 steps in a row and
    then only marks it ready; while work is left, a trigger wakes the cron workers at once
    instead of at their next poll."""
    env["ir.cron"]._notify_progress(done=max(done, 1), remaining=remaining)
    if remaining:
        env.ref(cron_xmlid)._trigger()
