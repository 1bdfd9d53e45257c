from bespoke_notifications.entrypoints.main import run

run()
