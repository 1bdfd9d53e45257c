from bespoke_orders.entrypoints.main import run

run()
