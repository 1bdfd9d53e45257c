from bespoke_design.entrypoints.main import run

run()
