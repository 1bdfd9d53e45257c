from bespoke_payments.entrypoints.main import run

run()
