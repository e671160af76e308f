from hromada.volunteers import services

# (name, every seconds, function): run by `hromada worker` (hromada.core.periodic).
PERIODIC = [("volunteers.record_no_shows", 3600, services.record_no_shows)]
