from bespoke_shipping.entrypoints.main import run

run()
