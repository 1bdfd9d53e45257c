from bespoke_platform.process import leave_out_console_extras

leave_out_console_extras()

from bespoke_orders.entrypoints.main import run  # noqa: E402

run()
