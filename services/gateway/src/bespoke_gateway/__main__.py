from bespoke_gateway.entrypoints.main import run

run()
