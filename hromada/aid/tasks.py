from hromada.aid.services import deliveries, needs, pledges, recurring

# (name, every seconds, function): run by `hromada worker` (hromada.core.periodic).
PERIODIC = [
    ("aid.spawn_recurring_needs", 300, recurring.spawn_recurring_needs),
    ("aid.release_stale_claims", 120, deliveries.release_stale_claims),
    ("aid.expire_needs", 3600, needs.expire_needs),
    ("aid.expire_pledges", 3600, pledges.expire_pledges),
]
